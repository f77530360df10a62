// Why the director refused a queued packet. The data path counts each reason separately
// (lvs_forward_errors_total{reason="..."}) and drops the packet; the names are part of the
// metrics interface, so they are stable: add reasons at the end, never rename one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lvs {

enum class ParseError : std::uint8_t {
  Truncated,            // fewer than 20 bytes: not even a minimal IPv4 header
  NotIpv4,              // version field is not 4
  BadHeaderLength,      // IHL < 5, or IHL*4 bytes were not captured
  BadTotalLength,       // total length < IHL*4, or more than the captured bytes (check the
                        // queue's copy range if this counts up on well-formed traffic)
  BadChecksum,          // IPv4 header checksum wrong (only when ParseOptions asks to verify)
  UnsupportedProtocol,  // neither TCP nor UDP
  Fragment,             // a non-first fragment: no L4 header, so nothing to schedule by
  TruncatedL4,          // the TCP (20 bytes + options) or UDP (8 bytes) header does not fit
  BadTcpHeaderLength,   // TCP data offset < 5
  BadUdpLength,         // UDP length < 8, or longer than the IP payload of an unfragmented packet
};

inline constexpr std::size_t kParseErrorCount = 10;

// The snake_case label value for lvs_forward_errors_total{reason}: "truncated", "not_ipv4", ...
std::string_view parse_error_name(ParseError error);

// A sentence for logs and lvsadm: what was wrong with the packet.
std::string_view parse_error_description(ParseError error);

// Every reason in enum order, so the metrics layer can create each series at 0 up front.
std::span<const ParseError> parse_errors();

}  // namespace lvs
