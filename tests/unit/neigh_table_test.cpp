#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "neigh/neighbour_table.h"
#include "neigh/permanent_neighbours.h"
#include "support/config_yaml.h"
#include "support/neigh_harness.h"

namespace lvs {
namespace {

using test::kMac1;
using test::kMac2;
using test::kRs1;
using test::kRs2;

TEST(NeighbourTable, LookupOfUnknownIpIsNoneAndCounted) {
  test::NeighHarness h;
  NeighbourTable& t = h.table;
  EXPECT_EQ(t.lookup(kRs1), nullptr);
  EXPECT_EQ(t.stats().lookups, 1u);
  EXPECT_EQ(t.stats().hits, 0u);
}

TEST(NeighbourTable, PermanentEntryIsFound) {
  test::NeighHarness h;
  NeighbourTable& t = h.table;
  h.permanent(kRs1, kMac1);
  const MacAddress* mac = t.lookup(kRs1);
  ASSERT_NE(mac, nullptr);
  EXPECT_EQ(*mac, kMac1);
  EXPECT_EQ(t.find(kRs1)->state, NudState::Permanent);
  EXPECT_EQ(t.lookup(kRs2), nullptr);
  EXPECT_EQ(t.stats().hits, 1u);
  EXPECT_EQ(t.stats().allocs, 1u);
}

TEST(NeighbourTable, ReplacingTheMacCountsAnLladdrChange) {
  test::NeighHarness h;
  NeighbourTable& t = h.table;
  h.permanent(kRs1, kMac1);
  h.permanent(kRs1, kMac2);
  EXPECT_EQ(*t.lookup(kRs1), kMac2);
  EXPECT_EQ(t.stats().lladdr_changes, 1u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(NeighbourTable, RemoveDeletesTheEntry) {
  test::NeighHarness h;
  NeighbourTable& t = h.table;
  h.permanent(kRs1, kMac1);
  EXPECT_TRUE(t.remove(kRs1));
  EXPECT_FALSE(t.remove(kRs1));
  EXPECT_EQ(t.lookup(kRs1), nullptr);
  EXPECT_EQ(t.stats().destroys, 1u);
}

TEST(NeighbourTable, ReplacePermanentAddsUpdatesAndRemoves) {
  test::NeighHarness h;
  NeighbourTable& t = h.table;
  h.permanent(kRs1, kMac1);
  h.permanent(kRs2, kMac2);
  // rs1 changes MAC, rs2 is no longer configured, 10.200.0.13 is new.
  const Ipv4 rs3 = 0x0ac8000d;
  EXPECT_EQ(t.replace_permanent({{kRs1, kMac2}, {rs3, kMac1}}, h.now, h.events), 3u);
  EXPECT_EQ(*t.lookup(kRs1), kMac2);
  EXPECT_EQ(t.lookup(kRs2), nullptr);
  EXPECT_EQ(*t.lookup(rs3), kMac1);
  // The same set again changes nothing.
  EXPECT_EQ(t.replace_permanent({{kRs1, kMac2}, {rs3, kMac1}}, h.now, h.events), 0u);
  const auto entries = t.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].first, kRs1);  // sorted by IP
  EXPECT_EQ(entries[1].first, rs3);
}

TEST(NudState, NamesAndValidityFollowLinux) {
  EXPECT_EQ(nud_state_name(NudState::Permanent), "PERMANENT");
  EXPECT_EQ(nud_state_name(NudState::Reachable), "REACHABLE");
  EXPECT_EQ(static_cast<int>(NudState::Permanent), 0x80);  // NUD_PERMANENT
  EXPECT_TRUE(nud_valid(NudState::Stale));
  EXPECT_FALSE(nud_valid(NudState::Incomplete));
  EXPECT_FALSE(nud_valid(NudState::Failed));
}

TEST(PermanentNeighbours, FromConfigOncePerIpAndConflictsWarned) {
  const auto cfg = test::director_config(R"(
director: {vip-mode: external}
services:
  - tcp-service: 10.200.0.100:80
    real-servers:
      - {real-server: 10.200.0.11:80, mac: "02:00:00:00:00:0b"}
      - {real-server: 10.200.0.12:80}
  - udp-service: 10.200.0.100:53
    real-servers:
      - {real-server: 10.200.0.11:53, mac: "02:00:00:00:00:0b"}
      - {real-server: 10.200.0.13:53, mac: "02:00:00:00:00:0d"}
      - {real-server: 10.200.0.12:53, mac: "02:00:00:00:00:0c"}
  - udp-service: 10.200.0.100:54
    real-servers:
      - {real-server: 10.200.0.13:54, mac: "02:00:00:00:00:ee"}
)");
  std::vector<std::string> warnings;
  const auto wanted = permanent_neighbours(cfg, warnings);
  ASSERT_EQ(wanted.size(), 3u);
  EXPECT_EQ(wanted[0].ip, kRs1);
  EXPECT_EQ(wanted[0].lladdr, kMac1);
  EXPECT_EQ(wanted[1].ip, 0x0ac8000du);
  EXPECT_EQ(wanted[2].ip, kRs2);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("10.200.0.13"), std::string::npos);
  EXPECT_NE(warnings[0].find("02:00:00:00:00:ee"), std::string::npos);
}

}  // namespace
}  // namespace lvs
