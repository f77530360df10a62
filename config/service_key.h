// A virtual service's identity, everywhere it is named: the config, the live table, lvsadm's
// snapshots and arguments, metrics labels, simulator events and log lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/net_address.h"

namespace lvs::config {

// How a virtual service is matched: by protocol + VIP:port, or by firewall mark (ipvsadm -f).
enum class ServiceProtocol : std::uint8_t { Tcp, Udp, Fwmark };

struct ServiceKey {
  ServiceProtocol protocol = ServiceProtocol::Tcp;
  Endpoint vip;              // tcp/udp services: VIP and port (host order)
  std::uint32_t fwmark = 0;  // fwmark services: the mark (1..2^32-1)

  // "tcp/10.200.0.100:80", "udp/10.200.0.100:53", "fwm/1": the form used in metrics labels,
  // simulator events and log lines.
  std::string to_string() const;
  // The same service: protocol and VIP:port, or the mark (a fwmark key's vip is not compared).
  friend bool operator==(const ServiceKey& a, const ServiceKey& b) {
    if (a.protocol != b.protocol) return false;
    return a.protocol == ServiceProtocol::Fwmark ? a.fwmark == b.fwmark : a.vip == b.vip;
  }
};

// Parses the to_string() form back; nullopt if malformed.
std::optional<ServiceKey> parse_service_key(std::string_view text);

}  // namespace lvs::config
