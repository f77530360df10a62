// The nftables encoder (io/nft_rules.h) is a pure function from the config model to batch bytes:
// these tests decode the bytes back with libnftnl and compare them with golden text. The goldens
// are what `nft --debug=netlink add rule ...` prints for the same rule written by hand, i.e. the
// encoding nft itself produces (checked on nftables 1.0.6 / libnftnl 1.2.4).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/unique_nftnl.h"
#include "io/nft_rules.h"
#include "support/config_yaml.h"

namespace lvs::io {
namespace {

using config::DirectorConfig;

DirectorConfig load(const std::string& yaml) { return test::director_config(yaml); }

const char* kThreeServices = R"(
director:
  queue: 0
services:
  - tcp-service: 10.200.0.100:80
    real-servers: [{real-server: 10.200.0.11:80}]
  - udp-service: 10.200.0.100:9000
    real-servers: [{real-server: 10.200.0.11:9000}]
  - fwmark-service: 5
    real-servers: [{real-server: 10.200.0.11}]
)";

// One message of a batch, decoded: its type, sequence number, flags and libnftnl's rendering.
struct Decoded {
  std::uint16_t type = 0;  // NFT_MSG_* or NFNL_MSG_BATCH_*
  std::uint32_t seq = 0;
  std::uint16_t flags = 0;
  std::uint32_t family = 0;
  std::string text;  // nftnl_*_snprintf of the object (rules: the expression list, as nft -d)
  std::string comment;
};

std::string rule_text(nftnl_rule* r) {
  std::vector<char> buf(4096);
  nftnl_rule_snprintf(buf.data(), buf.size(), r, NFTNL_OUTPUT_DEFAULT, 0);
  return buf.data();
}

std::vector<Decoded> decode(const base::NftBatch& batch) {
  std::vector<Decoded> out;
  int remaining = static_cast<int>(batch.bytes.size());
  for (auto* nlh = reinterpret_cast<const nlmsghdr*>(batch.bytes.data());
       mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
    Decoded d;
    d.seq = nlh->nlmsg_seq;
    d.flags = nlh->nlmsg_flags;
    const auto* nfg = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
    d.family = nfg->nfgen_family;
    if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
      d.type = nlh->nlmsg_type;
      EXPECT_EQ(ntohs(nfg->res_id), NFNL_SUBSYS_NFTABLES);
      out.push_back(d);
      continue;
    }
    EXPECT_EQ(nlh->nlmsg_type >> 8, NFNL_SUBSYS_NFTABLES);
    d.type = nlh->nlmsg_type & 0xff;
    std::vector<char> buf(4096);
    if (d.type == NFT_MSG_NEWTABLE || d.type == NFT_MSG_DELTABLE) {
      base::UniqueNftTable t(nftnl_table_alloc());
      EXPECT_EQ(nftnl_table_nlmsg_parse(nlh, t.get()), 0);
      d.text = nftnl_table_get_str(t.get(), NFTNL_TABLE_NAME);
    } else if (d.type == NFT_MSG_NEWCHAIN) {
      base::UniqueNftChain c(nftnl_chain_alloc());
      EXPECT_EQ(nftnl_chain_nlmsg_parse(nlh, c.get()), 0);
      nftnl_chain_snprintf(buf.data(), buf.size(), c.get(), NFTNL_OUTPUT_DEFAULT, 0);
      d.text = buf.data();
    } else if (d.type == NFT_MSG_NEWRULE) {
      base::UniqueNftRule r(nftnl_rule_alloc());
      EXPECT_EQ(nftnl_rule_nlmsg_parse(nlh, r.get()), 0);
      d.text = rule_text(r.get());
      if (nftnl_rule_is_set(r.get(), NFTNL_RULE_USERDATA)) {
        std::uint32_t len = 0;
        const auto* data =
            static_cast<const char*>(nftnl_rule_get_data(r.get(), NFTNL_RULE_USERDATA, &len));
        // One TLV: type NFTNL_UDATA_RULE_COMMENT (0), length, NUL-terminated text.
        EXPECT_GE(len, 2u);
        EXPECT_EQ(data[0], 0);
        d.comment.assign(data + 2,
                         static_cast<std::size_t>(static_cast<unsigned char>(data[1])) - 1);
      }
    }
    out.push_back(d);
  }
  EXPECT_EQ(remaining, 0) << "trailing bytes in the batch";
  return out;
}

// The xt_NFQ_info_v3 carried by the first rule's "target" expression.
xt_NFQ_info_v3 xt_info_of(const base::NftBatch& batch, std::uint32_t* info_len, std::string* name,
                          std::uint32_t* rev) {
  xt_NFQ_info_v3 info{};
  int remaining = static_cast<int>(batch.bytes.size());
  for (auto* nlh = reinterpret_cast<const nlmsghdr*>(batch.bytes.data());
       mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
    if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)) continue;
    base::UniqueNftRule r(nftnl_rule_alloc());
    nftnl_rule_nlmsg_parse(nlh, r.get());
    struct Found {
      xt_NFQ_info_v3* info;
      std::uint32_t* len;
      std::string* name;
      std::uint32_t* rev;
    } found{&info, info_len, name, rev};
    nftnl_expr_foreach(
        r.get(),
        [](nftnl_expr* e, void* data) -> int {
          auto* f = static_cast<Found*>(data);
          if (std::strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "target") != 0) return 0;
          *f->name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
          *f->rev = nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV);
          const void* p = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, f->len);
          std::memcpy(f->info, p, sizeof *f->info);
          return 0;
        },
        &found);
    break;
  }
  return info;
}

const std::string kTcpMatch =
    "  [ payload load 4b @ network header + 16 => reg 1 ]\n"
    "  [ cmp eq reg 1 0x6400c80a ]\n"
    "  [ meta load l4proto => reg 1 ]\n"
    "  [ cmp eq reg 1 0x00000006 ]\n"
    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
    "  [ cmp eq reg 1 0x00005000 ]\n"
    "  [ counter pkts 0 bytes 0 ]\n";
const std::string kUdpMatch =
    "  [ payload load 4b @ network header + 16 => reg 1 ]\n"
    "  [ cmp eq reg 1 0x6400c80a ]\n"
    "  [ meta load l4proto => reg 1 ]\n"
    "  [ cmp eq reg 1 0x00000011 ]\n"
    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
    "  [ cmp eq reg 1 0x00002823 ]\n"
    "  [ counter pkts 0 bytes 0 ]\n";
// libnftnl's rendering of the service comment (rules' user data: one TLV, type 0).
const std::string kTcpComment = R"(  userdata = { \x00\x14tcp/10.200.0.100:80\x00 })";
const std::string kUdpComment = R"(  userdata = { \x00\x16udp/10.200.0.100:9000\x00 })";
const std::string kMarkComment = R"(  userdata = { \x00\x06fwm/5\x00 })";
const std::string kHeader = "ip lvs_director vip_in\n";

const std::string kMarkMatch =
    "  [ meta load mark => reg 1 ]\n"
    "  [ cmp eq reg 1 0x00000005 ]\n"
    "  [ counter pkts 0 bytes 0 ]\n";

TEST(NftRules, InstallBatchReplacesTheTableInOneTransaction) {
  NftRulesetOptions options;
  options.encoding = QueueEncoding::NativeQueue;
  const base::NftBatch batch = encode_install_batch(load(kThreeServices), options, 100);
  const auto msgs = decode(batch);
  ASSERT_EQ(msgs.size(), 2u + 4u + 3u);

  EXPECT_EQ(msgs.front().type, NFNL_MSG_BATCH_BEGIN);
  EXPECT_EQ(msgs.back().type, NFNL_MSG_BATCH_END);
  const std::vector<std::uint16_t> types = {NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE, NFT_MSG_NEWTABLE,
                                            NFT_MSG_NEWCHAIN, NFT_MSG_NEWRULE,  NFT_MSG_NEWRULE,
                                            NFT_MSG_NEWRULE};
  for (std::size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(msgs[i + 1].type, types[i]) << "message " << i + 1;
    EXPECT_EQ(msgs[i + 1].family, NFPROTO_IPV4);
  }
  EXPECT_EQ(msgs[1].text, "lvs_director");
  EXPECT_EQ(msgs[2].text, "lvs_director");
  // Sequence numbers are consecutive from first_seq and match the command list.
  for (std::size_t i = 0; i < msgs.size(); ++i) EXPECT_EQ(msgs[i].seq, 100 + i);
  EXPECT_EQ(batch.begin_seq, 100u);
  EXPECT_EQ(batch.end_seq, 108u);
  ASSERT_EQ(batch.commands.size(), 7u);
  EXPECT_EQ(batch.commands[4].what,
            "add rule for tcp/10.200.0.100:80 with the native nft queue expression in ip "
            "lvs_director vip_in");
  // Only the last command asks for an ACK (its reply closes the transaction's replies).
  for (std::size_t i = 1; i + 2 < msgs.size(); ++i) EXPECT_FALSE(msgs[i].flags & NLM_F_ACK) << i;
  EXPECT_TRUE(msgs[msgs.size() - 2].flags & NLM_F_ACK);
  // Rules are appended, tables and chains created.
  EXPECT_TRUE(msgs[5].flags & NLM_F_APPEND);
  EXPECT_TRUE(msgs[1].flags & NLM_F_CREATE);
}

// The replacement table carries the owner flag (the kernel deletes it with the director's
// socket); the first "add table" does not, so it matches any existing table — an owned one of
// ours, or one a director without the flag left behind — without trying to change its flags.
// (io_nft_install_test shows the kernel's side: `flags owner`, removal on kill -9.)
TEST(NftRules, OnlyTheReplacementTableIsOwned) {
  NftRulesetOptions options;
  options.owner = true;
  const base::NftBatch owned = encode_install_batch(load(kThreeServices), options, 1);
  ASSERT_GE(owned.commands.size(), 3u);
  EXPECT_EQ(owned.commands[0].what, "add table ip lvs_director");
  EXPECT_EQ(owned.commands[1].what, "delete table ip lvs_director");
  EXPECT_EQ(owned.commands[2].what, "add table ip lvs_director { flags owner; }");
  options.owner = false;
  const base::NftBatch unowned = encode_install_batch(load(kThreeServices), options, 1);
  EXPECT_EQ(unowned.commands[2].what, "add table ip lvs_director");
  EXPECT_NE(owned.bytes, unowned.bytes) << "the flag is in the message, not only in its name";
}

TEST(NftRules, BaseChainHooksInputAtIpvsPriority) {
  const auto msgs = decode(encode_install_batch(load(kThreeServices), {}, 1));
  ASSERT_EQ(msgs[4].type, NFT_MSG_NEWCHAIN);
  // libnftnl's chain rendering: family table name type hook prio policy.
  EXPECT_EQ(msgs[4].text,
            "ip lvs_director vip_in use 0 type filter hook input prio 98 policy accept "
            "packets 0 bytes 0");
}

TEST(NftRules, NativeQueueRulesMatchNftsOwnEncoding) {
  NftRulesetOptions options;
  options.encoding = QueueEncoding::NativeQueue;
  const auto msgs = decode(encode_install_batch(load(kThreeServices), options, 1));
  EXPECT_EQ(msgs[5].text, kHeader + kTcpMatch + "  [ queue num 0 ]\n" + kTcpComment);
  EXPECT_EQ(msgs[6].text, kHeader + kUdpMatch + "  [ queue num 0 ]\n" + kUdpComment);
  EXPECT_EQ(msgs[7].text, kHeader + kMarkMatch + "  [ queue num 0 ]\n" + kMarkComment);
  EXPECT_EQ(msgs[5].comment, "tcp/10.200.0.100:80");
  EXPECT_EQ(msgs[6].comment, "udp/10.200.0.100:9000");
  EXPECT_EQ(msgs[7].comment, "fwm/5");
}

// kThreeServices queueing to `queue: first-last`.
DirectorConfig three_services_on_queues(std::uint16_t first, std::uint16_t last) {
  DirectorConfig config = load(kThreeServices);
  config.director.queue_first = first;
  config.director.queue_last = last;
  return config;
}

// The options that encode `config`'s rules with `encoding`, to its queues.
NftRulesetOptions queue_options(QueueEncoding encoding, const DirectorConfig& config) {
  NftRulesetOptions options;
  options.encoding = encoding;
  options.queue = queue_target_for(config.director);
  return options;
}

TEST(NftRules, NativeQueueRangeUsesFlowHashNotCpuFanoutAndNoBypass) {
  const DirectorConfig config = three_services_on_queues(2, 5);
  NftRulesetOptions options = queue_options(QueueEncoding::NativeQueue, config);
  EXPECT_EQ(options.queue.first, 2);
  EXPECT_EQ(options.queue.total, 4);
  EXPECT_FALSE(options.queue.bypass);
  const auto msgs = decode(encode_install_batch(config, options, 1));
  EXPECT_EQ(msgs[5].text, kHeader + kTcpMatch + "  [ queue num 2-5 ]\n" + kTcpComment);

  options.queue.bypass = true;
  const auto bypass = decode(encode_install_batch(config, options, 1));
  EXPECT_EQ(bypass[5].text, kHeader + kTcpMatch + "  [ queue num 2-5 bypass ]\n" + kTcpComment);
}

TEST(NftRules, XtNfqueueTargetIsRevision3WithQueueRange) {
  const DirectorConfig config = three_services_on_queues(1, 3);
  NftRulesetOptions options = queue_options(QueueEncoding::XtNfqueue, config);
  const base::NftBatch batch = encode_install_batch(config, options, 1);
  const auto msgs = decode(batch);
  const std::string target = "  [ target name NFQUEUE rev 3 ]\n";
  EXPECT_EQ(msgs[5].text, kHeader + kTcpMatch + target + kTcpComment);
  EXPECT_EQ(msgs[6].text, kHeader + kUdpMatch + target + kUdpComment);
  EXPECT_EQ(msgs[7].text, kHeader + kMarkMatch + target + kMarkComment);

  std::uint32_t len = 0, rev = 0;
  std::string name;
  const xt_NFQ_info_v3 info = xt_info_of(batch, &len, &name, &rev);
  EXPECT_EQ(name, "NFQUEUE");
  EXPECT_EQ(rev, 3u);
  EXPECT_EQ(len, 8u);  // XT_ALIGN(sizeof(xt_NFQ_info_v3)), as iptables-nft sends it
  EXPECT_EQ(info.queuenum, 1);
  EXPECT_EQ(info.queues_total, 3);
  EXPECT_EQ(info.flags, 0) << "fail-closed: no bypass, and no CPU fanout for a range";

  options.queue.bypass = true;
  const xt_NFQ_info_v3 bypass =
      xt_info_of(encode_install_batch(config, options, 1), &len, &name, &rev);
  EXPECT_EQ(bypass.flags, NFQ_FLAG_BYPASS);
}

TEST(NftRules, EmptyServiceListStillOwnsAnEmptyChain) {
  DirectorConfig config;
  const auto msgs = decode(encode_install_batch(config, {}, 1));
  ASSERT_EQ(msgs.size(), 6u);
  EXPECT_EQ(msgs[4].type, NFT_MSG_NEWCHAIN);
  EXPECT_TRUE(msgs[4].flags & NLM_F_ACK);
}

TEST(NftRules, ReloadEncodingFollowsTheModel) {
  // A reload is the same pure function of the new model: the changed VIP shows in the match.
  DirectorConfig config = load(kThreeServices);
  config.services[0].key.vip.addr = 0x0ac80065;  // 10.200.0.101
  config.services[0].key.vip.port = 443;
  const auto msgs = decode(encode_install_batch(config, {}, 1));
  EXPECT_NE(msgs[5].text.find("[ cmp eq reg 1 0x6500c80a ]"), std::string::npos) << msgs[5].text;
  EXPECT_NE(msgs[5].text.find("[ cmp eq reg 1 0x0000bb01 ]"), std::string::npos) << msgs[5].text;
  EXPECT_EQ(msgs[5].comment, "tcp/10.200.0.101:443");
}

TEST(NftRules, RemoveBatchIsAddThenDeleteSoAnAbsentTableIsNoError) {
  NftRulesetOptions options;
  options.table = "other";
  const auto msgs = decode(encode_remove_batch(options, 7));
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[1].type, NFT_MSG_NEWTABLE);
  EXPECT_EQ(msgs[2].type, NFT_MSG_DELTABLE);
  EXPECT_EQ(msgs[2].text, "other");
  EXPECT_TRUE(msgs[2].flags & NLM_F_ACK);
}

TEST(NftRules, ProbeBatchLeavesNothingBehind) {
  const base::NftBatch batch = encode_probe_batch(QueueEncoding::NativeQueue, "lvs_probe", 1);
  const auto msgs = decode(batch);
  ASSERT_EQ(msgs.size(), 6u);
  EXPECT_EQ(msgs[1].type, NFT_MSG_NEWTABLE);
  EXPECT_EQ(msgs[2].type, NFT_MSG_NEWCHAIN);
  EXPECT_EQ(msgs[3].type, NFT_MSG_NEWRULE);
  EXPECT_EQ(msgs[3].text, "ip lvs_probe probe\n  [ queue num 0 ]\n");
  EXPECT_EQ(msgs[4].type, NFT_MSG_DELTABLE);
  EXPECT_EQ(msgs[4].text, "lvs_probe");
  const auto xt = decode(encode_probe_batch(QueueEncoding::XtNfqueue, "lvs_probe", 1));
  EXPECT_EQ(xt[3].text, "ip lvs_probe probe\n  [ target name NFQUEUE rev 3 ]\n");
}

TEST(NftRules, EncodingNamesForTheStartupLog) {
  EXPECT_EQ(to_string(QueueEncoding::NativeQueue), "native nft queue expression");
  EXPECT_EQ(to_string(QueueEncoding::XtNfqueue), "xt NFQUEUE target via nft_compat");
}

}  // namespace
}  // namespace lvs::io
