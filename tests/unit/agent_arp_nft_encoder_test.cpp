// The agent's nftables batch (realserver-agent/src/io/arp_nft_encoder.h) parsed back with the
// same parsers the daemon applies to the kernel's dumps, then judged by check_arp_table(): the
// table the agent installs is exactly the table it verifies. Also: every way a table can drift
// is reported.
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "core/arp_table_check.h"
#include "core/ownership_record.h"
#include "io/arp_nft_encoder.h"
#include "io/arp_nft_table.h"

namespace lvs::agent {
namespace {

constexpr Ipv4 kVip = 0x0ac80064;   // 10.200.0.100
constexpr Ipv4 kVip2 = 0x0ac80065;  // 10.200.0.101

DesiredState two_vips() {
  config::AgentConfig c;
  c.vips = {kVip, kVip2};
  return desired_state_for(c);
}

struct Replayed {
  ArpTableReading reading;
  std::vector<std::uint16_t> types;  // NFT_MSG_* of each command, in order
  int acks = 0;
};

// Applies the batch's commands the way the kernel would, to an empty reading.
Replayed replay(const base::NftBatch& batch) {
  Replayed out;
  int remaining = static_cast<int>(batch.bytes.size());
  for (auto* nlh = reinterpret_cast<const nlmsghdr*>(batch.bytes.data());
       mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
    if (nlh->nlmsg_flags & NLM_F_ACK) ++out.acks;
    if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END) continue;
    const auto type = static_cast<std::uint16_t>(nlh->nlmsg_type & 0xff);
    out.types.push_back(type);
    switch (type) {
      case NFT_MSG_NEWTABLE:
        if (!out.reading.table_present) {
          EXPECT_TRUE(parse_table_message(nlh, out.reading));
        }
        break;
      case NFT_MSG_DELTABLE:
        out.reading = {};
        break;
      case NFT_MSG_NEWSET:
        out.reading.set_present = true;
        break;
      case NFT_MSG_NEWSETELEM:
        EXPECT_TRUE(parse_set_elements_message(nlh, out.reading));
        break;
      case NFT_MSG_NEWCHAIN:
        EXPECT_TRUE(parse_chain_message(nlh, out.reading));
        break;
      case NFT_MSG_NEWRULE:
        EXPECT_TRUE(parse_rule_message(nlh, out.reading));
        break;
      default:
        ADD_FAILURE() << "unexpected message type " << type;
    }
  }
  return out;
}

TEST(AgentArpNftEncoder, InstalledTableIsExactlyTheVerifiedTable) {
  const auto d = two_vips();
  const std::string comment = "lvs-agent v1 vips=10.200.0.100 sysctls=- device=-";
  const auto batch = encode_arp_table_install(d, comment, 100);
  const auto r = replay(batch);
  EXPECT_EQ(check_arp_table(d, r.reading), "");
  EXPECT_EQ(r.reading.table_comment, comment);
  EXPECT_EQ(r.reading.set_elements, (std::vector<Ipv4>{kVip, kVip2}));
  ASSERT_EQ(r.reading.rules.size(), 3u);
  EXPECT_EQ(r.reading.rules[0].comment, "lvs-agent: ARP request for VIP 10.200.0.100");
  EXPECT_EQ(r.reading.rules[0].chain, "arp_in");
  EXPECT_EQ(r.reading.rules[2].chain, "arp_out");
}

TEST(AgentArpNftEncoder, BatchShapeAndSequenceNumbers) {
  const auto d = two_vips();
  const auto batch = encode_arp_table_install(d, "x", 100);
  const auto r = replay(batch);
  const std::vector<std::uint16_t> want{
      NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE, NFT_MSG_NEWTABLE, NFT_MSG_NEWSET,  NFT_MSG_NEWSETELEM,
      NFT_MSG_NEWCHAIN, NFT_MSG_NEWCHAIN, NFT_MSG_NEWRULE,  NFT_MSG_NEWRULE, NFT_MSG_NEWRULE};
  EXPECT_EQ(r.types, want);
  EXPECT_EQ(r.acks, 1);  // only the last command: base::NftSocket waits for that reply
  EXPECT_EQ(batch.begin_seq, 100u);
  EXPECT_EQ(batch.commands.size(), want.size());
  EXPECT_EQ(batch.end_seq, 100u + want.size() + 1);
  EXPECT_EQ(arp_table_install_messages(d), want.size() + 2);
}

TEST(AgentArpNftEncoder, RemoveIsAddThenDelete) {
  const auto batch = encode_arp_table_remove(ArpTableNames{}, 7);
  const auto r = replay(batch);
  EXPECT_EQ(r.types, (std::vector<std::uint16_t>{NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE}));
  EXPECT_FALSE(r.reading.table_present);
  EXPECT_EQ(batch.commands.size() + 2, kArpTableRemoveMessages);
}

TEST(AgentArpNftEncoder, RecordTextFitsTheKernelLimit) {
  // The longest record the agent writes still goes through the encoder's udata buffer whole.
  OwnershipRecord rec;
  for (Ipv4 v = 0; v < 100; ++v) rec.note_vip_added(0x0a000000 + v);
  const std::string text = encode_ownership_record(rec);
  const auto r = replay(encode_arp_table_install(two_vips(), text, 1));
  EXPECT_EQ(r.reading.table_comment, text);
}

class AgentArpTableDrift : public ::testing::Test {
 protected:
  void SetUp() override { good = replay(encode_arp_table_install(d, "c", 1)).reading; }
  DesiredState d = two_vips();
  ArpTableReading good;
};

TEST_F(AgentArpTableDrift, MissingTable) {
  EXPECT_EQ(check_arp_table(d, ArpTableReading{}), "table arp lvs_agent is missing");
}

TEST_F(AgentArpTableDrift, MissingSetOrElement) {
  auto r = good;
  r.set_present = false;
  EXPECT_NE(check_arp_table(d, r), "");
  r = good;
  r.set_elements.pop_back();
  EXPECT_EQ(check_arp_table(d, r), "table arp lvs_agent: set vips does not hold exactly the VIPs");
  r = good;
  r.set_elements.push_back(0x01020304);
  EXPECT_NE(check_arp_table(d, r), "");
}

TEST_F(AgentArpTableDrift, ChainGoneOrPolicyChanged) {
  auto r = good;
  r.chains.erase(r.chains.begin());
  EXPECT_EQ(check_arp_table(d, r), "table arp lvs_agent: chain arp_in is missing");
  r = good;
  r.chains[1].policy = 0;  // NF_DROP
  EXPECT_EQ(check_arp_table(d, r), "table arp lvs_agent: chain arp_out policy is not accept");
  r = good;
  r.chains.push_back({"extra", 0, 1});
  EXPECT_NE(check_arp_table(d, r), "");
}

TEST_F(AgentArpTableDrift, RuleFlushedOrChanged) {
  auto r = good;
  r.rules.clear();  // nft flush chain
  EXPECT_EQ(check_arp_table(d, r), "table arp lvs_agent: holds 0 rules, expected 3");
  r = good;
  r.rules[1].expressions.pop_back();  // verdict gone
  EXPECT_EQ(check_arp_table(d, r),
            "table arp lvs_agent: the rule dropping ARP requests for 10.200.0.101 is missing or "
            "changed");
  r = good;
  r.rules[2].chain = "arp_in";
  EXPECT_NE(check_arp_table(d, r), "");
}

TEST_F(AgentArpTableDrift, CountersPerVip) {
  auto r = good;
  r.rules[0].packets = 3;
  r.rules[1].packets = 5;
  const auto drops = arp_drops_per_vip(d, r);
  ASSERT_EQ(drops.size(), 2u);
  EXPECT_EQ(drops[0], (std::pair<Ipv4, std::uint64_t>{kVip, 3}));
  EXPECT_EQ(drops[1], (std::pair<Ipv4, std::uint64_t>{kVip2, 5}));
}

}  // namespace
}  // namespace lvs::agent
