#include "balancer/state_snapshot.h"

#include <string>

namespace lvs {

ctl::DestinationSnapshot snapshot_destination(const Destination& d) {
  ctl::DestinationSnapshot out;
  out.address = d.address;
  out.forwarding = "Route";  // the director forwards by direct routing only
  out.weight = d.weight;
  out.active_conns = d.activeconns;
  out.inactive_conns = d.inactconns;
  out.persistent_conns = d.persistconns;
  out.u_threshold = d.u_threshold;
  out.l_threshold = d.l_threshold;
  out.dead = d.dead;
  out.stats = d.stats;
  out.rates = d.estimator.read();
  return out;
}

ctl::ServiceSnapshot snapshot_service(const VirtualService& svc) {
  ctl::ServiceSnapshot out;
  out.key = svc.key();
  out.scheduler = std::string(svc.scheduler().name());
  out.persistent = svc.persistent_timeout_s() != 0;
  out.persistent_timeout_s = svc.persistent_timeout_s();
  out.netmask = svc.netmask();
  out.sched_fallback = svc.scheduler_flags().fallback;
  out.sched_port = svc.scheduler_flags().port;
  out.one_packet = false;  // no one-packet scheduling (--ops) in the director
  out.stats = svc.stats;
  out.rates = svc.estimator.read();
  const DestinationList list = svc.destinations();
  out.destinations.reserve(list.size());
  for (const Destination* d : list) out.destinations.push_back(snapshot_destination(*d));
  return out;
}

ctl::Timeouts snapshot_timeouts(const StateTimeouts& t) {
  return {t.seconds(ConnState::Established), t.seconds(ConnState::FinWait),
          t.seconds(ConnState::Udp)};
}

ctl::Snapshot build_state_snapshot(const ServiceTable& services, const Dispatcher& dispatcher,
                                   TimeMs now, bool with_connections) {
  ctl::Snapshot snap;
  snap.timeouts = snapshot_timeouts(dispatcher.timeouts());
  snap.services.reserve(services.services().size());
  for (const auto& svc : services.services()) snap.services.push_back(snapshot_service(*svc));
  if (!with_connections) return snap;

  const ConnectionTable& table = dispatcher.table();
  snap.connections.reserve(table.size());
  table.for_each(now, [&](const ConnectionView& v) {
    if (v.key.protocol != kProtoTcp && v.key.protocol != kProtoUdp) return;  // fwmark templates
    ctl::ConnectionSnapshot c;
    c.protocol = v.key.protocol == kProtoTcp ? ctl::ConnProtocol::tcp : ctl::ConnProtocol::udp;
    c.client = {v.key.caddr, v.key.cport};
    c.vip = {v.key.vaddr, v.key.vport};
    if (v.destination != nullptr) c.destination = v.destination->address;
    c.state = std::string(conn_state_name(v.state));
    c.expires_ms = v.remaining_ms;
    snap.connections.push_back(std::move(c));
  });
  return snap;
}

}  // namespace lvs
