#include "config/neighbour_entry.h"

#include <algorithm>

namespace lvs::config {

std::string neighbour_ip_problem(Ipv4 ip, std::span<const Ipv4> vips) {
  const Ipv4 top = ip >> 24;
  if (top == 0 || top == 127 || (ip >> 28) >= 0xe) {
    return format_ipv4(ip) +
           " is not a unicast address (0.0.0.0/8, loopback, multicast, 240/4 and broadcast "
           "cannot be neighbours)";
  }
  if (std::find(vips.begin(), vips.end(), ip) != vips.end()) {
    return format_ipv4(ip) + " is a VIP of this director, not a neighbour";
  }
  return {};
}

std::string neighbour_mac_problem(const MacAddress& mac) {
  const bool all_zero = mac == MacAddress{};
  const bool group = (mac[0] & 0x01) != 0;  // the I/G bit: multicast and broadcast
  if (all_zero || group) {
    return format_mac(mac) + " is not a unicast MAC address (not all-zero, multicast or broadcast)";
  }
  return {};
}

std::string neighbour_entry_problem(Ipv4 ip, const MacAddress& mac, std::span<const Ipv4> vips) {
  if (auto problem = neighbour_ip_problem(ip, vips); !problem.empty()) return problem;
  return neighbour_mac_problem(mac);
}

}  // namespace lvs::config
