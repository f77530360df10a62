// The interface every IPVS scheduler implements (struct ip_vs_scheduler). Schedulers are pure:
// no I/O, no clock of their own (time is passed in), no allocation per decision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "model/destination.h"
#include "model/packet_info.h"
#include "model/time_ms.h"
#include "sched/random_source.h"
#include "sched/scheduler_flags.h"

namespace lvs {

// The service's destinations in the kernel's list order: index 0 is the list head (the most
// recently added server). Only linked (available) destinations are in it.
using DestinationList = std::span<Destination* const>;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::string_view name() const = 0;

  // ip_vs_scheduler init_service(): this scheduler is bound to a service that already has
  // `list` (ipvsadm -E -s). The default replays the list tail first as head inserts, which is
  // exact for schedulers whose state depends only on the list; wrr overrides it because the
  // kernel's ip_vs_wrr_init_svc() starts cw at the full maximum weight.
  virtual void init_service(DestinationList list);

  // ip_vs_scheduler add_dest/del_dest/upd_dest. Called after the list has changed.
  // added: `list[0]` is the new (or revived) destination — the kernel links at the head.
  virtual void destination_added(DestinationList list, Destination& dest) {
    (void)list;
    (void)dest;
  }
  // removed: `dest` is no longer in `list`; `old_index` is where it was.
  virtual void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) {
    (void)list;
    (void)dest;
    (void)old_index;
  }
  // updated: weight and/or thresholds of `dest` (still linked) were edited.
  virtual void destination_updated(DestinationList list, Destination& dest) {
    (void)list;
    (void)dest;
  }
  // The connection counters or the overload flag of `dest` changed. The kernel's schedulers
  // rescan the list on every decision and need no such hook; ours keep indexes (lc, wlc, sed,
  // nq, fo, ovf) so a decision costs less than O(n) and must hear of every change.
  virtual void load_changed(Destination& dest) { (void)dest; }

  // ip_vs_scheduler schedule(): a destination for a new connection, or nullptr if none.
  virtual Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) = 0;

  // Periodic housekeeping (lblc/lblcr table expiry); called at least once a second.
  virtual void expire(TimeMs now) { (void)now; }
};

// "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"
// (ipvsadm -s); nullptr for any other name. `random_seed` seeds the stream a randomised
// scheduler (twos) draws from (SeededRandom in sched/seeded_random.h); the others ignore it.
// ServiceTable passes one per service.
std::unique_ptr<Scheduler> make_scheduler(std::string_view name, SchedulerFlags flags,
                                          std::uint64_t random_seed = kDefaultRandomSeed);

// The names make_scheduler() accepts, in ipvsadm's documentation order.
std::span<const std::string_view> scheduler_names();

}  // namespace lvs
