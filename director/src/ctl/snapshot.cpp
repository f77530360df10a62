#include "ctl/snapshot.h"

#include <charconv>

namespace lvs::ctl {

std::string format_service_key(const ServiceKey& key) {
  switch (key.kind) {
    case ServiceKind::tcp:
      return "tcp/" + format_endpoint(key.vip);
    case ServiceKind::udp:
      return "udp/" + format_endpoint(key.vip);
    case ServiceKind::fwmark:
      return "fwm/" + std::to_string(key.fwmark);
  }
  return "?";
}

std::optional<ServiceKey> parse_service_key(std::string_view text) {
  ServiceKey key;
  if (text.starts_with("tcp/") || text.starts_with("udp/")) {
    key.kind = text.starts_with("tcp/") ? ServiceKind::tcp : ServiceKind::udp;
    auto ep = parse_endpoint(text.substr(4));
    if (!ep) return std::nullopt;
    key.vip = *ep;
    return key;
  }
  if (text.starts_with("fwm/")) {
    std::string_view digits = text.substr(4);
    std::uint32_t mark = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), mark);
    if (ec != std::errc() || end != digits.data() + digits.size() || mark == 0 ||
        digits.starts_with('+')) {
      return std::nullopt;
    }
    key.kind = ServiceKind::fwmark;
    key.fwmark = mark;
    return key;
  }
  return std::nullopt;
}

}  // namespace lvs::ctl
