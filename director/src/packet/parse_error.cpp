#include "packet/parse_error.h"

#include <array>

namespace lvs {
namespace {

using E = ParseError;

constexpr std::array<ParseError, kParseErrorCount> kAll = {
    E::Truncated,           E::NotIpv4,  E::BadHeaderLength, E::BadTotalLength,     E::BadChecksum,
    E::UnsupportedProtocol, E::Fragment, E::TruncatedL4,     E::BadTcpHeaderLength, E::BadUdpLength,
};

constexpr std::array<std::string_view, kParseErrorCount> kNames = {
    "truncated",        "not_ipv4",     "bad_header_length",
    "bad_total_length", "bad_checksum", "unsupported_protocol",
    "fragment",         "truncated_l4", "bad_tcp_header_length",
    "bad_udp_length",
};

constexpr std::array<std::string_view, kParseErrorCount> kDescriptions = {
    "packet shorter than a minimal IPv4 header (20 bytes)",
    "IP version is not 4",
    "IPv4 header length (IHL) below 5 words or beyond the captured bytes",
    "IPv4 total length below the header length or beyond the captured bytes "
    "(a short NFQUEUE copy range truncates packets)",
    "IPv4 header checksum does not match",
    "protocol is neither TCP nor UDP",
    "non-first IPv4 fragment (no transport header to schedule by)",
    "TCP or UDP header does not fit in the IP payload",
    "TCP data offset below 5 words",
    "UDP length below 8 or beyond the IP payload",
};

constexpr bool enum_order_matches() {
  for (std::size_t i = 0; i < kAll.size(); ++i) {
    if (static_cast<std::size_t>(kAll[i]) != i) return false;
  }
  return true;
}
static_assert(enum_order_matches(), "kAll must list ParseError in enum order");
static_assert(static_cast<std::size_t>(E::BadUdpLength) + 1 == kParseErrorCount,
              "kParseErrorCount must follow the last ParseError");

}  // namespace

std::string_view parse_error_name(ParseError error) {
  const auto i = static_cast<std::size_t>(error);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::string_view parse_error_description(ParseError error) {
  const auto i = static_cast<std::size_t>(error);
  return i < kDescriptions.size() ? kDescriptions[i] : "unknown parse error";
}

std::span<const ParseError> parse_errors() { return kAll; }

}  // namespace lvs
