// The running director's state as lvsadm sees it: a ctl::Snapshot copied from the live
// ServiceTable (services, destinations, counters, rate estimates) and Dispatcher (timeouts,
// connection table). Pure: `now` is given, so the connections' time left is exact in tests.
//
// What it lists, as ipvsadm would list the kernel's table:
//   - services in the table's order (first configured first); deleted services kept alive only
//     for their connections (the graveyard) are not listed, as the kernel unhashes them at -D;
//   - destinations in the kernel's list order (head first); deleted ones in the trash are not;
//   - connections and persistence templates in table order, each with its IPVS state name and
//     the milliseconds left before it expires. Templates of fwmark services (protocol IP, the
//     mark in place of the VIP) are left out: ctl::ConnectionSnapshot carries TCP or UDP only.
#pragma once

#include "conn/dispatcher.h"
#include "ctl/snapshot.h"
#include "service/service_table.h"

namespace lvs {

// The connection table is copied only when `with_connections` (lvsadm -L -c): it can hold
// millions of entries, the other listings never need it.
ctl::Snapshot build_state_snapshot(const ServiceTable& services, const Dispatcher& dispatcher,
                                   TimeMs now, bool with_connections);

// The pieces, for the metrics and for tests.
ctl::ServiceSnapshot snapshot_service(const VirtualService& service);
ctl::DestinationSnapshot snapshot_destination(const Destination& destination);
ctl::Timeouts snapshot_timeouts(const StateTimeouts& timeouts);

}  // namespace lvs
