#include "config/service_key.h"

#include <charconv>

namespace lvs::config {

std::string ServiceKey::to_string() const {
  switch (protocol) {
    case ServiceProtocol::Tcp:
      return "tcp/" + format_endpoint(vip);
    case ServiceProtocol::Udp:
      return "udp/" + format_endpoint(vip);
    case ServiceProtocol::Fwmark:
      return "fwm/" + std::to_string(fwmark);
  }
  return {};
}

std::optional<ServiceKey> parse_service_key(std::string_view text) {
  ServiceKey key;
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto kind = text.substr(0, slash);
  auto rest = text.substr(slash + 1);
  if (kind == "tcp" || kind == "udp") {
    // The port is part of the key (a port-0 service is written ":0"), so it is not optional.
    auto vip = parse_endpoint(rest);
    if (!vip) return std::nullopt;
    key.protocol = kind == "tcp" ? ServiceProtocol::Tcp : ServiceProtocol::Udp;
    key.vip = *vip;
    return key;
  }
  if (kind == "fwm") {
    // Plain decimal 1..2^32-1 with no sign and no leading zeros, so that to_string() round-trips.
    if (rest.empty() || rest.size() > 10 || rest[0] == '0') return std::nullopt;
    std::uint64_t mark = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), mark);
    if (ec != std::errc() || end != rest.data() + rest.size() || mark > 0xffffffffu) {
      return std::nullopt;
    }
    key.protocol = ServiceProtocol::Fwmark;
    key.fwmark = static_cast<std::uint32_t>(mark);
    return key;
  }
  return std::nullopt;
}

}  // namespace lvs::config
