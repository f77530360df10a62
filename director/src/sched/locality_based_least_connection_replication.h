// lblcr, Locality-Based Least-Connection with Replication (mainline
// net/netfilter/ipvs/ip_vs_lblcr.c): each packet destination address maps to a set of servers;
// the least loaded member serves it, the set grows by the weighted-least-connection server when
// that member is overloaded, and sheds its most loaded member once the set has gone unchanged
// for the expiration time.
#pragma once

#include <string_view>
#include <vector>

#include "sched/locality_server_index.h"
#include "sched/locality_table.h"
#include "sched/scheduler.h"

namespace lvs {

class LocalityBasedLeastConnectionReplication final : public Scheduler {
 public:
  // The sysctl net.ipv4.vs.lblcr_expiration default (DEFAULT_EXPIRATION): 24 hours. It is both
  // the table entries' idle expiry and the time a set must stay unmodified before it shrinks.
  static constexpr TimeMs kDefaultExpiration = 24ull * 60 * 60 * 1000;

  LocalityBasedLeastConnectionReplication()
      : LocalityBasedLeastConnectionReplication(kDefaultExpiration) {}
  explicit LocalityBasedLeastConnectionReplication(TimeMs expiration_ms)
      : expiration_(expiration_ms) {}
  // as ip_vs_lblcr_done_svc(): the table is flushed, every member's reference dropped.
  ~LocalityBasedLeastConnectionReplication() override;
  LocalityBasedLeastConnectionReplication(const LocalityBasedLeastConnectionReplication&) = delete;
  LocalityBasedLeastConnectionReplication& operator=(
      const LocalityBasedLeastConnectionReplication&) = delete;

  std::string_view name() const override { return "lblcr"; }

  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  void load_changed(Destination& dest) override;

  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;
  void expire(TimeMs now) override;

  // Introspection (tests, lvsadm): the number of destination addresses remembered, and the
  // server set remembered for `daddr`, in the kernel's set order (most recently added first;
  // empty if none).
  std::size_t entries() const { return table_.size(); }
  std::vector<const Destination*> server_set(Ipv4 daddr) const;

  // struct ip_vs_dest_set: the members (each holding a reference), head first, and the time the
  // set last gained or lost a member.
  struct DestinationSet {
    std::vector<Destination*> members;
    TimeMs lastmod = 0;
  };

 private:
  using Table = LocalityTable<DestinationSet>;

  TimeMs expiration_;
  Table table_;
  LocalityServerIndex servers_;
};

}  // namespace lvs
