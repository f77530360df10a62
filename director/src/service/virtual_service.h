// A virtual service (struct ip_vs_service): its real servers in the kernel's list order, its
// scheduler, persistence settings, and the only code that changes a destination's connection
// counters (so the overload flag and the scheduler's indexes never drift from them).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "config/model.h"
#include "model/destination.h"
#include "sched/scheduler.h"
#include "service/head_first_list.h"

namespace lvs {

// What ipvsadm -a/-e set on a real server.
struct DestinationParams {
  std::int32_t weight = 1;
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
};

// How a connection counts against its destination (IP_VS_CONN_F_INACTIVE / _TEMPLATE).
enum class ConnCount : std::uint8_t { Active, Inactive, Template };

class VirtualService {
 public:
  VirtualService(config::ServiceKey key, std::unique_ptr<Scheduler> scheduler,
                 SchedulerFlags flags);
  ~VirtualService();
  VirtualService(const VirtualService&) = delete;
  VirtualService& operator=(const VirtualService&) = delete;

  const config::ServiceKey& key() const { return key_; }
  const Scheduler& scheduler() const { return *scheduler_; }
  SchedulerFlags scheduler_flags() const { return flags_; }

  // The linked destinations, head first (the kernel's list order).
  DestinationList destinations() const { return {list_.data(), list_.size()}; }
  // A linked destination with this address, or nullptr. O(1): a reload of tens of thousands of
  // servers looks each one up (the kernel hashes its destinations too: ip_vs_rs_table).
  Destination* find(const Endpoint& address) const;

  // ipvsadm -a: links a destination at the head of the list. A deleted destination with the same
  // address that is still referenced (in the trash) is revived with its counters and overload
  // flag, as ip_vs_trash_get_dest(). Returns nullptr if the address is already linked.
  Destination* add_destination(const Endpoint& address, const DestinationParams& params);
  // ipvsadm -e: changes weight/thresholds in place (the list order is kept). False if unknown.
  bool edit_destination(const Endpoint& address, const DestinationParams& params);
  // ipvsadm -d: unlinks; the object lives on in the trash while anything references it.
  bool delete_destination(const Endpoint& address);
  // ipvsadm -E -s: a new scheduler, told of every destination as the kernel's init_service is.
  void set_scheduler(std::unique_ptr<Scheduler> scheduler, SchedulerFlags flags);

  // Persistence (ipvsadm -p/-M). timeout 0 = not persistent.
  void set_persistence(std::uint32_t timeout_s, Ipv4 netmask) {
    persistent_timeout_s_ = timeout_s;
    netmask_ = netmask;
  }
  std::uint32_t persistent_timeout_s() const { return persistent_timeout_s_; }
  Ipv4 netmask() const { return netmask_; }

  // A destination for a new connection (nullptr: none usable; counted in no_dest_total()).
  Destination* schedule(const PacketInfo& packet, TimeMs now);
  std::uint64_t no_dest_total() const { return no_dest_total_; }

  // Service-wide statistics (ipvsadm --stats); the packet path adds to them and to the
  // destination's, VirtualService::bind() counts connections in both.
  TrafficStats stats;
  // ipvsadm --rate for the whole service (RateSampler steps it every 2 s).
  RateEstimator estimator;

  // Counter changes, as ip_vs_bind_dest() / ip_vs_unbind_dest() / the protocols' state
  // handlers. bind() also takes a reference, unbind() drops it.
  static void bind(Destination& dest, ConnCount count);
  static void unbind(Destination& dest, ConnCount count);
  // A connection of `dest` moved between inactive and active (TCP entering/leaving ESTABLISHED).
  static void set_active(Destination& dest, bool active);
  // A dead host (its neighbour entry FAILED) or back alive: the flag every scheduler skips, set
  // through here so the schedulers' indexes (lc, wlc, lblc, lblcr, sed, nq, fo, ovf, twos) hear
  // of it.
  static void set_dead(Destination& dest, bool dead);

  // ipvsadm -D: unlinks every destination and drops the scheduler with its state (lblc entries
  // hold destination references), as ip_vs_unbind_scheduler() → done_service(). The object lives
  // on only for the connections that still point at its destinations.
  void retire();

  // Periodic work: the scheduler's expiry, then freeing unreferenced destinations in the trash.
  void expire(TimeMs now);
  // Deleted destinations still referenced by connections or scheduler state.
  std::size_t trash_size() const { return trash_.size(); }
  // True when nothing outside this object references any of its destinations (safe to destroy).
  bool unreferenced() const;

 private:
  void collect_trash();
  // What -a and -e both set: weight, thresholds, and the overload flag's rule for them.
  // __ip_vs_update_dest(): `add` for -a (a new or revived server), false for -e.
  static void update_params(Destination& dest, const DestinationParams& params, bool add);
  static std::uint64_t address_key(const Endpoint& a) {
    return (std::uint64_t{a.addr} << 16) | a.port;
  }

  config::ServiceKey key_;
  std::unique_ptr<Scheduler> scheduler_;
  SchedulerFlags flags_;
  std::uint32_t persistent_timeout_s_ = 0;
  Ipv4 netmask_ = 0xffffffffu;
  HeadFirstList<Destination*> list_;                            // head first
  std::unordered_map<std::uint64_t, Destination*> by_address_;  // list_, by address_key()
  std::vector<std::unique_ptr<Destination>> owned_;             // linked destinations
  std::vector<std::unique_ptr<Destination>> trash_;             // unlinked, still referenced
  std::uint64_t next_seq_ = 1;
  std::uint64_t no_dest_total_ = 0;
};

}  // namespace lvs
