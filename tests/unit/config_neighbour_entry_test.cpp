// What may be a neighbour entry (config/neighbour_entry.h), and the config's PERMANENT entries
// (a real server's `mac:`) refusing exactly the table `lvsadm neigh add` refuses
// (support/bad_neighbours.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.h"
#include "config/neighbour_entry.h"
#include "support/bad_neighbours.h"
#include "support/config_yaml.h"

namespace lvs::config {
namespace {

using ::testing::HasSubstr;

Ipv4 ip(const char* text) { return *parse_ipv4(text); }
MacAddress mac(const char* text) { return *parse_mac(text); }

TEST(NeighbourEntry, AUnicastServerIsFine) {
  const std::vector<Ipv4> vips{ip(test::kBadNeighbourVip)};
  EXPECT_EQ(neighbour_entry_problem(ip("10.200.0.11"), mac("02:00:00:00:00:0b"), vips), "");
  EXPECT_EQ(neighbour_entry_problem(ip("1.0.0.0"), mac("fe:ff:ff:ff:ff:ff"), vips), "");
  EXPECT_EQ(neighbour_entry_problem(ip("223.255.255.254"), mac("00:00:00:00:00:01"), vips), "");
  EXPECT_EQ(neighbour_entry_problem(ip("126.255.255.255"), mac("02:00:00:00:00:0b"), vips), "");
  EXPECT_EQ(neighbour_entry_problem(ip("128.0.0.0"), mac("02:00:00:00:00:0b"), vips), "");
}

TEST(NeighbourEntry, EveryBadEntryIsRefusedWithAOneLineReason) {
  const std::vector<Ipv4> vips{ip(test::kBadNeighbourVip)};
  for (const auto& bad : test::bad_neighbours()) {
    const std::string problem = neighbour_entry_problem(ip(bad.ip), mac(bad.mac), vips);
    EXPECT_NE(problem, "") << bad.ip << " " << bad.mac;
    EXPECT_EQ(problem.find('\n'), std::string::npos) << problem;
    if (!bad.is_vip) {
      EXPECT_NE(neighbour_entry_problem(ip(bad.ip), mac(bad.mac), {}), "") << bad.ip;
    }
  }
  EXPECT_EQ(neighbour_entry_problem(ip("127.0.0.1"), mac("02:00:00:00:00:0b"), vips),
            "127.0.0.1 is not a unicast address (0.0.0.0/8, loopback, multicast, 240/4 and "
            "broadcast cannot be neighbours)");
  EXPECT_EQ(neighbour_entry_problem(ip("10.200.0.100"), mac("02:00:00:00:00:0b"), vips),
            "10.200.0.100 is a VIP of this director, not a neighbour");
  EXPECT_EQ(neighbour_entry_problem(ip("10.200.0.11"), mac("ff:ff:ff:ff:ff:ff"), vips),
            "ff:ff:ff:ff:ff:ff is not a unicast MAC address (not all-zero, multicast or "
            "broadcast)");
}

std::string real_server_with_mac(const test::BadNeighbour& bad) {
  return std::string("services:\n  - tcp-service: ") + test::kBadNeighbourVip +
         ":80\n    real-servers:\n      - real-server: " + bad.ip + "\n        mac: \"" + bad.mac +
         "\"\n";
}

// Finding 9 of issue 12, the config's side: every entry of the table is refused as a real
// server's PERMANENT neighbour (on main, 127.0.0.1 and the VIP were accepted).
TEST(NeighbourEntry, TheConfigRefusesEveryBadPermanentNeighbour) {
  for (const auto& bad : test::bad_neighbours()) {
    const auto errors =
        test::load_errors(load_director_config_string(real_server_with_mac(bad), "t.yaml"));
    EXPECT_EQ(errors.size(), 1u) << bad.ip << " " << bad.mac;
  }
  const test::BadNeighbour vip{test::kBadNeighbourVip, "02:00:00:00:00:0b", true};
  EXPECT_THAT(
      test::load_errors(load_director_config_string(real_server_with_mac(vip), "t.yaml")),
      ::testing::ElementsAre(
          "t.yaml:5:14: services[0].real-servers[0].mac: cannot be a PERMANENT neighbour entry: "
          "10.200.0.100 is a VIP of this director, not a neighbour"));
  // The same server without `mac:` is no neighbour entry of the config's.
  const auto ok = load_director_config_string(
      "services:\n  - tcp-service: 10.200.0.100:80\n    real-servers:\n"
      "      - real-server: 10.200.0.11\n        mac: 02:00:00:00:00:0b\n",
      "t.yaml");
  EXPECT_TRUE(std::holds_alternative<DirectorConfig>(ok));
}

}  // namespace
}  // namespace lvs::config
