// The director's pure core as one object: everything the daemon owns besides its adapters.
//
//   ServiceTable    the virtual services and their real servers, as ipvsadm builds them
//   Dispatcher      the connection table and the schedulers behind it
//   NeighbourTable  the ARP resolver's NUD state machine
//   PacketPath      the per-packet decision over the three
//   RateSampler     the rate estimator's 2 s timer
//   DeadHostPolicy  the neighbour table's dead hosts onto the services
//
// No sockets, no clock, no logging: `now` comes in with every call, and every call that can ask
// for ARP traffic or release queued packets appends NeighbourEvents, which the daemon carries out
// (daemon/neighbour_actions.h) and then calls apply_dead_hosts(). The daemon is this object plus
// the kernel adapters (daemon/director.h); tests drive it whole, with no kernel.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "balancer/dead_host_policy.h"
#include "balancer/packet_path.h"
#include "config/model.h"
#include "conn/dispatcher.h"
#include "neigh/neighbour_table.h"
#include "packet/arp_frame.h"
#include "service/rate_sampler.h"
#include "service/service_table.h"

namespace lvs {

// What apply() did, for the log.
struct ApplyReport {
  std::vector<std::string> commands;  // ipvsadm-equivalent commands ("-A -t ... -s wlc"), in order
  std::vector<std::string> warnings;  // e.g. one IP given two different `mac:`
};

class Balancer {
 public:
  // Connections the table is sized for at start (Dispatcher's expected_connections).
  static constexpr std::size_t kConnectionCapacity = 65536;

  explicit Balancer(TimeMs now, NeighbourTable::RandomSource random = {});
  Balancer(const Balancer&) = delete;
  Balancer& operator=(const Balancer&) = delete;

  // The machine's memory (MemTotal), from which the default connection limit is derived
  // (conn/connection_limit.h); 0 (unknown): the floor. Set before apply().
  void set_memory_total(std::uint64_t bytes) { memory_total_ = bytes; }
  // The outgoing link's MTU, from the kernel (PacketPath::set_link_mtu()).
  void set_link_mtu(std::uint32_t mtu) { path_.set_link_mtu(mtu); }
  std::uint32_t link_mtu() const { return path_.link_mtu(); }

  // Makes the core what `config` says: at start, and at a reload already accepted by
  // reload_refusals() (balancer/config_checks.h). Services as ipvsadm would load or change them
  // (unchanged ones keep their connections and scheduler state), timeouts, neighbour parameters,
  // the connection limit (`connection-limit`, or the memory-derived default; lowering it removes
  // nothing), the PERMANENT neighbours from `mac:`, and the addresses that are ours for ARP
  // (`interface_address` and every VIP).
  ApplyReport apply(const config::DirectorConfig& config, Ipv4 interface_address, TimeMs now,
                    NeighbourEvents& events);

  // The same in steps, for a reload prepared off the packet thread (daemon/reload.h):
  // apply_settings() (everything but the services: timeouts, neighbour parameters, PERMANENT
  // entries, our ARP addresses), then apply_service_change() for each change of
  // diff_services(running, config) in order, as many per event-loop turn as the time budget
  // allows, then services_applied(). Packets decided between two steps see a table on its way,
  // as with an ipvsadm -R script.
  ApplyReport apply_settings(const config::DirectorConfig& config, Ipv4 interface_address,
                             TimeMs now, NeighbourEvents& events);
  std::string apply_service_change(const ServiceChange& change,
                                   const config::DirectorConfig& config) {
    return services_.apply_change(change, config);
  }
  void services_applied() { dead_hosts_.services_changed(); }

  // One queued packet (balancer/packet_path.h).
  PacketDecision decide(std::span<const std::uint8_t> bytes, std::uint32_t mark, TimeMs now,
                        NeighbourEvents& events) {
    return path_.decide(bytes, mark, now, events);
  }

  // One received ARP packet, judged against our own MAC and addresses.
  ArpVerdict receive_arp(const ArpPacket& packet, const MacAddress& our_mac, TimeMs now,
                         NeighbourEvents& events);
  // The neighbour table's timers (solicitations, NUD moves, garbage collection) due at `now`.
  void run_neighbour_timers(TimeMs now, NeighbourEvents& events);

  // The periodic work (every tick): connection expiry, scheduler housekeeping, rate estimation,
  // and asking dead hosts again when that is due.
  void tick(TimeMs now, NeighbourEvents& events);

  // DeadHostPolicy::apply(): call after the neighbour events of any call above were carried
  // out. Returns the real servers whose dead mark changed.
  std::vector<DeadHostPolicy::Change> apply_dead_hosts() {
    return dead_hosts_.apply(neighbours_, services_);
  }

  ServiceTable& services() { return services_; }
  const ServiceTable& services() const { return services_; }
  const Dispatcher& dispatcher() const { return dispatcher_; }
  NeighbourTable& neighbours() { return neighbours_; }
  const NeighbourTable& neighbours() const { return neighbours_; }
  const PacketPath& path() const { return path_; }

 private:
  ServiceTable services_;
  Dispatcher dispatcher_;
  NeighbourTable neighbours_;
  PacketPath path_;
  RateSampler rate_sampler_;
  DeadHostPolicy dead_hosts_;
  std::uint64_t memory_total_ = 0;
  std::vector<Ipv4> our_addresses_;  // the interface's address and the VIPs (ARP targets of ours)
};

}  // namespace lvs
