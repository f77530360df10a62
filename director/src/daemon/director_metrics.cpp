#include "daemon/director_metrics.h"

#include <algorithm>
#include <unordered_set>

#include "balancer/state_snapshot.h"
#include "base/prometheus_families.h"
#include "base/timers.h"
#include "daemon/director_log.h"
#include "sched/scheduler_flags.h"

namespace lvs {
namespace {

using prom::add;
using prom::family;
using prom::MetricFamily;
using prom::MetricType;

// Families with no sample (no services yet, no neighbours) are left out rather than printed as
// bare HELP/TYPE headers.
void keep(std::vector<MetricFamily>& out, MetricFamily f) {
  if (!f.metric.empty()) out.push_back(std::move(f));
}

// A counter family with one sample per reason, every reason present (0 means none happened).
void keep_reasons(std::vector<MetricFamily>& out, std::string name, std::string help,
                  const std::vector<ReasonCount>& reasons) {
  auto f = family(std::move(name), std::move(help), MetricType::Counter);
  for (const ReasonCount& r : reasons) {
    add(f, {{"reason", r.reason}}, static_cast<double>(r.count));
  }
  keep(out, std::move(f));
}

bool contains(const std::vector<Endpoint>& list, const Endpoint& e) {
  return std::find(list.begin(), list.end(), e) != list.end();
}

void build_services(const DirectorMetricsInput& in, std::vector<MetricFamily>& out) {
  auto conns =
      family("lvs_service_connections_total",
             "Connections the director scheduled for this virtual service.", MetricType::Counter);
  auto pkts = family("lvs_service_packets_total",
                     "Packets the director forwarded for this virtual service (direct routing: "
                     "client to server only; replies bypass the director).",
                     MetricType::Counter);
  auto bytes = family("lvs_service_bytes_total",
                      "Bytes (IP packets) the director forwarded for this virtual service (direct "
                      "routing: client to server only).",
                      MetricType::Counter);
  // The info-metric convention (a constant 1 whose labels carry the facts): which of the fourteen
  // schedulers a service runs, and its -b flags under the scheduler's names ("" when none), so a
  // dashboard can group by scheduler and an alert can see a reload change it.
  auto info = family("lvs_service_info",
                     "Always 1; labels: the service's scheduler (ipvsadm -s) and its scheduler "
                     "flags (ipvsadm -b, comma-separated, empty when none).",
                     MetricType::Gauge);
  auto no_dest = family("lvs_scheduler_no_dest_total",
                        "New connections dropped because the scheduler found no usable real "
                        "server (all quiesced, overloaded or absent).",
                        MetricType::Counter);
  auto b_conns =
      family("lvs_backend_connections_total",
             "Connections the director scheduled to this real server.", MetricType::Counter);
  auto b_active = family("lvs_backend_connections_active",
                         "Connections to this real server in TCP ESTABLISHED.", MetricType::Gauge);
  auto b_inactive = family("lvs_backend_connections_inactive",
                           "Other connections to this real server (TCP not ESTABLISHED, all UDP).",
                           MetricType::Gauge);
  auto b_weight = family("lvs_backend_weight",
                         "Configured weight of this real server (0: quiesced, no new connections).",
                         MetricType::Gauge);
  auto b_up = family("lvs_backend_up",
                     "1 if this real server can be chosen for a new connection (weight > 0, not "
                     "overloaded, MAC known to the neighbour table), else 0.",
                     MetricType::Gauge);
  auto b_pkts = family("lvs_backend_packets_total",
                       "Packets the director forwarded to this real server.", MetricType::Counter);
  auto b_bytes =
      family("lvs_backend_bytes_total",
             "Bytes (IP packets) the director forwarded to this real server.", MetricType::Counter);

  std::unordered_set<Ipv4> resolved;
  for (const auto& [ip, entry] : in.neighbours) {
    if (nud_valid(entry.state)) resolved.insert(ip);
  }
  static const std::vector<Endpoint> kNone;

  for (const ctl::ServiceSnapshot& svc : in.snapshot.services) {
    const std::string key = svc.key.to_string();
    const std::vector<prom::ClientMetric::Label> s{{"service", key}};
    add(info,
        {{"service", key},
         {"scheduler", svc.scheduler},
         {"flags",
          scheduler_flags_text(svc.scheduler, SchedulerFlags{svc.sched_fallback, svc.sched_port})}},
        1);
    add(conns, s, static_cast<double>(svc.stats.conns));
    add(pkts, s, static_cast<double>(svc.stats.inpkts + svc.stats.outpkts));
    add(bytes, s, static_cast<double>(svc.stats.inbytes + svc.stats.outbytes));
    auto nd = in.no_destination.find(key);
    if (nd != in.no_destination.end()) add(no_dest, s, static_cast<double>(nd->second));

    auto ov = in.overloaded.find(key);
    const std::vector<Endpoint>& overloaded = ov == in.overloaded.end() ? kNone : ov->second;
    for (const ctl::DestinationSnapshot& d : svc.destinations) {
      const std::vector<prom::ClientMetric::Label> b{{"service", key},
                                                     {"backend", format_endpoint(d.address)}};
      add(b_conns, b, static_cast<double>(d.stats.conns));
      add(b_active, b, d.active_conns);
      add(b_inactive, b, d.inactive_conns);
      add(b_weight, b, d.weight);
      const bool up =
          d.weight > 0 && !contains(overloaded, d.address) && resolved.contains(d.address.addr);
      add(b_up, b, up ? 1 : 0);
      add(b_pkts, b, static_cast<double>(d.stats.inpkts + d.stats.outpkts));
      add(b_bytes, b, static_cast<double>(d.stats.inbytes + d.stats.outbytes));
    }
  }
  for (auto* f : {&info, &conns, &pkts, &bytes, &no_dest, &b_conns, &b_active, &b_inactive,
                  &b_weight, &b_up, &b_pkts, &b_bytes}) {
    keep(out, std::move(*f));
  }
}

void build_neighbours(const DirectorMetricsInput& in, std::vector<MetricFamily>& out) {
  auto entries = family("lvs_neighbour_entries",
                        "Entries in the director's neighbour table (real server IP to MAC).",
                        MetricType::Gauge);
  add(entries, {}, static_cast<double>(in.neighbours.size()));
  out.push_back(std::move(entries));

  auto state = family("lvs_neighbour_state",
                      "1 for each neighbour entry, labelled with its current NUD state (as `ip "
                      "neigh`: PERMANENT, REACHABLE, STALE, ...).",
                      MetricType::Gauge);
  for (const auto& [ip, entry] : in.neighbours) {
    add(state, {{"ip", format_ipv4(ip)}, {"state", std::string(nud_state_name(entry.state))}}, 1);
  }
  keep(out, std::move(state));

  const NeighbourStats& s = in.neighbour_stats;
  const struct {
    const char* name;
    const char* help;
    std::uint64_t value;
  } counters[] = {
      {"lvs_neighbour_allocs_total", "Neighbour entries created.", s.allocs},
      {"lvs_neighbour_destroys_total", "Neighbour entries removed.", s.destroys},
      {"lvs_neighbour_lookups_total", "Neighbour table lookups by the packet path.", s.lookups},
      {"lvs_neighbour_hits_total", "Lookups that found a usable MAC.", s.hits},
      {"lvs_neighbour_lladdr_changes_total", "Times an entry's MAC address changed.",
       s.lladdr_changes},
      {"lvs_neighbour_res_failed_total",
       "Resolutions that ended FAILED (no ARP answer): the server is a dead host.", s.res_failed},
      {"lvs_neighbour_periodic_gc_runs_total", "Runs of the periodic neighbour garbage collection.",
       s.periodic_gc_runs},
      {"lvs_neighbour_forced_gc_runs_total",
       "Forced neighbour garbage collections (table above gc-thresh2/gc-thresh3).",
       s.forced_gc_runs},
      {"lvs_neighbour_unres_discards_total",
       "Packets dropped because an unresolved neighbour's queue (unres-qlen) was full.",
       s.unres_discards},
      {"lvs_neighbour_unres_drops_total",
       "Queued packets dropped because resolution failed or the entry was removed.", s.unres_drops},
      {"lvs_neighbour_table_fulls_total", "Entries refused because the table was at gc-thresh3.",
       s.table_fulls},
      {"lvs_neighbour_spoof_suspects_total",
       "ARP claims the table refused (static entry contradicted, a second MAC within locktime, "
       "or a real server's MAC change not confirmed).",
       s.spoof_suspects},
      {"lvs_neighbour_unwanted_arp_total",
       "ARP packets ignored because their sender is not a real server and has no entry.",
       s.unwanted_arp},
      {"lvs_neighbour_gc_skipped_in_use_total",
       "Entries forced garbage collection kept because they are in use (real server, queued "
       "packets).",
       s.gc_skipped_in_use},
      {"lvs_neighbour_lladdr_change_checks_total",
       "MAC changes claimed for a real server that started a check (probes to the old MAC).",
       s.lladdr_change_checks},
      {"lvs_neighbour_lladdr_change_probes_total",
       "Unicast probes sent to a real server's old MAC by change checks.", s.lladdr_change_probes},
      {"lvs_neighbour_lladdr_changes_rejected_total",
       "Claimed MAC changes rejected because the old MAC answered a probe.",
       s.lladdr_changes_rejected},
      {"lvs_neighbour_lladdr_changes_confirmed_total",
       "Claimed MAC changes accepted because the old MAC stayed silent.",
       s.lladdr_changes_confirmed},
      {"lvs_neighbour_lladdr_claims_refused_total",
       "Other-MAC claims for a real server refused while a change check ran or after one failed.",
       s.lladdr_claims_refused},
  };
  for (const auto& c : counters) {
    auto f = family(c.name, c.help, MetricType::Counter);
    add(f, {}, static_cast<double>(c.value));
    out.push_back(std::move(f));
  }

  auto suppressed = family("lvs_log_lines_suppressed_total",
                           "Log lines the rate limit suppressed (ARP-driven warnings; 10 per 5 s "
                           "pass, as net_ratelimit()).",
                           MetricType::Counter);
  add(suppressed, {}, static_cast<double>(in.log_lines_suppressed));
  out.push_back(std::move(suppressed));
  auto drops = family("lvs_neighbour_arp_socket_drops_total",
                      "ARP frames the kernel dropped before the resolver read them (its socket "
                      "buffer was full).",
                      MetricType::Counter);
  add(drops, {}, static_cast<double>(in.arp_socket_drops));
  out.push_back(std::move(drops));

  keep_reasons(out, "lvs_neighbour_arp_errors_total",
               "ARP frames the resolver's socket received and refused, by reason "
               "(truncated, not_arp, ...; the socket's BPF filter makes them rare).",
               in.arp_errors);
}

void build_queues(const DirectorMetricsInput& in, std::vector<MetricFamily>& out) {
  auto received =
      family("lvs_queue_packets_total", "Packets the director received from its NFQUEUE queue(s).",
             MetricType::Counter);
  for (const auto& [queue, count] : in.queues.received) {
    add(received, {{"queue", queue}}, static_cast<double>(count));
  }
  keep(out, std::move(received));

  auto dropped = family("lvs_queue_dropped_total",
                        "Packets the kernel dropped before the director saw them: "
                        "reason=queue_full (queue_maxlen reached), reason=socket_full (the "
                        "director's receive buffer was full).",
                        MetricType::Counter);
  for (const io::NfqueueKernelStats& k : in.queues.kernel) {
    const std::string q = std::to_string(k.queue);
    add(dropped, {{"queue", q}, {"reason", "queue_full"}}, k.queue_dropped);
    add(dropped, {{"queue", q}, {"reason", "socket_full"}}, k.user_dropped);
  }
  keep(out, std::move(dropped));
}

void build_dataplane(const DataplaneFigures& d, std::vector<MetricFamily>& out) {
  const struct {
    const char* name;
    const char* help;
    MetricType type;
    double value;
  } singles[] = {
      {"lvs_connections", "Entries in the connection table (connections + persistence templates).",
       MetricType::Gauge, static_cast<double>(d.connections)},
      {"lvs_connection_limit",
       "Most entries the connection table may hold (connection-limit, or derived from memory); "
       "new connections beyond it are dropped "
       "(lvs_forward_errors_total{reason=\"connection_limit\"}).",
       MetricType::Gauge, static_cast<double>(d.connection_limit)},
      {"lvs_connection_evictions_total",
       "Half-open (SYN_RECV) connections removed to admit a new connection at the limit (IPVS "
       "drop_entry).",
       MetricType::Counter, static_cast<double>(d.evictions)},
      {"lvs_connection_table_bytes", "Memory held by the connection table.", MetricType::Gauge,
       static_cast<double>(d.table_bytes)},
      {"lvs_link_mtu", "MTU of the interface the director forwards on (read from the kernel).",
       MetricType::Gauge, static_cast<double>(d.link_mtu)},
      {"lvs_forward_fragmented_total",
       "Packets larger than the MTU (reassembled by the kernel) forwarded in fragments.",
       MetricType::Counter, static_cast<double>(d.fragmented)},
      {"lvs_forward_fragments_total", "Fragments sent for lvs_forward_fragmented_total.",
       MetricType::Counter, static_cast<double>(d.fragments)},
  };
  for (const auto& m : singles) {
    auto f = family(m.name, m.help, m.type);
    add(f, {}, m.value);
    out.push_back(std::move(f));
  }
  auto icmp = family("lvs_icmp_frag_needed_total",
                     "Packets larger than the MTU with DF set, answered with ICMP fragmentation "
                     "needed: result=sent, not_sent (not answerable or send failed), "
                     "rate_limited.",
                     MetricType::Counter);
  add(icmp, {{"result", "sent"}}, static_cast<double>(d.icmp_sent));
  add(icmp, {{"result", "not_sent"}}, static_cast<double>(d.icmp_not_sent));
  add(icmp, {{"result", "rate_limited"}}, static_cast<double>(d.icmp_rate_limited));
  out.push_back(std::move(icmp));
}

}  // namespace

std::vector<MetricFamily> build_director_metrics(const DirectorMetricsInput& input) {
  std::vector<MetricFamily> out;
  build_services(input, out);
  build_neighbours(input, out);
  build_queues(input, out);
  keep_reasons(out, "lvs_forward_errors_total",
               "Queued packets the director did not forward or could not handle, by reason: "
               "a malformed packet (truncated, not_ipv4, bad_checksum, ...), no_service, "
               "no_destination, neighbour_unresolved (no MAC for the server), "
               "fragmentation_needed (DF set, above the MTU), connection_limit (connection "
               "table full), a send "
               "failure (send_*), a queue socket failure (queue_*).",
               input.forward_errors);
  build_dataplane(input.dataplane, out);
  return out;
}

void add_service_counters(const ServiceTable& services, DirectorMetricsInput& input) {
  for (const auto& svc : services.services()) {
    const std::string key = svc->key().to_string();
    input.no_destination[key] = svc->no_dest_total();
    std::vector<Endpoint> overloaded;
    for (const Destination* d : svc->destinations()) {
      if (d->overloaded) overloaded.push_back(d->address);
    }
    if (!overloaded.empty()) input.overloaded[key] = std::move(overloaded);
  }
}

std::array<std::uint64_t, io::kSendErrorCount> send_errors(const io::AfPacketForwarder& forwarder) {
  std::array<std::uint64_t, io::kSendErrorCount> out{};
  for (std::size_t e = 0; e < io::kSendErrorCount; ++e) {
    out[e] = forwarder.errors(static_cast<io::SendError>(e));
  }
  return out;
}

std::vector<prometheus::MetricFamily> build_director_metrics(DirectorMetricsFigures& figures) {
  auto families = build_director_metrics(figures.input);
  for (auto& f : figures.extra) families.push_back(std::move(f));
  return families;
}

std::unique_ptr<DirectorMetricsFigures> gather_director_metrics(const Balancer& balancer,
                                                                const DirectorIo& io,
                                                                const std::string& queue_label) {
  auto figures = std::make_unique<DirectorMetricsFigures>();
  figures->snapshot =
      build_state_snapshot(balancer.services(), balancer.dispatcher(), base::monotonic_ms(), false);
  DirectorMetricsInput& in = figures->input;
  add_service_counters(balancer.services(), in);
  const auto drops = balancer.path().drop_reasons();
  in.forward_errors =
      forward_error_reasons(drops, send_errors(io.forwarder), io.receiver.counters());
  // The receiver counts its queues together: one series labelled with the range ("0", "0-3").
  in.queues.received = {{queue_label, io.receiver.counters().packets}};
  std::string error;
  if (auto kernel = io::read_nfqueue_proc(error)) {
    in.queues.kernel =
        queues_in_range(*kernel, io.receiver.queue_first(), io.receiver.queue_last());
  }
  in.neighbours = balancer.neighbours().entries();
  in.neighbour_stats = balancer.neighbours().stats();
  in.log_lines_suppressed = director_log_suppressed();
  in.arp_socket_drops = io.arp.drops();
  for (ArpParseError e : arp_parse_errors()) {
    in.arp_errors.push_back({std::string(arp_parse_error_name(e)), io.arp.parse_errors(e)});
  }
  in.dataplane.connections = balancer.dispatcher().size();
  in.dataplane.connection_limit = balancer.dispatcher().connection_limit();
  in.dataplane.evictions = balancer.dispatcher().evictions_total();
  in.dataplane.table_bytes = balancer.dispatcher().table().memory_bytes();
  in.dataplane.link_mtu = io.forwarder.mtu();
  in.dataplane.fragmented = io.forwarder.fragmented();
  in.dataplane.fragments = io.forwarder.fragments();
  in.dataplane.icmp_sent = io.forwarder.icmp_sent();
  in.dataplane.icmp_not_sent = io.forwarder.icmp_not_sent();
  in.dataplane.icmp_rate_limited = balancer.path().counters().icmp_rate_limited;
  return figures;
}

std::vector<ReasonCount> forward_error_reasons(
    std::span<const std::pair<std::string_view, std::uint64_t>> drop_reasons,
    const std::array<std::uint64_t, io::kSendErrorCount>& send_errors,
    const io::NfqueueCounters& queue) {
  std::vector<ReasonCount> out;
  for (const auto& [reason, count] : drop_reasons) out.push_back({std::string(reason), count});
  for (std::size_t e = 0; e < io::kSendErrorCount; ++e) {
    out.push_back(
        {std::string(io::send_error_name(static_cast<io::SendError>(e))), send_errors[e]});
  }
  out.push_back({"queue_receive_error", queue.receive_errors});
  out.push_back({"queue_malformed", queue.malformed});
  out.push_back({"queue_netlink_error", queue.netlink_errors});
  out.push_back({"queue_verdict_error", queue.verdict_errors});
  return out;
}

std::vector<io::NfqueueKernelStats> queues_in_range(const std::vector<io::NfqueueKernelStats>& all,
                                                    std::uint16_t first, std::uint16_t last) {
  std::vector<io::NfqueueKernelStats> out;
  for (const auto& k : all) {
    if (k.queue >= first && k.queue <= last) out.push_back(k);
  }
  return out;
}

}  // namespace lvs
