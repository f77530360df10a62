// Facts about the host's interfaces as the adapters report them (io/vip_addresses.h), in a form
// the pure checks can judge. Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "config/net_address.h"

namespace lvs::agent {

struct LinkFacts {
  int ifindex = 0;
  std::string name;
  bool loopback = false;  // IFF_LOOPBACK
  bool noarp = false;     // IFF_NOARP (dummy devices): never answers ARP
  bool up = false;        // IFF_UP
  std::string kind;       // IFLA_INFO_KIND ("dummy", "veth", ...); empty for lo and physical NICs
};

struct AddressFacts {
  int ifindex = 0;
  std::string interface;
  Ipv4 address = 0;
  std::uint8_t prefix_len = 0;
  // The interface answers ARP (neither loopback nor NOARP): a VIP here is visible on the wire.
  bool arp_capable = false;
};

}  // namespace lvs::agent
