// Builds the frame the director sends to a real server under direct routing: Ethernet II with
// dst = the real server's MAC, src = the director's own MAC (so the switch keeps learning the
// client's MAC on the client's port, not the director's), ethertype IPv4, then the IP packet
// byte for byte — DR never alters the IP packet. No allocation: the caller owns the buffer (a
// sendmmsg slot or a TX ring frame). A sender that gathers with iovecs can skip the copy of the
// IP packet and send ethernet_header() followed by the queued bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "config/net_address.h"  // MacAddress

namespace lvs {

inline constexpr std::size_t kEthernetHeaderLength = 14;
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;  // ETH_P_IP

using EthernetHeader = std::array<std::uint8_t, kEthernetHeaderLength>;

enum class FrameError : std::uint8_t {
  BufferTooSmall,  // the buffer cannot hold 14 header bytes plus the IP packet
};

std::string_view frame_error_name(FrameError error);  // "buffer_too_small"

struct FrameResult {
  std::size_t length = 0;           // bytes written to the buffer (header + IP packet)
  std::optional<FrameError> error;  // set when nothing was written
  bool ok() const { return !error.has_value(); }
};

// dst MAC, src MAC, ethertype 0x0800 (big-endian).
EthernetHeader ethernet_header(const MacAddress& destination, const MacAddress& source);

// Writes header + `ip_packet` to the front of `buffer`. On BufferTooSmall the buffer is untouched.
// `ip_packet` must not overlap `buffer`.
FrameResult build_ethernet_frame(const MacAddress& destination, const MacAddress& source,
                                 std::span<const std::uint8_t> ip_packet,
                                 std::span<std::uint8_t> buffer);

}  // namespace lvs
