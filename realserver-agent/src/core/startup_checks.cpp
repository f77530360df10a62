#include "core/startup_checks.h"

#include <algorithm>
#include <charconv>

namespace lvs::agent {

std::vector<MisplacedVip> find_misplaced_vips(const DesiredState& desired,
                                              const std::vector<AddressFacts>& addresses) {
  std::vector<MisplacedVip> out;
  for (const auto& a : addresses) {
    if (!a.arp_capable || a.interface == desired.vip_device) continue;
    if (std::find(desired.vips.begin(), desired.vips.end(), a.address) != desired.vips.end()) {
      out.push_back({a.address, a.interface});
    }
  }
  return out;
}

std::optional<std::string> refuse_misplaced_vips(const std::vector<MisplacedVip>& misplaced) {
  if (misplaced.empty()) return std::nullopt;
  const auto& m = misplaced.front();
  std::string text = "VIP " + format_ipv4(m.vip) + " is configured on " + m.interface +
                     ", a non-loopback interface: this server would answer ARP for it and take "
                     "the director's traffic; remove it (ip addr del " +
                     format_ipv4(m.vip) + "/32 dev " + m.interface +
                     ") and let the agent hold it on the VIP device";
  if (misplaced.size() > 1) {
    text += " (and " + std::to_string(misplaced.size() - 1) + " more such address(es))";
  }
  return text;
}

std::optional<std::string> refuse_vip_device(const DesiredState& desired, const LinkFacts* link) {
  if (link == nullptr || link->loopback || link->kind == "dummy") return std::nullopt;
  return "vip-device " + desired.vip_device + " is " +
         (link->kind.empty() ? std::string("a network interface") : "a " + link->kind + " device") +
         ", not loopback or dummy: a VIP there would answer ARP; use `vip-device: lo` or the name "
         "of a dummy device (the agent creates it if it does not exist)";
}

std::optional<std::string> refuse_missing_interfaces(const DesiredState& desired,
                                                     const std::vector<LinkFacts>& links) {
  for (const auto& s : desired.sysctls) {
    if (s.interface == "all") continue;
    const bool found = std::any_of(links.begin(), links.end(),
                                   [&](const LinkFacts& l) { return l.name == s.interface; });
    if (!found) {
      return "interfaces: " + s.interface +
             " does not exist in this network namespace; list the interfaces that face the "
             "director's segment (ip link)";
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_effective_capabilities(std::string_view proc_status) {
  constexpr std::string_view key = "CapEff:";
  auto pos = proc_status.find(key);
  if (pos == std::string_view::npos) return std::nullopt;
  if (pos != 0 && proc_status[pos - 1] != '\n') return std::nullopt;
  auto rest = proc_status.substr(pos + key.size());
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  std::uint64_t caps = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), caps, 16);
  if (ec != std::errc{} || p == rest.data()) return std::nullopt;
  if (p != rest.data() + rest.size() && *p != '\n') return std::nullopt;
  return caps;
}

std::optional<std::string> refuse_without_net_admin(std::optional<std::uint64_t> cap_eff) {
  constexpr std::uint64_t kCapNetAdmin = 1ull << 12;
  if (cap_eff && (*cap_eff & kCapNetAdmin) != 0) return std::nullopt;
  return std::string(
      "lacks CAP_NET_ADMIN (needed to add the VIP, install the nftables table and write "
      "net.ipv4.conf.* sysctls): run it as root or grant the capability "
      "(AmbientCapabilities=CAP_NET_ADMIN in the systemd unit)");
}

}  // namespace lvs::agent
