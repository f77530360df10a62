#include "sched/least_loaded_scheduler.h"

namespace lvs {

void LeastLoadedScheduler::destination_added(DestinationList, Destination& dest) {
  heap_.set(dest, eligible_(dest));
}

void LeastLoadedScheduler::destination_removed(DestinationList, Destination& dest, std::size_t) {
  heap_.erase(dest);
}

void LeastLoadedScheduler::destination_updated(DestinationList, Destination& dest) {
  heap_.set(dest, eligible_(dest));
}

void LeastLoadedScheduler::load_changed(Destination& dest) {
  // A server in the trash is not in the list: it must not come back through its counters.
  if (!dest.available) return;
  heap_.set(dest, eligible_(dest));
}

Destination* LeastLoadedScheduler::schedule(DestinationList, const PacketInfo&, TimeMs) {
  return heap_.top();
}

}  // namespace lvs
