#include "balancer/balancer.h"

#include "conn/connection_limit.h"
#include "neigh/arp_observation.h"
#include "neigh/neigh_params.h"
#include "neigh/permanent_neighbours.h"

namespace lvs {

Balancer::Balancer(TimeMs now, NeighbourTable::RandomSource random)
    : dispatcher_(kConnectionCapacity, IpvsSysctls{}, now),
      neighbours_(NeighbourParams{}, std::move(random)),
      path_(services_, dispatcher_, neighbours_),
      rate_sampler_(now) {}

ApplyReport Balancer::apply(const config::DirectorConfig& config, Ipv4 interface_address,
                            TimeMs now, NeighbourEvents& events) {
  std::vector<std::string> commands = services_.apply(config);
  ApplyReport report = apply_settings(config, interface_address, now, events);
  report.commands = std::move(commands);
  dead_hosts_.services_changed();
  return report;
}

ApplyReport Balancer::apply_settings(const config::DirectorConfig& config, Ipv4 interface_address,
                                     TimeMs now, NeighbourEvents& events) {
  ApplyReport report;
  dispatcher_.set_timeouts(config.director.timeouts);
  dispatcher_.set_connection_limit(
      effective_connection_limit(config.director.connection_limit, memory_total_));
  neighbours_.set_params(neighbour_params(config.director.neighbour));
  neighbours_.replace_permanent(permanent_neighbours(config, report.warnings), now, events);
  // ARP answers for the interface's address and for the VIPs: requests for them create entries.
  our_addresses_.clear();
  if (interface_address != 0) our_addresses_.push_back(interface_address);
  for (const auto& svc : config.services) {
    if (svc.key.protocol != config::ServiceProtocol::Fwmark) {
      our_addresses_.push_back(svc.key.vip.addr);
    }
  }
  // The addresses the director forwards to: only they get neighbour entries from ARP, and
  // garbage collection never takes theirs (neigh/neighbour_table.h, "Hardening").
  std::vector<Ipv4> wanted;
  for (const auto& svc : config.services) {
    for (const auto& rs : svc.real_servers) wanted.push_back(rs.address.addr);
  }
  neighbours_.set_wanted(wanted);
  return report;
}

ArpVerdict Balancer::receive_arp(const ArpPacket& packet, const MacAddress& our_mac, TimeMs now,
                                 NeighbourEvents& events) {
  return neighbours_.receive_arp(arp_observation(packet, our_mac, our_addresses_), now, events);
}

void Balancer::run_neighbour_timers(TimeMs now, NeighbourEvents& events) {
  neighbours_.run_timers(now, events);
}

void Balancer::tick(TimeMs now, NeighbourEvents& events) {
  dispatcher_.expire(now);
  services_.expire(now);
  rate_sampler_.sample(services_, now);
  dead_hosts_.resolve_dead(neighbours_, now, events);
}

}  // namespace lvs
