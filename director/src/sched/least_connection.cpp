#include "sched/least_connection.h"

namespace lvs {

void LeastConnection::destination_added(DestinationList list, Destination& dest) {
  (void)list;
  heap_.set(dest, eligible(dest));
}

void LeastConnection::destination_removed(DestinationList list, Destination& dest,
                                          std::size_t old_index) {
  (void)list;
  (void)old_index;
  heap_.erase(dest);
}

void LeastConnection::destination_updated(DestinationList list, Destination& dest) {
  (void)list;
  heap_.set(dest, eligible(dest));
}

void LeastConnection::load_changed(Destination& dest) {
  // A server in the trash is not in the list: it must not come back through its counters.
  if (!dest.available) return;
  heap_.set(dest, eligible(dest));
}

Destination* LeastConnection::schedule(DestinationList list, const PacketInfo& packet, TimeMs now) {
  (void)list;
  (void)packet;
  (void)now;
  return heap_.top();
}

}  // namespace lvs
