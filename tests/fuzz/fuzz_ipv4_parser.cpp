// libFuzzer harness: the IPv4/L4 parser (packet/ipv4_parser.h) on whatever NFQUEUE could hand
// the director. It must be total: every input yields a packet or one ParseError, and a parsed
// packet never claims bytes it was not given.
#include <cstddef>
#include <cstdint>
#include <span>

#include "packet/ipv4_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (bool verify : {false, true}) {
    const lvs::ParseResult r = lvs::parse_ipv4_packet(bytes, {.verify_header_checksum = verify});
    if (!r.ok()) continue;
    const lvs::ParsedPacket& p = r.packet;
    // The data path forwards bytes.first(ip_total_length) and reads ports at l4_offset.
    if (p.ip_total_length > size || p.l4_offset < lvs::kIpv4MinHeaderLength ||
        p.l4_offset > p.ip_total_length) {
      __builtin_trap();
    }
  }
  return 0;
}
