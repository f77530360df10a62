// `lvsadm neigh show`: golden lines in `ip neigh show` layout, sorted by address, lladdr only
// when the daemon sent one.
#include <gtest/gtest.h>

#include "ctl/neigh_format.h"

namespace lvs::ctl {
namespace {

TEST(NeighFormat, IpNeighShowLayout) {
  std::vector<NeighbourSnapshot> n = {
      {*parse_ipv4("10.200.0.13"), "eth0", *parse_mac("02:00:00:00:00:0d"), "PERMANENT"},
      {*parse_ipv4("10.200.0.11"), "eth0", *parse_mac("8e:12:41:b4:45:32"), "REACHABLE"},
      {*parse_ipv4("10.200.0.9"), "eth0", std::nullopt, "INCOMPLETE"},
      {*parse_ipv4("10.200.0.14"), "eth0", std::nullopt, "FAILED"},
  };
  EXPECT_EQ(format_neigh_show(n),
            "10.200.0.9 dev eth0 INCOMPLETE\n"
            "10.200.0.11 dev eth0 lladdr 8e:12:41:b4:45:32 REACHABLE\n"
            "10.200.0.13 dev eth0 lladdr 02:00:00:00:00:0d PERMANENT\n"
            "10.200.0.14 dev eth0 FAILED\n");
  EXPECT_EQ(format_neigh_show({}), "");
}

}  // namespace
}  // namespace lvs::ctl
