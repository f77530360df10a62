// rr: mainline net/netfilter/ipvs/ip_vs_rr.c. A position in the service list; each decision
// takes the next server after it (circularly) that has weight > 0 and is not overloaded.
#pragma once

#include <cstddef>
#include <string_view>

#include "sched/scheduler.h"

namespace lvs {

class RoundRobin final : public Scheduler {
 public:
  std::string_view name() const override { return "rr"; }
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

 private:
  // Where cursor_ sits in `list`; repairs cursor_index_ if the caller's list moved under it.
  bool locate_cursor(DestinationList list);

  // svc->sched_data: the last chosen server, or nullptr for the list head sentinel (the
  // state ip_vs_rr_init_svc() starts from).
  Destination* cursor_ = nullptr;
  std::size_t cursor_index_ = 0;  // list[cursor_index_] == cursor_ when cursor_ != nullptr
};

}  // namespace lvs
