#include "config/net_address.h"

#include <charconv>
#include <cstdio>

namespace lvs {
namespace {

// Parses a decimal number in [0, max] occupying the whole of `text`.
std::optional<std::uint32_t> parse_decimal(std::string_view text, std::uint32_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Ipv4> parse_ipv4(std::string_view text) {
  Ipv4 addr = 0;
  for (int part = 0; part < 4; ++part) {
    auto dot = text.find('.');
    if ((part < 3) != (dot != std::string_view::npos)) return std::nullopt;
    auto piece = text.substr(0, dot);
    auto value = parse_decimal(piece, 255);
    if (!value) return std::nullopt;
    addr = (addr << 8) | *value;
    text = part < 3 ? text.substr(dot + 1) : std::string_view{};
  }
  return addr;
}

std::string format_ipv4(Ipv4 addr) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
                addr & 0xff);
  return buf;
}

std::optional<Endpoint> parse_endpoint(std::string_view text, bool port_optional) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    if (!port_optional) return std::nullopt;
    auto addr = parse_ipv4(text);
    if (!addr) return std::nullopt;
    return Endpoint{*addr, 0};
  }
  auto addr = parse_ipv4(text.substr(0, colon));
  auto port = parse_decimal(text.substr(colon + 1), 65535);
  if (!addr || !port) return std::nullopt;
  return Endpoint{*addr, static_cast<std::uint16_t>(*port)};
}

std::string format_endpoint(const Endpoint& ep) {
  return format_ipv4(ep.addr) + ":" + std::to_string(ep.port);
}

std::optional<MacAddress> parse_mac(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  MacAddress mac{};
  for (int i = 0; i < 6; ++i) {
    int hi = hex_digit(text[i * 3]);
    int lo = hex_digit(text[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i < 5 && text[i * 3 + 2] != ':') return std::nullopt;
    mac[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return mac;
}

std::string format_mac(const MacAddress& mac) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5]);
  return buf;
}

bool is_contiguous_netmask(Ipv4 mask) {
  // ~mask + 1 is a power of two (or 0 for 255.255.255.255 wrapping to... handled) iff the ones
  // are contiguous from the top.
  std::uint32_t inverted = ~mask;
  return (inverted & (inverted + 1)) == 0;
}

}  // namespace lvs
