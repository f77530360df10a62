// IPv4 addresses, endpoints and MAC addresses as the config model and the director's core use
// them: addresses in host byte order (as the kernel's schedulers hash them after ntohl()).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lvs {

using Ipv4 = std::uint32_t;  // host byte order: 10.200.0.11 == 0x0ac8000b

struct Endpoint {
  Ipv4 addr = 0;
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

using MacAddress = std::array<std::uint8_t, 6>;

// Strict dotted quad: four decimal parts 0..255, no leading '+', no spaces, no leading zeros
// beyond a single "0" (so "010.1.1.1" is rejected rather than read as octal the way inet_aton
// does).
std::optional<Ipv4> parse_ipv4(std::string_view text);
std::string format_ipv4(Ipv4 addr);

// "A.B.C.D:PORT" with PORT 0..65535; `port_optional` also accepts a bare "A.B.C.D" (port 0).
std::optional<Endpoint> parse_endpoint(std::string_view text, bool port_optional = false);
std::string format_endpoint(const Endpoint& ep);

// "02:00:00:00:00:0b" (six hex pairs separated by ':'; case-insensitive).
std::optional<MacAddress> parse_mac(std::string_view text);
std::string format_mac(const MacAddress& mac);

// A netmask must be contiguous ones from the top (255.255.255.0, not 255.0.255.0).
bool is_contiguous_netmask(Ipv4 mask);

}  // namespace lvs
