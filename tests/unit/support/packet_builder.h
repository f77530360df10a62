// IPv4 packets for the tests that feed the packet path: TCP (flags as given, no options) or UDP
// (empty payload), addresses and ports in host order, optional link padding after the packet
// (what a minimum-size Ethernet frame carries). Checksums are left 0: the packet path does not
// verify them (the kernel did before queueing). Tests of the parser itself use byte-exact
// literals instead (packet_ipv4_parser_test.cpp), which document the wire layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "config/net_address.h"
#include "model/packet_info.h"

namespace lvs::test {

struct TcpFlags {
  bool syn = false, ack = false, fin = false, rst = false;
};

inline std::vector<std::uint8_t> ipv4_packet(std::uint8_t proto, Ipv4 saddr, std::uint16_t sport,
                                             Ipv4 daddr, std::uint16_t dport, TcpFlags flags = {},
                                             std::size_t padding = 0) {
  const std::size_t l4 = proto == kProtoTcp ? 20 : 8;
  const std::size_t total = 20 + l4;
  std::vector<std::uint8_t> p(total + padding, 0);
  p[0] = 0x45;
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[8] = 64;
  p[9] = proto;
  for (int i = 0; i < 4; ++i) {
    p[12 + i] = static_cast<std::uint8_t>(saddr >> (24 - 8 * i));
    p[16 + i] = static_cast<std::uint8_t>(daddr >> (24 - 8 * i));
  }
  p[20] = static_cast<std::uint8_t>(sport >> 8);
  p[21] = static_cast<std::uint8_t>(sport);
  p[22] = static_cast<std::uint8_t>(dport >> 8);
  p[23] = static_cast<std::uint8_t>(dport);
  if (proto == kProtoTcp) {
    p[32] = 0x50;  // data offset 5
    p[33] = static_cast<std::uint8_t>((flags.fin ? 0x01 : 0) | (flags.syn ? 0x02 : 0) |
                                      (flags.rst ? 0x04 : 0) | (flags.ack ? 0x10 : 0));
  } else {
    p[24] = 0;
    p[25] = 8;  // UDP length
  }
  return p;
}

}  // namespace lvs::test
