// libFuzzer harness: the ARP codec (packet/arp_frame.h) on any frame a host on the segment could
// send. A frame that parses must survive a round trip: built again and parsed, it is the same
// packet.
#include <cstddef>
#include <cstdint>
#include <span>

#include "packet/arp_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lvs::ArpParseResult r = lvs::parse_arp_frame(std::span<const std::uint8_t>(data, size));
  if (!r.ok()) {
    if (lvs::arp_parse_error_name(*r.error).empty()) __builtin_trap();
    return 0;
  }
  const lvs::ArpFrameBytes frame = lvs::build_arp_frame(r.packet);
  const lvs::ArpParseResult again = lvs::parse_arp_frame(frame);
  if (!again.ok()) __builtin_trap();
  const lvs::ArpPacket& a = r.packet;
  const lvs::ArpPacket& b = again.packet;
  if (a.eth_destination != b.eth_destination || a.eth_source != b.eth_source || a.op != b.op ||
      a.sender_mac != b.sender_mac || a.sender_ip != b.sender_ip || a.target_mac != b.target_mac ||
      a.target_ip != b.target_ip) {
    __builtin_trap();
  }
  return 0;
}
