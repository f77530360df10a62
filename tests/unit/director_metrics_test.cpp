// build_director_metrics() serialized with prometheus::TextSerializer, as a scrape sees it: exact
// names, types, labels and values for a hand-built snapshot and counters; lvs_backend_up's four
// conditions one by one; the forward error reasons in their documented order; and the helpers
// that gather the input from the live core (service counters, queue rows).
#include "daemon/director_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "balancer/packet_path.h"
#include "support/packet_builder.h"
#include "support/service_fixture.h"

namespace lvs {
namespace {

constexpr Ipv4 ip(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return (Ipv4{a} << 24) | (Ipv4{b} << 16) | (Ipv4{c} << 8) | d;
}
const Endpoint kVip{ip(10, 200, 0, 100), 80};
const Endpoint kRs1{ip(10, 200, 0, 11), 80};
const Endpoint kRs2{ip(10, 200, 0, 12), 80};
const Endpoint kRs3{ip(10, 200, 0, 13), 80};

ctl::DestinationSnapshot dest(Endpoint address, std::int32_t weight, std::uint32_t active,
                              std::uint32_t inactive, TrafficStats stats) {
  ctl::DestinationSnapshot d;
  d.address = address;
  d.weight = weight;
  d.active_conns = active;
  d.inactive_conns = inactive;
  d.stats = stats;
  return d;
}

// tcp/10.200.0.100:80 with rs1..rs3, udp/10.200.0.100:9000 with rs1 only.
ctl::Snapshot lab_snapshot() {
  ctl::Snapshot snap;
  ctl::ServiceSnapshot http;
  http.key = {config::ServiceProtocol::Tcp, kVip, 0};
  http.scheduler = "wlc";
  http.stats = {.conns = 60, .inpkts = 420, .outpkts = 0, .inbytes = 25200, .outbytes = 0};
  http.destinations = {
      dest(kRs3, 1, 0, 10, {.conns = 10, .inpkts = 70, .inbytes = 4200}),
      dest(kRs2, 2, 1, 19, {.conns = 20, .inpkts = 140, .inbytes = 8400}),
      dest(kRs1, 3, 2, 28, {.conns = 30, .inpkts = 210, .inbytes = 12600}),
  };
  ctl::ServiceSnapshot udp;
  udp.key = {config::ServiceProtocol::Udp, {kVip.addr, 9000}, 0};
  udp.scheduler = "wrr";
  udp.stats = {.conns = 6, .inpkts = 6, .inbytes = 198};
  udp.destinations = {dest({kRs1.addr, 9000}, 3, 0, 6, {.conns = 6, .inpkts = 6, .inbytes = 198})};
  snap.services = {http, udp};
  return snap;
}

std::vector<std::pair<Ipv4, NeighbourEntry>> permanent(std::initializer_list<Ipv4> ips) {
  std::vector<std::pair<Ipv4, NeighbourEntry>> out;
  std::uint8_t last = 0x0b;
  for (Ipv4 a : ips) out.push_back({a, {{2, 0, 0, 0, 0, last++}, NudState::Permanent}});
  return out;
}

std::string serialize(const DirectorMetricsInput& in) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, build_director_metrics(in));
  return out.str();
}

// The sample lines (no # comments) of one family, in output order.
std::vector<std::string> samples(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name + "{") || line.starts_with(name + " ")) out.push_back(line);
  }
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

using Lines = std::vector<std::string>;
using Labels = std::initializer_list<std::pair<const char*, std::string>>;

// One sample line as the serializer writes it: `name{label="value",...} sample`.
std::string line(const std::string& name, Labels labels, const std::string& sample) {
  std::string out = name;
  if (labels.size() > 0) {
    out += '{';
    for (const auto& [label, value] : labels) {
      if (out.back() != '{') out += ',';
      out += std::string(label) + "=\"" + value + '"';
    }
    out += '}';
  }
  return out + " " + sample;
}

// A family as a scrape sees it: its type line, and exactly these samples in this order.
void expect_family(const std::string& text, const std::string& name, const std::string& type,
                   const Lines& expected) {
  EXPECT_TRUE(has_line(text, "# TYPE " + name + " " + type)) << name;
  EXPECT_EQ(samples(text, name), expected) << name;
}

const std::string kTcp = "tcp/10.200.0.100:80";
const std::string kUdp = "udp/10.200.0.100:9000";

TEST(DirectorMetrics, ServiceAndBackendFamiliesHaveExactNamesTypesLabelsAndValues) {
  const ctl::Snapshot snap = lab_snapshot();
  DirectorMetricsInput in(snap);
  in.no_destination = {{kTcp, 2}, {kUdp, 0}};
  in.neighbours = permanent({kRs1.addr, kRs2.addr, kRs3.addr});
  const std::string text = serialize(in);

  // Each service family: its type, the value for the TCP service, the value for the UDP one.
  const struct {
    const char* name;
    const char* type;
    const char* tcp;
    const char* udp;
  } service_families[] = {
      {"lvs_service_connections_total", "counter", "60", "6"},
      {"lvs_service_packets_total", "counter", "420", "6"},
      {"lvs_service_bytes_total", "counter", "25200", "198"},
      {"lvs_scheduler_no_dest_total", "counter", "2", "0"},
  };
  for (const auto& f : service_families) {
    expect_family(
        text, f.name, f.type,
        {line(f.name, {{"service", kTcp}}, f.tcp), line(f.name, {{"service", kUdp}}, f.udp)});
  }

  // Each backend family: its type, then the values for the TCP service's backends in the
  // snapshot's order (rs3, rs2, rs1) and for the UDP service's one (rs1:9000).
  const struct {
    const char* name;
    const char* type;
    const char* rs3;
    const char* rs2;
    const char* rs1;
    const char* udp_rs1;
  } backend_families[] = {
      {"lvs_backend_connections_total", "counter", "10", "20", "30", "6"},
      {"lvs_backend_connections_active", "gauge", "0", "1", "2", "0"},
      {"lvs_backend_connections_inactive", "gauge", "10", "19", "28", "6"},
      {"lvs_backend_weight", "gauge", "1", "2", "3", "3"},
      {"lvs_backend_up", "gauge", "1", "1", "1", "1"},
      {"lvs_backend_packets_total", "counter", "70", "140", "210", "6"},
      {"lvs_backend_bytes_total", "counter", "4200", "8400", "12600", "198"},
  };
  for (const auto& f : backend_families) {
    expect_family(text, f.name, f.type,
                  {line(f.name, {{"service", kTcp}, {"backend", "10.200.0.13:80"}}, f.rs3),
                   line(f.name, {{"service", kTcp}, {"backend", "10.200.0.12:80"}}, f.rs2),
                   line(f.name, {{"service", kTcp}, {"backend", "10.200.0.11:80"}}, f.rs1),
                   line(f.name, {{"service", kUdp}, {"backend", "10.200.0.11:9000"}}, f.udp_rs1)});
  }
}

// lvs_service_info: 1 per service, the scheduler and its flags (under the scheduler's own
// names) as labels.
TEST(DirectorMetrics, ServiceInfoNamesTheSchedulerAndItsFlags) {
  ctl::Snapshot snap = lab_snapshot();
  snap.services[1].scheduler = "mh";
  snap.services[1].sched_port = true;
  DirectorMetricsInput in(snap);
  in.neighbours = permanent({kRs1.addr, kRs2.addr, kRs3.addr});
  expect_family(
      serialize(in), "lvs_service_info", "gauge",
      {line("lvs_service_info", {{"service", kTcp}, {"scheduler", "wlc"}, {"flags", ""}}, "1"),
       line("lvs_service_info", {{"service", kUdp}, {"scheduler", "mh"}, {"flags", "mh-port"}},
            "1")});
}

TEST(DirectorMetrics, EveryFamilyHasHelpText) {
  const ctl::Snapshot snap = lab_snapshot();
  DirectorMetricsInput in(snap);
  in.no_destination = {{"tcp/10.200.0.100:80", 0}};
  in.neighbours = permanent({kRs1.addr});
  in.queues.received = {{"0", 1}};
  in.queues.kernel = {io::NfqueueKernelStats{.queue = 0}};
  in.forward_errors = {{"no_service", 0}};
  for (const auto& f : build_director_metrics(in)) {
    EXPECT_TRUE(f.name.starts_with("lvs_")) << f.name;
    EXPECT_GT(f.help.size(), 10u) << f.name;
  }
}

TEST(DirectorMetrics, CountersAreExactIntegersUpTo2To53) {
  ctl::Snapshot snap = lab_snapshot();
  snap.services[0].stats.inbytes = 9007199254740992ull;  // 2^53
  DirectorMetricsInput in(snap);
  EXPECT_EQ(samples(serialize(in), "lvs_service_bytes_total")[0],
            R"(lvs_service_bytes_total{service="tcp/10.200.0.100:80"} 9007199254740992)");
}

TEST(DirectorMetrics, BackendUpNeedsWeightNoOverloadAndAUsableMac) {
  ctl::Snapshot snap = lab_snapshot();
  snap.services.resize(1);
  snap.services[0].destinations[0].weight = 0;  // rs3 quiesced
  DirectorMetricsInput in(snap);
  in.overloaded = {{kTcp, {kRs2}}};  // rs2 over its u-threshold
  in.neighbours = permanent({kRs1.addr, kRs2.addr, kRs3.addr});
  auto up = [](const char* backend, const char* value) {
    return line("lvs_backend_up", {{"service", kTcp}, {"backend", backend}}, value);
  };
  EXPECT_EQ(
      samples(serialize(in), "lvs_backend_up"),
      (Lines{up("10.200.0.13:80", "0"), up("10.200.0.12:80", "0"), up("10.200.0.11:80", "1")}));

  // rs1 (the third sample) without a neighbour entry, with one that is not NUD_VALID, with a
  // STALE one; then overloaded in another service that has the same address, which does not
  // count here.
  const struct {
    std::vector<std::pair<Ipv4, NeighbourEntry>> neighbours;
    std::map<std::string, std::vector<Endpoint>> overloaded;
    const char* up;
  } cases[] = {
      {permanent({kRs2.addr, kRs3.addr}), {{kTcp, {kRs2}}}, "0"},
      {{{kRs1.addr, {{2, 0, 0, 0, 0, 0x0b}, NudState::Incomplete}}}, {{kTcp, {kRs2}}}, "0"},
      {{{kRs1.addr, {{2, 0, 0, 0, 0, 0x0b}, NudState::Stale}}}, {{kTcp, {kRs2}}}, "1"},
      {{{kRs1.addr, {{2, 0, 0, 0, 0, 0x0b}, NudState::Stale}}}, {{kUdp, {kRs1}}}, "1"},
  };
  for (const auto& c : cases) {
    in.neighbours = c.neighbours;
    in.overloaded = c.overloaded;
    EXPECT_EQ(samples(serialize(in), "lvs_backend_up")[2], up("10.200.0.11:80", c.up));
  }
}

TEST(DirectorMetrics, FwmarkServiceLabel) {
  ctl::Snapshot snap;
  ctl::ServiceSnapshot svc;
  svc.key = {config::ServiceProtocol::Fwmark, {}, 7};
  svc.destinations = {dest({kRs1.addr, 0}, 1, 0, 0, {})};
  snap.services = {svc};
  DirectorMetricsInput in(snap);
  const std::string text = serialize(in);
  EXPECT_EQ(samples(text, "lvs_service_connections_total"),
            (Lines{R"(lvs_service_connections_total{service="fwm/7"} 0)"}));
  EXPECT_EQ(samples(text, "lvs_backend_weight"),
            (Lines{R"(lvs_backend_weight{service="fwm/7",backend="10.200.0.11:0"} 1)"}));
}

TEST(DirectorMetrics, NeighbourEntriesStateAndCounters) {
  const ctl::Snapshot snap;
  DirectorMetricsInput in(snap);
  in.neighbours = permanent({kRs1.addr, kRs2.addr});
  in.neighbours.push_back({kRs3.addr, {{}, NudState::Failed}});
  in.neighbour_stats = {.allocs = 3,
                        .destroys = 1,
                        .lookups = 100,
                        .hits = 97,
                        .res_failed = 4,
                        .periodic_gc_runs = 5,
                        .forced_gc_runs = 6,
                        .unres_discards = 7,
                        .table_fulls = 8,
                        .lladdr_changes = 2,
                        .unres_drops = 9,
                        .spoof_suspects = 10};
  const std::string text = serialize(in);

  expect_family(text, "lvs_neighbour_entries", "gauge", {"lvs_neighbour_entries 3"});
  expect_family(text, "lvs_neighbour_state", "gauge",
                {R"(lvs_neighbour_state{ip="10.200.0.11",state="PERMANENT"} 1)",
                 R"(lvs_neighbour_state{ip="10.200.0.12",state="PERMANENT"} 1)",
                 R"(lvs_neighbour_state{ip="10.200.0.13",state="FAILED"} 1)"});
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"lvs_neighbour_allocs_total", "3"},
           {"lvs_neighbour_destroys_total", "1"},
           {"lvs_neighbour_lookups_total", "100"},
           {"lvs_neighbour_hits_total", "97"},
           {"lvs_neighbour_lladdr_changes_total", "2"},
           {"lvs_neighbour_res_failed_total", "4"},
           {"lvs_neighbour_periodic_gc_runs_total", "5"},
           {"lvs_neighbour_forced_gc_runs_total", "6"},
           {"lvs_neighbour_unres_discards_total", "7"},
           {"lvs_neighbour_table_fulls_total", "8"},
           {"lvs_neighbour_unres_drops_total", "9"},
           {"lvs_neighbour_spoof_suspects_total", "10"}}) {
    expect_family(text, name, "counter", {name + " " + value});
  }
  // No ARP socket figures given: the family is left out.
  EXPECT_EQ(text.find("lvs_neighbour_arp_errors_total"), std::string::npos);
}

TEST(DirectorMetrics, HardeningCounters) {
  const ctl::Snapshot snap;
  DirectorMetricsInput in(snap);
  in.neighbour_stats.unwanted_arp = 300000;
  in.neighbour_stats.gc_skipped_in_use = 11;
  in.neighbour_stats.lladdr_change_checks = 12;
  in.neighbour_stats.lladdr_change_probes = 13;
  in.neighbour_stats.lladdr_changes_rejected = 14;
  in.neighbour_stats.lladdr_changes_confirmed = 15;
  in.neighbour_stats.lladdr_claims_refused = 16;
  in.log_lines_suppressed = 17;
  in.arp_socket_drops = 18;
  const std::string text = serialize(in);
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"lvs_neighbour_unwanted_arp_total", "300000"},
           {"lvs_neighbour_gc_skipped_in_use_total", "11"},
           {"lvs_neighbour_lladdr_change_checks_total", "12"},
           {"lvs_neighbour_lladdr_change_probes_total", "13"},
           {"lvs_neighbour_lladdr_changes_rejected_total", "14"},
           {"lvs_neighbour_lladdr_changes_confirmed_total", "15"},
           {"lvs_neighbour_lladdr_claims_refused_total", "16"},
           {"lvs_log_lines_suppressed_total", "17"},
           {"lvs_neighbour_arp_socket_drops_total", "18"}}) {
    expect_family(text, name, "counter", {name + " " + value});
  }
}

TEST(DirectorMetrics, ArpErrorsByReason) {
  const ctl::Snapshot snap;
  DirectorMetricsInput in(snap);
  in.arp_errors = {{"truncated", 2}, {"not_arp", 0}};
  const std::string text = serialize(in);
  expect_family(text, "lvs_neighbour_arp_errors_total", "counter",
                {R"(lvs_neighbour_arp_errors_total{reason="truncated"} 2)",
                 R"(lvs_neighbour_arp_errors_total{reason="not_arp"} 0)"});
}

TEST(DirectorMetrics, EmptyNeighbourTableExportsZeroEntriesAndNoStateSeries) {
  const ctl::Snapshot snap;
  DirectorMetricsInput in(snap);
  const std::string text = serialize(in);
  EXPECT_EQ(samples(text, "lvs_neighbour_entries"), (Lines{"lvs_neighbour_entries 0"}));
  EXPECT_EQ(text.find("lvs_neighbour_state"), std::string::npos);
  // No services: no service or backend family at all (not even a bare header).
  EXPECT_EQ(text.find("lvs_service_"), std::string::npos);
  EXPECT_EQ(text.find("lvs_backend_"), std::string::npos);
}

TEST(DirectorMetrics, QueuePacketsAndKernelDrops) {
  const ctl::Snapshot snap;
  DirectorMetricsInput in(snap);
  in.queues.received = {{"0-1", 1234}};
  in.queues.kernel = {io::NfqueueKernelStats{.queue = 0, .queue_dropped = 5, .user_dropped = 7},
                      io::NfqueueKernelStats{.queue = 1}};
  const std::string text = serialize(in);
  expect_family(text, "lvs_queue_packets_total", "counter",
                {R"(lvs_queue_packets_total{queue="0-1"} 1234)"});
  expect_family(text, "lvs_queue_dropped_total", "counter",
                {R"(lvs_queue_dropped_total{queue="0",reason="queue_full"} 5)",
                 R"(lvs_queue_dropped_total{queue="0",reason="socket_full"} 7)",
                 R"(lvs_queue_dropped_total{queue="1",reason="queue_full"} 0)",
                 R"(lvs_queue_dropped_total{queue="1",reason="socket_full"} 0)"});

  // The proc file unreadable: no drop series rather than made-up zeros.
  in.queues.kernel.clear();
  EXPECT_EQ(serialize(in).find("lvs_queue_dropped_total"), std::string::npos);
}

TEST(DirectorMetrics, QueuesInRangeKeepsOnlyOurs) {
  const std::vector<io::NfqueueKernelStats> all = {
      {.queue = 0}, {.queue = 3}, {.queue = 4}, {.queue = 6}, {.queue = 7}};
  std::vector<std::uint32_t> kept;
  for (const auto& k : queues_in_range(all, 3, 6)) kept.push_back(k.queue);
  EXPECT_EQ(kept, (std::vector<std::uint32_t>{3, 4, 6}));
}

TEST(DirectorMetrics, ForwardErrorReasonsInTheirStableOrder) {
  // The real packet path's reasons: two truncated packets, one valid packet for no service.
  ServiceTable services;
  Dispatcher dispatcher;
  NeighbourTable neighbours;
  PacketPath path(services, dispatcher, neighbours);
  NeighbourEvents events;
  const std::uint8_t runt[3] = {0x45, 0, 0};
  path.decide(runt, 0, 0, events);
  path.decide(runt, 0, 0, events);
  // 10.200.0.10:40000 -> 10.200.0.100:80 UDP, no service configured.
  path.decide(test::ipv4_packet(kProtoUdp, test::kClient, 40000, kVip.addr, 80), 0, 0, events);
  const auto drops = path.drop_reasons();
  std::array<std::uint64_t, io::kSendErrorCount> send{};
  send[static_cast<std::size_t>(io::SendError::NoBufferSpace)] = 3;
  io::NfqueueCounters q;
  q.receive_errors = 1;
  q.malformed = 2;
  q.netlink_errors = 5;
  q.verdict_errors = 6;

  const ctl::Snapshot snap;
  DirectorMetricsInput in(snap);
  in.forward_errors = forward_error_reasons(drops, send, q);
  const std::string text = serialize(in);
  // Every reason in the documented order, the ones that happened with their counts.
  const std::pair<const char*, const char*> reasons[] = {
      {"truncated", "2"},
      {"not_ipv4", "0"},
      {"bad_header_length", "0"},
      {"bad_total_length", "0"},
      {"bad_checksum", "0"},
      {"unsupported_protocol", "0"},
      {"fragment", "0"},
      {"truncated_l4", "0"},
      {"bad_tcp_header_length", "0"},
      {"bad_udp_length", "0"},
      {"no_service", "1"},
      {"no_destination", "0"},
      {"neighbour_unresolved", "0"},
      {"fragmentation_needed", "0"},
      {"connection_limit", "0"},
      {"send_no_buffer_space", "3"},
      {"send_message_too_long", "0"},
      {"send_interface_down", "0"},
      {"send_other", "0"},
      {"queue_receive_error", "1"},
      {"queue_malformed", "2"},
      {"queue_netlink_error", "5"},
      {"queue_verdict_error", "6"},
  };
  Lines expected;
  for (const auto& [reason, count] : reasons) {
    expected.push_back(line("lvs_forward_errors_total", {{"reason", reason}}, count));
  }
  expect_family(text, "lvs_forward_errors_total", "counter", expected);
}

// The live-core helper: per-service no-destination counts and overloaded backends, keyed by the
// same label the snapshot's services get.
TEST(DirectorMetrics, ServiceCountersFromTheLiveTable) {
  test::LoadedServices services(R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: rr
    real-servers:
      - {real-server: 10.200.0.11:80, weight: 1, u-threshold: 1}
)");
  const ServiceTable& table = services.table;
  VirtualService* vs = services.service("tcp/10.200.0.100:80");
  ASSERT_NE(vs, nullptr);
  Destination* d = vs->find(kRs1);
  ASSERT_NE(d, nullptr);

  const ctl::Snapshot snap;
  DirectorMetricsInput in(snap);
  add_service_counters(table, in);
  EXPECT_EQ(in.no_destination, (std::map<std::string, std::uint64_t>{{"tcp/10.200.0.100:80", 0}}));
  EXPECT_TRUE(in.overloaded.empty());

  // One connection reaches the u-threshold: overloaded, and the next schedule finds nobody.
  VirtualService::bind(*d, ConnCount::Active);
  ASSERT_TRUE(d->overloaded);
  PacketInfo p;
  p.protocol = 6;
  p.daddr = kVip.addr;
  p.dport = 80;
  EXPECT_EQ(vs->schedule(p, 0), nullptr);

  DirectorMetricsInput again(snap);
  add_service_counters(table, again);
  EXPECT_EQ(again.no_destination.at("tcp/10.200.0.100:80"), 1u);
  EXPECT_EQ(again.overloaded.at("tcp/10.200.0.100:80"), (std::vector<Endpoint>{kRs1}));
  VirtualService::unbind(*d, ConnCount::Active);
}

}  // namespace
}  // namespace lvs
