// The director's virtual services, built from the config model the way ipvsadm builds them in
// the kernel: first load = `-A` for each service, then `-a` for each of its real servers in file
// order (so the kernel's list, which decides ties, is the reverse of the file); a reload applies
// only the difference as -D/-E/-A and -d/-e/-a, so unchanged services and servers keep their
// connections, counters and scheduler state.
//
// Randomness: each service's scheduler gets its own stream (a twos scheduler draws from it; the
// others ignore it), seeded from the table's random seed and the service's key
// (stream_seed(), sched/random_source.h), and restarted whenever a scheduler is bound to the
// service (-A, or -E with another scheduler or flags). So a service's decisions depend only on
// the seed, its key and its own decisions since then — not on other services' traffic nor on
// the order services were created — and `lvsadm simulate --random-seed N` replays those of a
// director started with `--random-seed N` (or logging "random seed N") for the same events.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/model.h"
#include "sched/random_source.h"
#include "sched/scheduler.h"
#include "service/service_diff.h"
#include "service/virtual_service.h"

namespace lvs {

class ServiceTable {
 public:
  ServiceTable() = default;
  ServiceTable(const ServiceTable&) = delete;
  ServiceTable& operator=(const ServiceTable&) = delete;

  // The seed of the services' random streams (kDefaultRandomSeed unless set). Applies to
  // schedulers bound from then on: set it before the first apply().
  void set_random_seed(std::uint64_t seed) { random_seed_ = seed; }
  std::uint64_t random_seed() const { return random_seed_; }

  // Applies a validated configuration (config/loader.h guarantees schedulers, addresses and
  // ports are valid). Returns the ipvsadm-equivalent commands it performed, one per line, e.g.
  // "-A -t 10.200.0.100:80 -s wlc" — for the log, and so tests can check the order.
  std::vector<std::string> apply(const config::DirectorConfig& config);

  // One change of a reload in steps (service/service_diff.h), `next` being the configuration the
  // change was computed for. Returns the ipvsadm-equivalent command it performed, or an empty
  // string when the table already was that way. Each call costs O(1) amortised, except -D and a
  // scheduler change (O(servers of that service)) and wrr/dh/sh, whose kernel algorithms rescan
  // the list on every -a/-d/-e.
  std::string apply_change(const ServiceChange& change, const config::DirectorConfig& next);

  // Packet path lookups (ip_vs_service_find): by protocol + VIP + port, or by firewall mark.
  VirtualService* find(std::uint8_t protocol, Ipv4 vip, std::uint16_t port) const;
  VirtualService* find_fwmark(std::uint32_t mark) const;
  VirtualService* find(const config::ServiceKey& key) const;

  // ipvsadm -a / -e / -d on a running table (lvsadm and the simulator's add/edit/del).
  // Empty string on success, else the reason ipvsadm would print.
  std::string add_real_server(const config::ServiceKey& key, const config::RealServerConfig& rs);
  std::string edit_real_server(const config::ServiceKey& key, const config::RealServerConfig& rs);
  std::string delete_real_server(const config::ServiceKey& key, const Endpoint& address);

  // Services in configuration order (first added first).
  const std::vector<std::unique_ptr<VirtualService>>& services() const { return services_; }

  // Periodic work for every service (scheduler expiry, trash) and freeing deleted services that
  // nothing references any more.
  void expire(TimeMs now);

  // Marks every linked destination dead or alive as `is_dead(its IP)` says (a FAILED neighbour
  // entry); returns the endpoints whose flag changed, with the new value, for the log.
  template <typename IsDead>
  std::vector<std::pair<Endpoint, bool>> mark_dead(IsDead&& is_dead) {
    std::vector<std::pair<Endpoint, bool>> changed;
    for (auto& svc : services_) {
      for (Destination* d : svc->destinations()) {
        const bool dead = is_dead(d->address.addr);
        if (d->dead == dead) continue;
        VirtualService::set_dead(*d, dead);
        changed.emplace_back(d->address, dead);
      }
    }
    return changed;
  }
  // Deleted services kept alive because connections still point at their destinations.
  std::size_t graveyard_size() const { return graveyard_.size(); }

 private:
  static std::uint64_t index_key(std::uint8_t protocol, Ipv4 vip, std::uint16_t port);
  // -A when the key is new: the service `cfg` names, and whether it was just created.
  std::pair<VirtualService*, bool> find_or_add(const config::ServiceConfig& cfg);
  void index(VirtualService& svc);
  void unindex(const VirtualService& svc);
  // -E: scheduler, flags and persistence; keeps the scheduler object when they are unchanged.
  void configure(VirtualService& svc, const config::ServiceConfig& cfg,
                 std::vector<std::string>& log, bool is_new);
  // make_scheduler() with the service's own random stream.
  std::unique_ptr<Scheduler> scheduler_for(const config::ServiceConfig& cfg) const;

  std::vector<std::unique_ptr<VirtualService>> services_;
  std::vector<std::unique_ptr<VirtualService>> graveyard_;
  std::unordered_map<std::uint64_t, VirtualService*> by_address_;
  std::unordered_map<std::uint32_t, VirtualService*> by_fwmark_;
  std::uint64_t random_seed_ = kDefaultRandomSeed;
};

// "-t 10.200.0.100:80" / "-u ..." / "-f 1": ipvsadm's way of naming a service.
std::string ipvsadm_service_option(const config::ServiceKey& key);

}  // namespace lvs
