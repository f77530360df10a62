#include "packet/ethernet_frame.h"

#include <cstring>

#include "packet/byte_order.h"

namespace lvs {

std::string_view frame_error_name(FrameError error) {
  switch (error) {
    case FrameError::BufferTooSmall:
      return "buffer_too_small";
  }
  return "unknown";
}

EthernetHeader ethernet_header(const MacAddress& destination, const MacAddress& source) {
  EthernetHeader header{};
  std::memcpy(header.data(), destination.data(), destination.size());
  std::memcpy(header.data() + destination.size(), source.data(), source.size());
  store_be16(header.data() + 12, kEtherTypeIpv4);
  return header;
}

FrameResult build_ethernet_frame(const MacAddress& destination, const MacAddress& source,
                                 std::span<const std::uint8_t> ip_packet,
                                 std::span<std::uint8_t> buffer) {
  FrameResult result;
  // Compared as "buffer minus header" so a huge ip_packet size cannot overflow the sum.
  if (buffer.size() < kEthernetHeaderLength ||
      ip_packet.size() > buffer.size() - kEthernetHeaderLength) {
    result.error = FrameError::BufferTooSmall;
    return result;
  }
  const EthernetHeader header = ethernet_header(destination, source);
  std::memcpy(buffer.data(), header.data(), header.size());
  // memcpy with a null source is undefined even for 0 bytes; an empty span may have one.
  if (!ip_packet.empty()) {
    std::memcpy(buffer.data() + kEthernetHeaderLength, ip_packet.data(), ip_packet.size());
  }
  result.length = kEthernetHeaderLength + ip_packet.size();
  return result;
}

}  // namespace lvs
