#include <string>

#include "ctl/control_protocol.h"
#include "ctl/protocol_text.h"
#include "sched/scheduler_flags.h"

namespace lvs::ctl {
namespace {

using protocol_text::word;

void append_counters(std::string& out, const TrafficStats& s, const EstimatedRates& r) {
  out += " conns=" + std::to_string(s.conns) + " inpkts=" + std::to_string(s.inpkts) +
         " outpkts=" + std::to_string(s.outpkts) + " inbytes=" + std::to_string(s.inbytes) +
         " outbytes=" + std::to_string(s.outbytes) + " cps=" + std::to_string(r.cps) +
         " inpps=" + std::to_string(r.inpps) + " outpps=" + std::to_string(r.outpps) +
         " inbps=" + std::to_string(r.inbps) + " outbps=" + std::to_string(r.outbps);
}

}  // namespace

std::string ok_status_line(std::size_t records) {
  std::string out(kProtocolTag);
  out += " OK " + std::to_string(records) + "\n";
  return out;
}

std::string encode_error_response(std::string_view message) {
  std::string out(kProtocolTag);
  out += " ERROR ";
  for (char c : message) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += '\n';
  return out;
}

std::string info_record(const Snapshot& s) {
  return "info version=" + word(s.version) + " size=" + std::to_string(s.table_size) +
         " tcp=" + std::to_string(s.timeouts.tcp_s) +
         " tcpfin=" + std::to_string(s.timeouts.tcpfin_s) +
         " udp=" + std::to_string(s.timeouts.udp_s) + "\n";
}

std::string service_records(const ServiceSnapshot& s) {
  std::string r = "service " + s.key.to_string() + " scheduler=" + word(s.scheduler);
  if (s.persistent) r += " persistent=" + std::to_string(s.persistent_timeout_s);
  if (s.netmask != 0xffffffffu) r += " netmask=" + format_ipv4(s.netmask);
  // The scheduler bits under the scheduler's own names, as -Ln prints them.
  std::string flags =
      scheduler_flags_text(s.scheduler, SchedulerFlags{s.sched_fallback, s.sched_port});
  if (!flags.empty()) flags += ',';
  if (s.one_packet) flags += "ops,";
  if (!flags.empty()) {
    flags.pop_back();
    r += " flags=" + flags;
  }
  append_counters(r, s.stats, s.rates);
  r += '\n';
  for (const DestinationSnapshot& d : s.destinations) {
    r += "dest " + format_endpoint(d.address) + " forward=" + word(d.forwarding) +
         " weight=" + std::to_string(d.weight) + " active=" + std::to_string(d.active_conns) +
         " inactive=" + std::to_string(d.inactive_conns) +
         " persistent=" + std::to_string(d.persistent_conns) +
         " uthreshold=" + std::to_string(d.u_threshold) +
         " lthreshold=" + std::to_string(d.l_threshold);
    if (d.dead) r += " dead=1";  // only when set: older readers ignore unknown keys
    append_counters(r, d.stats, d.rates);
    r += '\n';
  }
  return r;
}

std::string connection_record(const ConnectionSnapshot& c) {
  return "conn " + std::string(c.protocol == ConnProtocol::tcp ? "tcp" : "udp") + " " +
         format_endpoint(c.client) + " " + format_endpoint(c.vip) + " " +
         format_endpoint(c.destination) + " " + word(c.state) + " " + std::to_string(c.expires_ms) +
         "\n";
}

std::string neighbour_record(const NeighbourSnapshot& n) {
  std::string r =
      "neigh " + format_ipv4(n.ip) + " dev=" + word(n.device) + " state=" + word(n.state);
  if (n.lladdr) r += " lladdr=" + format_mac(*n.lladdr);
  r += '\n';
  return r;
}

std::string encode_response(const Snapshot& snapshot, Command command) {
  std::size_t count = 1;  // the info record
  std::string body = info_record(snapshot);
  switch (command) {
    case Command::list:
      for (const ServiceSnapshot& s : snapshot.services) {
        body += service_records(s);
        count += 1 + s.destinations.size();
      }
      break;
    case Command::list_connections:
      for (const ConnectionSnapshot& c : snapshot.connections) body += connection_record(c);
      count += snapshot.connections.size();
      break;
    case Command::neigh_show:
      for (const NeighbourSnapshot& n : snapshot.neighbours) body += neighbour_record(n);
      count += snapshot.neighbours.size();
      break;
    case Command::neigh_flush:
    case Command::neigh_add:
    case Command::neigh_del:
      break;
  }
  return ok_status_line(count) + body;
}

}  // namespace lvs::ctl
