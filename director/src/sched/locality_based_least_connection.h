// lblc, Locality-Based Least-Connection (mainline net/netfilter/ipvs/ip_vs_lblc.c): each packet
// destination address sticks to one server, chosen by weighted least-connection when the address
// is new or its server is no longer fit; the table forgets addresses left unused.
#pragma once

#include <string_view>

#include "sched/locality_server_index.h"
#include "sched/locality_table.h"
#include "sched/scheduler.h"

namespace lvs {

class LocalityBasedLeastConnection final : public Scheduler {
 public:
  // The sysctl net.ipv4.vs.lblc_expiration default (DEFAULT_EXPIRATION): 24 hours.
  static constexpr TimeMs kDefaultExpiration = 24ull * 60 * 60 * 1000;

  LocalityBasedLeastConnection() : LocalityBasedLeastConnection(kDefaultExpiration) {}
  explicit LocalityBasedLeastConnection(TimeMs expiration_ms) : expiration_(expiration_ms) {}
  // as ip_vs_lblc_done_svc(): the table is flushed, every entry's reference dropped.
  ~LocalityBasedLeastConnection() override;
  LocalityBasedLeastConnection(const LocalityBasedLeastConnection&) = delete;
  LocalityBasedLeastConnection& operator=(const LocalityBasedLeastConnection&) = delete;

  std::string_view name() const override { return "lblc"; }

  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  void load_changed(Destination& dest) override;

  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;
  void expire(TimeMs now) override;

  // Introspection (tests, lvsadm): the number of destination addresses remembered, and the
  // server remembered for `daddr` (nullptr if none).
  std::size_t entries() const { return table_.size(); }
  const Destination* cached(Ipv4 daddr) const;

 private:
  using Table = LocalityTable<Destination*>;

  TimeMs expiration_;
  Table table_;
  LocalityServerIndex servers_;
};

}  // namespace lvs
