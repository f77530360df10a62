// Neighbour entries nobody may install as PERMANENT (issue 12, finding 9): one table for every
// path that creates one — the config's `mac:` (config_neighbour_entry_test.cpp), lvsadm's
// `neigh add` (ctl_lvsadm_args_test.cpp) and the director's NEIGH-ADD
// (ctl_control_dispatch_test.cpp) — so that all of them refuse the same inputs.
#pragma once

#include <string>
#include <vector>

namespace lvs::test {

// The VIP of the service the tests configure (the address `neigh add` must refuse).
inline constexpr const char* kBadNeighbourVip = "10.200.0.100";

struct BadNeighbour {
  const char* ip;
  const char* mac;
  bool is_vip;  // refused only where the VIPs are known (not by lvsadm alone)
};

inline std::vector<BadNeighbour> bad_neighbours() {
  return {
      {"0.0.0.0", "02:00:00:00:00:0b", false},          // "this network"
      {"0.1.2.3", "02:00:00:00:00:0b", false},          // 0.0.0.0/8
      {"255.255.255.255", "02:00:00:00:00:0b", false},  // limited broadcast
      {"240.0.0.1", "02:00:00:00:00:0b", false},        // reserved 240/4
      {"224.0.0.1", "02:00:00:00:00:0b", false},        // multicast
      {"239.255.255.250", "02:00:00:00:00:0b", false},  // multicast
      {"127.0.0.1", "02:00:00:00:00:0b", false},        // loopback
      {"127.255.0.1", "02:00:00:00:00:0b", false},      // loopback
      {kBadNeighbourVip, "02:00:00:00:00:0b", true},    // the VIP itself
      {"10.200.0.11", "ff:ff:ff:ff:ff:ff", false},      // broadcast MAC
      {"10.200.0.11", "00:00:00:00:00:00", false},      // all-zero MAC
      {"10.200.0.11", "01:00:5e:00:00:01", false},      // IPv4 multicast MAC
      {"10.200.0.11", "33:33:00:00:00:01", false},      // IPv6 multicast MAC
      {"10.200.0.11", "03:00:00:00:00:0b", false},      // group bit set
  };
}

}  // namespace lvs::test
