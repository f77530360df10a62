#include "sim/simulator.h"

#include <algorithm>

namespace lvs::sim {
namespace {

// Packet sizes used for the --stats byte counters of simulated traffic (IPv4 + TCP/UDP headers
// with typical options): they only feed statistics, never a decision.
constexpr std::uint32_t kSynBytes = 60;
constexpr std::uint32_t kAckBytes = 52;
constexpr std::uint32_t kUdpBytes = 28;

}  // namespace

Simulator::Simulator(const config::DirectorConfig& config, std::uint64_t random_seed)
    : dispatcher_(0, IpvsSysctls{}, 0) {
  services_.set_random_seed(random_seed);
  dispatcher_.set_timeouts(config.director.timeouts);
  // An explicit connection-limit applies offline too; the memory-derived default does not (the
  // simulator's machine is not the director's).
  dispatcher_.set_connection_limit(config.director.connection_limit);
  services_.apply(config);
}

int Simulator::run(const std::vector<ScriptEvent>& events, std::ostream& out, std::ostream& err,
                   const std::string& events_name) {
  int problems = 0;
  for (const ScriptEvent& item : events) {
    std::string problem = std::visit(
        [&](const auto& ev) -> std::string {
          using T = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<T, NewConnection>) return on_new(ev, out);
          if constexpr (std::is_same_v<T, FinConnection>) return on_fin(ev);
          if constexpr (std::is_same_v<T, CloseConnection>) return on_close(ev);
          if constexpr (std::is_same_v<T, ChangeRealServer>) return on_change(ev);
          if constexpr (std::is_same_v<T, AdvanceClock>) on_tick(ev);
          return {};
        },
        item.event);
    if (!problem.empty()) {
      ++problems;
      err << events_name << ":" << item.line << ": " << problem << "\n";
    }
  }
  return problems;
}

std::string Simulator::on_new(const NewConnection& ev, std::ostream& out) {
  VirtualService* svc = nullptr;
  std::string problem;
  if (ev.service) {
    svc = services_.find(*ev.service);
    if (svc == nullptr) problem = "no such service " + ev.service->to_string();
  } else if (!services_.services().empty()) {
    svc = services_.services().front().get();
  }

  Destination* chosen = nullptr;
  ConnHandle handle;
  if (svc != nullptr) {
    const config::ServiceKey& key = svc->key();
    PacketInfo packet;
    packet.protocol = key.protocol == config::ServiceProtocol::Udp ? kProtoUdp : kProtoTcp;
    packet.saddr = ev.client.addr;
    packet.sport = ev.client.port;
    const Endpoint dst = key.protocol == config::ServiceProtocol::Fwmark
                             ? ev.destination.value_or(Endpoint{})
                             : key.vip;
    packet.daddr = dst.addr;
    packet.dport = dst.port;

    if (packet.protocol == kProtoUdp) {
      DispatchResult r = dispatcher_.dispatch(*svc, packet, TcpFlags{}, kUdpBytes, now_);
      if (r.verdict == Verdict::Forward) {
        chosen = r.destination;
        handle = r.connection;
      }
    } else {
      // The handshake as the director sees it under DR: the client's SYN, then its ACK.
      DispatchResult syn =
          dispatcher_.dispatch(*svc, packet, TcpFlags{.syn = true}, kSynBytes, now_);
      if (syn.verdict == Verdict::Forward) {
        DispatchResult ack =
            dispatcher_.dispatch(*svc, packet, TcpFlags{.ack = true}, kAckBytes, now_);
        chosen = syn.destination;
        handle = ack.verdict == Verdict::Forward ? ack.connection : syn.connection;
      }
    }
  }
  connections_.push_back(handle);
  out << (chosen != nullptr ? format_endpoint(chosen->address) : std::string("-")) << "\n";
  return problem;
}

ConnHandle Simulator::connection(std::uint32_t number) const {
  if (number == 0 || number > connections_.size()) return {};
  ConnHandle h = connections_[number - 1];
  if (!h.valid() || !dispatcher_.table().alive(h)) return {};
  return h;
}

std::string Simulator::on_fin(const FinConnection& ev) {
  if (ev.number > connections_.size()) {
    return "fin " + std::to_string(ev.number) + ": only " + std::to_string(connections_.size()) +
           " connections so far";
  }
  ConnHandle h = connection(ev.number);
  if (!h.valid()) return {};  // got "-", or already expired: nothing to do
  const ConnectionTable& table = dispatcher_.table();
  const ConnKey key = table.key(h);
  if (key.protocol != kProtoTcp) return {};  // UDP connections are always inactive
  Destination* dest = table.destination(h);
  PacketInfo packet{key.protocol, key.caddr, key.cport, key.vaddr, key.vport};
  dispatcher_.dispatch(*dest->service, packet, TcpFlags{.ack = true, .fin = true}, kAckBytes, now_);
  return {};
}

std::string Simulator::on_close(const CloseConnection& ev) {
  if (ev.number > connections_.size()) {
    return "close " + std::to_string(ev.number) + ": only " + std::to_string(connections_.size()) +
           " connections so far";
  }
  ConnHandle h = connection(ev.number);
  if (h.valid()) dispatcher_.remove(h, now_);
  return {};
}

std::string Simulator::on_change(const ChangeRealServer& ev) {
  if (services_.find(ev.service) == nullptr) return "no such service " + ev.service.to_string();
  config::RealServerConfig rs;
  rs.address = ev.address;
  rs.weight = ev.weight;
  // As the config loader: under gatewaying the port cannot change; an omitted port means the
  // service's port (ipvsadm's rule), fwmark services take port 0.
  const bool fwmark = ev.service.protocol == config::ServiceProtocol::Fwmark;
  const std::uint16_t service_port = fwmark ? 0 : ev.service.vip.port;
  if (rs.address.port == 0) rs.address.port = service_port;
  if (rs.address.port != service_port) {
    return "real server " + format_endpoint(ev.address) + ": port must be " +
           std::to_string(service_port) + " (gatewaying cannot change the port)";
  }
  // ipvsadm -a/-e send every parameter, thresholds included (0 when -x/-y are omitted), and
  // __ip_vs_update_dest() stores them as given: nothing is kept from the file or the server.
  rs.u_threshold = ev.u_threshold;
  rs.l_threshold = ev.l_threshold;
  std::string failure;
  switch (ev.kind) {
    case ChangeRealServer::Kind::Add:
      failure = services_.add_real_server(ev.service, rs);
      break;
    case ChangeRealServer::Kind::Edit:
      failure = services_.edit_real_server(ev.service, rs);
      break;
    case ChangeRealServer::Kind::Delete:
      failure = services_.delete_real_server(ev.service, rs.address);
      break;
  }
  if (!failure.empty()) return failure + " (" + format_endpoint(rs.address) + ")";
  return {};
}

void Simulator::on_tick(const AdvanceClock& ev) {
  // Advance a second at a time so expiries and the schedulers' periodic work interleave as
  // they would on a running director.
  TimeMs remaining = ev.ms;
  while (remaining > 0) {
    TimeMs step = std::min<TimeMs>(remaining, 1000);
    now_ += step;
    remaining -= step;
    dispatcher_.expire(now_);
    services_.expire(now_);
  }
}

}  // namespace lvs::sim
