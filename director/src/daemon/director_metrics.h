// The director's Prometheus metrics (DESIGN.md §5), built as plain prometheus::MetricFamily
// values from copies of the daemon's counters. Pure: no clock, no sockets, no registry — the
// event loop copies the figures once a second (gather_director_metrics()), the MetricsPublisher
// thread calls build_director_metrics() on them and hands the result to
// base::MetricsHttpServer::publish(); scrapes only ever see that published copy.
//
// Families (labels `service="tcp/10.200.0.100:80"`, `backend="10.200.0.11:80"`):
//
//   lvs_service_connections_total{service}           counter  connections scheduled
//   lvs_service_packets_total{service}               counter  packets forwarded (in + out)
//   lvs_service_bytes_total{service}                 counter  bytes forwarded (in + out)
//   lvs_scheduler_no_dest_total{service}             counter  new connections the scheduler
//                                                             found no server for (dropped)
//   lvs_backend_connections_total{service,backend}   counter  connections scheduled to it
//   lvs_backend_connections_active{service,backend}  gauge    ESTABLISHED TCP connections
//   lvs_backend_connections_inactive{service,backend} gauge   every other connection
//   lvs_backend_weight{service,backend}              gauge    configured weight
//   lvs_backend_up{service,backend}                  gauge    1 when it can be chosen (below)
//   lvs_backend_packets_total{service,backend}       counter  packets forwarded to it
//   lvs_backend_bytes_total{service,backend}         counter  bytes forwarded to it
//   lvs_neighbour_entries                            gauge    entries in the neighbour table
//   lvs_neighbour_state{ip,state}                    gauge    1, one sample per entry, labelled
//                                                             with its current NUD state
//   lvs_neighbour_{allocs,destroys,lookups,hits,lladdr_changes,res_failed,periodic_gc_runs,
//     forced_gc_runs,unres_discards,unres_drops,table_fulls,spoof_suspects,unwanted_arp,
//     gc_skipped_in_use,lladdr_change_checks,lladdr_change_probes,lladdr_changes_rejected,
//     lladdr_changes_confirmed,lladdr_claims_refused}_total
//                                                    counter  NeighbourStats
//   lvs_log_lines_suppressed_total                   counter  log lines the rate limit dropped
//   lvs_neighbour_arp_socket_drops_total             counter  ARP frames lost, socket buffer full
//   lvs_neighbour_arp_errors_total{reason}           counter  ARP frames refused by the codec
//   lvs_queue_packets_total{queue}                   counter  packets our socket received
//   lvs_queue_dropped_total{queue,reason}            counter  the kernel's per-queue drops
//   lvs_forward_errors_total{reason}                 counter  packets not forwarded, by reason
//   lvs_connections                                  gauge    connection-table entries
//                                                             (connections + templates)
//   lvs_connection_limit                             gauge    their cap (connection-limit or
//                                                             the memory-derived default)
//   lvs_connection_evictions_total                   counter  half-open connections removed
//                                                             to admit new ones at the limit
//   lvs_connection_table_bytes                       gauge    memory the table holds
//   lvs_link_mtu                                     gauge    the interface MTU forwarding uses
//   lvs_forward_fragmented_total                     counter  packets above the MTU sent in
//                                                             fragments
//   lvs_forward_fragments_total                      counter  the fragments made of them
//   lvs_icmp_frag_needed_total{result}               counter  DF packets above the MTU answered
//                                                             with ICMP: sent, not_sent (not
//                                                             answerable or sendto failed),
//                                                             rate_limited
//
// Under direct routing the director never sees the replies, so "packets" and "bytes" count the
// client-to-server direction only (as `ipvsadm --stats` shows OutPkts 0 for DR).
//
// lvs_backend_up is 1 exactly when the backend can be chosen for a new connection: linked in its
// service (every destination of the snapshot is), weight > 0, not overloaded by its u/l
// thresholds (IP_VS_DEST_F_OVERLOAD), and its IP has a neighbour entry in a NUD_VALID state (a
// usable MAC). Otherwise 0 — a quiesced, overloaded, not yet resolved or dead (FAILED) server is
// 0 even though it is listed.
//
// Neighbour counters: every NeighbourStats counter (the kernel's /proc/net/stat/arp_cache
// columns that apply to ARP, plus lladdr_changes, unres_drops and spoof_suspects of our own).
//
// lvs_forward_errors_total{reason} — every reason is always exported (0 means none happened),
// in this stable order; names are part of the interface (add at the end, never rename):
//   the parser's (packet/parse_error.h): truncated, not_ipv4, bad_header_length,
//     bad_total_length, bad_checksum, unsupported_protocol, fragment, truncated_l4,
//     bad_tcp_header_length, bad_udp_length
//   the packet path's (balancer/packet_path.h): no_service, no_destination, neighbour_unresolved,
//     fragmentation_needed (DF set, above the MTU), connection_limit (table full)
//   the forwarder's (io/af_packet_forwarder.h): send_no_buffer_space, send_message_too_long,
//     send_interface_down, send_other
//   the queue socket's (io/nfqueue_receiver.h): queue_receive_error (recvmmsg failed),
//     queue_malformed (a message without id or payload), queue_netlink_error (the kernel
//     refused a message, e.g. a verdict), queue_verdict_error (sending verdicts failed)
//
// lvs_queue_dropped_total{queue,reason} comes from /proc/net/netfilter/nfnetlink_queue:
// reason="queue_full" is the kernel's queue_dropped (queue_maxlen reached), reason="socket_full"
// its user_dropped (our receive buffer was full). Both are 32-bit in the kernel and start at 0
// when the queue is bound.
#pragma once

#include <prometheus/metric_family.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "balancer/balancer.h"
#include "config/net_address.h"
#include "ctl/snapshot.h"
#include "daemon/director_io.h"
#include "io/af_packet_forwarder.h"
#include "io/nfqueue_receiver.h"
#include "io/nfqueue_stats.h"
#include "neigh/neighbour_table.h"
#include "service/service_table.h"

namespace lvs {

// A count with its label value (reason).
struct ReasonCount {
  std::string reason;
  std::uint64_t count = 0;
};

// The queue figures: what our socket received and what the kernel dropped.
struct QueueFigures {
  // Packets received per queue, labelled with the queue number. The receiver counts all its
  // queues together today, so the daemon passes one entry labelled with the configured range
  // ("0", or "0-3" for several queues).
  std::vector<std::pair<std::string, std::uint64_t>> received;
  // The kernel's counters for our queues (only those in the configured range); empty when the
  // proc file could not be read, in which case lvs_queue_dropped_total is not exported.
  std::vector<io::NfqueueKernelStats> kernel;
};

// The connection table's size against its limit, the MTU, fragmentation and ICMP errors.
struct DataplaneFigures {
  std::uint64_t connections = 0;
  std::uint64_t connection_limit = 0;
  std::uint64_t evictions = 0;
  std::uint64_t table_bytes = 0;
  std::uint32_t link_mtu = 0;
  std::uint64_t fragmented = 0;
  std::uint64_t fragments = 0;
  std::uint64_t icmp_sent = 0;
  std::uint64_t icmp_not_sent = 0;
  std::uint64_t icmp_rate_limited = 0;
};

struct DirectorMetricsInput {
  explicit DirectorMetricsInput(const ctl::Snapshot& snap) : snapshot(snap) {}

  // Services, backends, their counters, connection counts and weights.
  const ctl::Snapshot& snapshot;
  // What the snapshot does not carry, keyed by the service label (format_service_key()):
  // lvs_scheduler_no_dest_total (VirtualService::no_dest_total()) ...
  std::map<std::string, std::uint64_t> no_destination;
  // ... and the backends whose overload flag is set (lvs_backend_up 0).
  std::map<std::string, std::vector<Endpoint>> overloaded;
  // lvs_forward_errors_total, in the order above (forward_error_reasons()).
  std::vector<ReasonCount> forward_errors;
  QueueFigures queues;
  // NeighbourTable::entries() and stats().
  std::vector<std::pair<Ipv4, NeighbourEntry>> neighbours;
  NeighbourStats neighbour_stats;
  std::uint64_t log_lines_suppressed = 0;  // daemon/director_log.h's rate limit
  // The ARP socket's refused frames, every reason (packet/arp_frame.h) in enum order; empty: the
  // family is left out.
  std::vector<ReasonCount> arp_errors;
  DataplaneFigures dataplane;
  std::uint64_t arp_socket_drops = 0;  // frames the kernel dropped, receive buffer full
};

std::vector<prometheus::MetricFamily> build_director_metrics(const DirectorMetricsInput& input);

// Fills `no_destination` and `overloaded` from the live services.
void add_service_counters(const ServiceTable& services, DirectorMetricsInput& input);

// The forwarder's error counters, in SendError order.
std::array<std::uint64_t, io::kSendErrorCount> send_errors(const io::AfPacketForwarder& forwarder);

// Every lvs_forward_errors_total reason with its count, in the documented order: `drop_reasons`
// is PacketPath::drop_reasons().
std::vector<ReasonCount> forward_error_reasons(
    std::span<const std::pair<std::string_view, std::uint64_t>> drop_reasons,
    const std::array<std::uint64_t, io::kSendErrorCount>& send_errors,
    const io::NfqueueCounters& queue);

// Everything the families carry, read now from the running director: the core's state and
// counters and the adapters' counters (`queue_label` names the queue range, "0" or "0-3").
// What the event loop copies out of the live core once a second (a plain copy: no formatting),
// owning the snapshot its input refers to; built into families off the packet thread
// (daemon/metrics_publisher.h), since formatting tens of thousands of backends' series takes far
// longer than copying their counters.
struct DirectorMetricsFigures {
  DirectorMetricsFigures() = default;
  DirectorMetricsFigures(const DirectorMetricsFigures&) = delete;
  DirectorMetricsFigures& operator=(const DirectorMetricsFigures&) = delete;
  ctl::Snapshot snapshot;
  DirectorMetricsInput input{snapshot};
  // Families the daemon adds as they are (the event loop's own figures).
  std::vector<prometheus::MetricFamily> extra;
};

std::unique_ptr<DirectorMetricsFigures> gather_director_metrics(const Balancer& balancer,
                                                                const DirectorIo& io,
                                                                const std::string& queue_label);

// build_director_metrics(figures.input) followed by figures.extra.
std::vector<prometheus::MetricFamily> build_director_metrics(DirectorMetricsFigures& figures);

// The kernel's rows for queues first..last (others belong to other processes).
std::vector<io::NfqueueKernelStats> queues_in_range(const std::vector<io::NfqueueKernelStats>& all,
                                                    std::uint16_t first, std::uint16_t last);

}  // namespace lvs
