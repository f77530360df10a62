#include "sched/locality_server_index.h"

namespace lvs {

namespace {

// as __ip_vs_lblc_schedule(): servers flagged IP_VS_DEST_F_OVERLOAD are skipped, and a server
// of weight 0 can never win (loh * 0 > doh * lw is false), so neither is a candidate.
bool candidate(const Destination& dest) { return dest.weight > 0 && !dest.blocked(); }

// The scan in is_overloaded(): a server with less than half its weight in active connections.
bool underloaded(const Destination& dest) {
  return std::int64_t{dest.activeconns} * 2 < std::int64_t{dest.weight};
}

}  // namespace

void LocalityServerIndex::add(Destination& dest) {
  dest.sched_mark = false;
  refresh(dest);
}

void LocalityServerIndex::remove(Destination& dest) {
  heap_.erase(dest);
  set_underloaded(dest, false);
}

void LocalityServerIndex::refresh(Destination& dest) {
  // A deleted server is not in the list the kernel scans: its counters must not bring it back.
  if (!dest.available) return;
  set_underloaded(dest, underloaded(dest));
  heap_.set(dest, candidate(dest));
}

void LocalityServerIndex::set_underloaded(Destination& dest, bool now_underloaded) {
  if (now_underloaded == dest.sched_mark) return;
  dest.sched_mark = now_underloaded;
  if (now_underloaded) {
    ++underloaded_count_;
  } else {
    --underloaded_count_;
  }
}

}  // namespace lvs
