// Snapshots for the control-protocol and lvsadm tests: one that sets every field the protocol
// carries, each to a value no default has.
#pragma once

#include "ctl/snapshot.h"
#include "support/lab_addresses.h"

namespace lvs::test {

inline ctl::Snapshot full_snapshot() {
  using namespace ctl;
  Snapshot snap;
  snap.table_size = 65536;
  snap.timeouts = {901, 121, 301};
  ServiceSnapshot web;
  web.key = {config::ServiceProtocol::Tcp, ep("10.200.0.100:80"), 0};
  web.scheduler = "wrr";
  web.persistent = true;
  web.persistent_timeout_s = 300;
  web.netmask = *parse_ipv4("255.255.255.0");
  web.sched_fallback = true;
  web.sched_port = true;
  web.one_packet = true;
  web.stats = {1, 2, 3, 4, 18446744073709551615ULL};
  web.rates = {5, 6, 7, 8, 9};
  DestinationSnapshot d;
  d.address = ep("10.200.0.11:80");
  d.weight = -1;
  d.active_conns = 10;
  d.inactive_conns = 11;
  d.persistent_conns = 12;
  d.u_threshold = 13;
  d.l_threshold = 14;
  d.stats = {15, 16, 17, 18, 19};
  d.rates = {20, 21, 22, 23, 24};
  web.destinations = {d};
  d.address = ep("10.200.0.12:80");
  d.forwarding = "Masq";
  web.destinations.push_back(d);
  ServiceSnapshot mark;
  mark.key = {config::ServiceProtocol::Fwmark, {}, 7};
  mark.scheduler = "sh";
  snap.services = {web, mark};
  snap.connections = {{ConnProtocol::tcp, ep("10.200.0.10:40000"), ep("10.200.0.100:80"),
                       ep("10.200.0.11:80"), "ESTABLISHED", 899999},
                      {ConnProtocol::udp, ep("10.200.0.10:5353"), ep("10.200.0.100:53"),
                       ep("10.200.0.13:53"), "UDP", 0}};
  return snap;
}

// tcp/10.200.0.100:80 with `scheduler` and one server, 10.200.0.11:80 of weight `weight`.
inline ctl::Snapshot one_service_snapshot(const char* scheduler, std::int32_t weight = 1) {
  ctl::Snapshot snap;
  ctl::ServiceSnapshot s;
  s.key = {config::ServiceProtocol::Tcp, ep("10.200.0.100:80"), 0};
  s.scheduler = scheduler;
  ctl::DestinationSnapshot d;
  d.address = ep("10.200.0.11:80");
  d.weight = weight;
  s.destinations = {d};
  snap.services = {s};
  return snap;
}

}  // namespace lvs::test
