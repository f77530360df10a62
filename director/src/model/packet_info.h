// The parts of a packet the connection table and the schedulers look at, and the IP protocol
// numbers they carry (the pure core does not include <netinet/in.h>: system headers stay in the
// adapters).
#pragma once

#include <cstdint>

#include "config/net_address.h"

namespace lvs {

inline constexpr std::uint8_t kProtoIp = 0;  // IPPROTO_IP: fwmark persistence templates
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;

// Host byte order.
struct PacketInfo {
  std::uint8_t protocol = kProtoTcp;
  Ipv4 saddr = 0;
  std::uint16_t sport = 0;
  Ipv4 daddr = 0;
  std::uint16_t dport = 0;
};

}  // namespace lvs
