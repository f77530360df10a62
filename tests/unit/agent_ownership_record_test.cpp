// The record of what the agent changed (kept as its nftables table's comment), which
// `lvs-agent --cleanup` undoes.
#include <gtest/gtest.h>

#include "core/ownership_record.h"

namespace lvs::agent {
namespace {

constexpr Ipv4 kVip = 0x0ac80064;  // 10.200.0.100

TEST(AgentOwnershipRecord, EmptyRecordText) {
  EXPECT_EQ(encode_ownership_record({}), "lvs-agent v1 vips=- sysctls=- device=-");
}

TEST(AgentOwnershipRecord, RoundTrip) {
  OwnershipRecord r;
  r.note_vip_added(kVip);
  r.note_sysctl_changed({"all", "arp_ignore", 1}, 0);
  r.note_sysctl_changed({"eth0.100", "arp_announce", 2}, 1);
  r.device_created = true;
  const auto text = encode_ownership_record(r);
  EXPECT_EQ(text,
            "lvs-agent v1 vips=10.200.0.100 sysctls=all.arp_ignore:0,eth0.100.arp_announce:1 "
            "device=created");
  auto back = decode_ownership_record(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, r);
}

TEST(AgentOwnershipRecord, FirstOriginalWinsAndVipsAreNotRepeated) {
  OwnershipRecord r;
  r.note_sysctl_changed({"all", "arp_ignore", 1}, 0);
  r.note_sysctl_changed({"all", "arp_ignore", 1}, 5);
  r.note_vip_added(kVip);
  r.note_vip_added(kVip);
  ASSERT_EQ(r.sysctls_before.size(), 1u);
  EXPECT_EQ(r.sysctls_before[0].value, 0u);
  EXPECT_EQ(r.vips_added.size(), 1u);
}

TEST(AgentOwnershipRecord, TooLongDropsSysctlOriginalsFirst) {
  OwnershipRecord r;
  r.note_vip_added(kVip);
  for (int i = 0; i < 20; ++i) {
    r.note_sysctl_changed({"interface" + std::to_string(i), "arp_announce", 2}, 0);
  }
  const auto text = encode_ownership_record(r);
  EXPECT_LE(text.size(), kMaxOwnershipRecordLength);
  auto back = decode_ownership_record(text);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->sysctls_complete);
  EXPECT_TRUE(back->sysctls_before.empty());
  EXPECT_EQ(back->vips_added, std::vector<Ipv4>{kVip});
}

TEST(AgentOwnershipRecord, ManyVipsAreCutToFit) {
  OwnershipRecord r;
  for (Ipv4 v = 0; v < 40; ++v) r.note_vip_added(0x0ac80100 + v);
  const auto text = encode_ownership_record(r);
  EXPECT_LE(text.size(), kMaxOwnershipRecordLength);
  auto back = decode_ownership_record(text);
  ASSERT_TRUE(back);
  EXPECT_LT(back->vips_added.size(), 40u);
  EXPECT_GT(back->vips_added.size(), 5u);
}

TEST(AgentOwnershipRecord, ForeignOrBrokenCommentsAreNotRecords) {
  EXPECT_FALSE(decode_ownership_record(""));
  EXPECT_FALSE(decode_ownership_record("managed by someone else"));
  EXPECT_FALSE(decode_ownership_record("lvs-agent v1 vips=10.200.0.300 sysctls=- device=-"));
  EXPECT_FALSE(decode_ownership_record("lvs-agent v1 vips=- sysctls=all.arp_ignore:x device=-"));
  EXPECT_FALSE(decode_ownership_record("lvs-agent v1 vips=- sysctls=-"));
  EXPECT_FALSE(decode_ownership_record("lvs-agent v1 vips=- sysctls=- device=- extra=1"));
}

}  // namespace
}  // namespace lvs::agent
