// Connection table at a million connections: insert, lookup, expiry, churn, and the memory a
// connection costs (the table's own accounting and, as a cross-check, the process RSS delta).
//
// Keys are 2^20 distinct TCP client endpoints to one VIP:port. Lookups visit them in a scrambled
// order (an odd multiplier modulo 2^20 is a permutation), so almost every lookup misses the cache
// as a real packet stream would; the keys are computed, not read from an array, so the only memory
// traffic is the table's own.
//
// Reference measured in the same run: std::unordered_map<ConnKey, record> holding a record of the
// same payload, reserved for the same size, with an equally strong hash.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <unordered_map>
#include <vector>

#include "conn/connection_table.h"
#include "sched/round_robin.h"
#include "service/virtual_service.h"

namespace lvs {
namespace {

constexpr std::uint32_t kConnections = 1u << 20;  // "1M"
constexpr std::uint32_t kServers = 16;
constexpr Ipv4 kVip = 0x0ac80064;  // 10.200.0.100
constexpr TimeMs kStart = 1'000'000;

// glibc grows its mmap threshold after the first large free, after which freed arenas are kept
// and reused and an RSS delta says nothing. Pin it so big blocks are always mmapped and returned.
const bool kMallocPinned = [] {
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
  return true;
}();

std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0;
  unsigned long resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Connection number i (i < 2^20): the multiplier is odd, so client addresses are distinct.
ConnKey key_of(std::uint32_t i) {
  ConnKey k;
  k.protocol = kProtoTcp;
  k.caddr = i * 0x9e3779b1u;
  k.cport = static_cast<std::uint16_t>(1024 + (i * 40503u) % 60000u);
  k.vaddr = kVip;
  k.vport = 80;
  return k;
}

// The j-th key of a scrambled walk over all 2^20 connections.
std::uint32_t scrambled(std::uint32_t j) { return (j * 0x2545f491u) & (kConnections - 1); }

// A service whose destinations the connections bind to (rr: load_changed is a no-op, so what is
// measured is the table and the counters, not a scheduler index).
struct Backends {
  VirtualService svc{config::ServiceKey{config::ServiceProtocol::Tcp, Endpoint{kVip, 80}, 0},
                     std::make_unique<RoundRobin>(), SchedulerFlags{}};
  std::vector<Destination*> dests;
  Backends() {
    for (std::uint32_t i = 0; i < kServers; ++i) {
      dests.push_back(svc.add_destination(Endpoint{0x0ac8000bu + i, 80}, DestinationParams{}));
    }
  }
  Destination& for_conn(std::uint32_t i) { return *dests[i % kServers]; }
};

void fill(ConnectionTable& table, Backends& backends, std::uint32_t count) {
  for (std::uint32_t i = 0; i < count; ++i) {
    table.insert_connection(key_of(i), backends.for_conn(i), ConnState::Established, {}, kStart);
  }
}

// --- insert: fill an empty table with 1M connections ----------------------------------------
// Arg 0: the table starts at its minimum size and grows (rehashes) as it fills;
// Arg 1: constructed with expected_records = 1M (what the daemon does from its config).
void BM_ConnInsert(benchmark::State& state) {
  Backends backends;
  const bool presized = state.range(0) != 0;
  double bytes_per_conn = 0;
  double rss_per_conn = 0;
  for (auto _ : state) {
    malloc_trim(0);
    const std::size_t rss_before = resident_bytes();
    auto table = std::make_unique<ConnectionTable>(presized ? kConnections : 0, kStart);
    fill(*table, backends, kConnections);
    const std::size_t rss_after = resident_bytes();
    state.PauseTiming();
    bytes_per_conn =
        static_cast<double>(table->memory_bytes()) / static_cast<double>(table->size());
    rss_per_conn = static_cast<double>(rss_after - rss_before) / kConnections;
    table->flush();
    table.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kConnections);
  state.counters["bytes_per_conn"] = bytes_per_conn;
  state.counters["rss_bytes_per_conn"] = rss_per_conn;
}
BENCHMARK(BM_ConnInsert)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

// --- lookup: find() of random keys in a table of 1M ------------------------------------------
// One filled table shared by the lookup benchmarks: the library calls a benchmark function several
// times while it sizes the iteration count, and refilling each time would dominate the run.
struct FilledTable {
  Backends backends;
  ConnectionTable table{0, kStart};
  FilledTable() { fill(table, backends, kConnections); }
};
ConnectionTable& filled_table() {
  static FilledTable shared;
  return shared.table;
}

void BM_ConnLookup(benchmark::State& state) {
  const ConnectionTable& table = filled_table();
  std::uint32_t j = 0;
  std::uint64_t hits = 0;
  for (auto _ : state) {
    const ConnHandle h = table.find(key_of(scrambled(j++)));
    hits += h.valid() ? 1 : 0;
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["hit_ratio"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
  state.counters["bytes_per_conn"] =
      static_cast<double>(table.memory_bytes()) / static_cast<double>(table.size());
}
BENCHMARK(BM_ConnLookup)->Repetitions(5)->ReportAggregatesOnly(true);

// A miss (a packet of no known connection, i.e. the lookup before scheduling a new one).
void BM_ConnLookupMiss(benchmark::State& state) {
  const ConnectionTable& table = filled_table();
  std::uint32_t j = 0;
  std::uint64_t hits = 0;
  for (auto _ : state) {
    ConnKey k = key_of(scrambled(j++));
    k.vport = 443;  // same clients, a port no connection uses
    const ConnHandle h = table.find(k);
    hits += h.valid() ? 1 : 0;
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["hit_ratio"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ConnLookupMiss)->Repetitions(5)->ReportAggregatesOnly(true);

// --- batched lookup: find_batch() of 32 random keys at a time, table of 1M --------------------
// What the packet path does with an NFQUEUE read of tens of packets. The keys come from the same
// scrambled walk as BM_ConnLookup (one batch = the next 32 of it), computed into a small array that
// stays in L1. Items are lookups, so items_per_second and per_lookup compare directly with the
// single-lookup figures; the Time/CPU columns are per batch.
constexpr std::size_t kBatch = 32;

void lookup_batches(benchmark::State& state, std::uint16_t vport) {
  const ConnectionTable& table = filled_table();
  ConnKey keys[kBatch];
  ConnHandle out[kBatch];
  std::uint32_t j = 0;
  std::uint64_t hits = 0;
  for (auto _ : state) {
    for (ConnKey& k : keys) {
      k = key_of(scrambled(j++));
      k.vport = vport;
    }
    table.find_batch(keys, out);
    for (const ConnHandle& h : out) hits += h.valid() ? 1 : 0;
    benchmark::DoNotOptimize(out);
  }
  const auto lookups = static_cast<double>(state.iterations()) * kBatch;
  state.SetItemsProcessed(static_cast<std::int64_t>(lookups));
  // CPU time per lookup (the inverse of items_per_second), printed in seconds, e.g. "52.8ns".
  state.counters["per_lookup"] =
      benchmark::Counter(lookups, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["hit_ratio"] = static_cast<double>(hits) / lookups;
}

void BM_ConnLookupBatch(benchmark::State& state) { lookup_batches(state, 80); }
BENCHMARK(BM_ConnLookupBatch)->Repetitions(5)->ReportAggregatesOnly(true);

// The same for absent keys (same clients, port 443), as BM_ConnLookupMiss.
void BM_ConnLookupBatchMiss(benchmark::State& state) { lookup_batches(state, 443); }
BENCHMARK(BM_ConnLookupBatchMiss)->Repetitions(5)->ReportAggregatesOnly(true);

// --- churn: at 1M, one new connection in and the oldest out (insert + expire_now) ------------
void BM_ConnChurn(benchmark::State& state) {
  Backends backends;
  ConnectionTable table(kConnections, kStart);
  std::vector<ConnHandle> fifo(kConnections);
  for (std::uint32_t i = 0; i < kConnections; ++i) {
    fifo[i] = table.insert_connection(key_of(i), backends.for_conn(i), ConnState::Established, {},
                                      kStart);
  }
  // New keys: the same clients on another source-port range, so they are never already present.
  std::uint32_t next = 0;
  for (auto _ : state) {
    const std::uint32_t slot = next & (kConnections - 1);
    table.expire_now(fifo[slot], kStart);
    ConnKey k = key_of(scrambled(next));
    k.cport = static_cast<std::uint16_t>(k.cport ^ ((next >> 20) & 1 ? 0 : 0x8000));
    fifo[slot] =
        table.insert_connection(k, backends.for_conn(next), ConnState::Established, {}, kStart);
    ++next;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["size"] = static_cast<double>(table.size());
  table.flush();
}
BENCHMARK(BM_ConnChurn)->Repetitions(5)->ReportAggregatesOnly(true);

// --- expiry: 1M connections due over one minute, the daemon's timer ticking once a second -----
void BM_ConnExpire(benchmark::State& state) {
  Backends backends;
  std::size_t expired = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto table = std::make_unique<ConnectionTable>(kConnections, kStart);
    for (std::uint32_t i = 0; i < kConnections; ++i) {
      const ConnHandle h = table->insert_connection(key_of(i), backends.for_conn(i),
                                                    ConnState::Established, {}, kStart);
      // Deadlines spread over 60 s (re-armed as the first packets would re-arm them).
      table->rearm(h, kStart + 1000 + (std::uint64_t{i} * 7919u) % 60000u);
    }
    state.ResumeTiming();
    for (TimeMs now = kStart; now <= kStart + 62'000; now += 1000) expired += table->expire(now);
    state.PauseTiming();
    if (table->size() != 0) state.SkipWithError("connections left after their deadline");
    table.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(expired));
}
BENCHMARK(BM_ConnExpire)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

// --- reference: std::unordered_map with the same payload --------------------------------------
struct ReferenceRecord {  // what a record carries besides its key and links
  Destination* dest;
  std::uint64_t expires;
  std::uint32_t link;
  std::uint32_t aux;
  std::uint16_t generation;
  std::uint8_t state;
  std::uint8_t flags;
};

// The reference map uses the table's own hash, so the comparison is of the structures.
struct ConnKeyHash {
  std::size_t operator()(const ConnKey& key) const { return ConnectionTable::hash(key); }
};

using ReferenceMap = std::unordered_map<ConnKey, ReferenceRecord, ConnKeyHash>;

void fill_reference(ReferenceMap& map, Backends& backends) {
  for (std::uint32_t i = 0; i < kConnections; ++i) {
    map.emplace(key_of(i), ReferenceRecord{&backends.for_conn(i), kStart + 3000, 0, 0, 0, 1, 0});
  }
}

void BM_RefUnorderedMapInsert(benchmark::State& state) {
  Backends backends;
  double rss_per_conn = 0;
  for (auto _ : state) {
    malloc_trim(0);
    const std::size_t rss_before = resident_bytes();
    auto map = std::make_unique<ReferenceMap>();
    map->reserve(kConnections);
    fill_reference(*map, backends);
    const std::size_t rss_after = resident_bytes();
    state.PauseTiming();
    rss_per_conn = static_cast<double>(rss_after - rss_before) / kConnections;
    map.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kConnections);
  state.counters["rss_bytes_per_conn"] = rss_per_conn;
}
BENCHMARK(BM_RefUnorderedMapInsert)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

struct FilledReference {
  Backends backends;
  ReferenceMap map;
  FilledReference() {
    map.reserve(kConnections);
    fill_reference(map, backends);
  }
};

void BM_RefUnorderedMapLookup(benchmark::State& state) {
  static FilledReference shared;
  const ReferenceMap& map = shared.map;
  std::uint32_t j = 0;
  std::uint64_t hits = 0;
  for (auto _ : state) {
    auto it = map.find(key_of(scrambled(j++)));
    hits += it != map.end() ? 1 : 0;
    benchmark::DoNotOptimize(it);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["hit_ratio"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RefUnorderedMapLookup)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace
}  // namespace lvs
