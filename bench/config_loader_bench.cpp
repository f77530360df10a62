// The configuration loader on big generated files (issue 12, finding 3): load_director_config_
// string() end to end (libyaml parse into the bounded tree, schema checks, duplicate checks,
// errors), on the shapes that were quadratic before: one service with 50k / 200k real servers,
// 100k unknown keys in one map (each reported, with a "did you mean"), 60k services. The text is
// generated once per benchmark, outside the timing; the figure is one whole load.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <variant>

#include "config/loader.h"

namespace lvs::config {
namespace {

std::string dotted(std::uint32_t addr) {
  return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 255) + "." +
         std::to_string((addr >> 8) & 255) + "." + std::to_string(addr & 255);
}

// One service, `n` distinct real servers 11.0.0.1, 11.0.0.2, ... in flow-map style.
std::string real_servers_yaml(std::size_t n) {
  std::string out =
      "services:\n  - tcp-service: 10.200.0.100:80\n    scheduler: wlc\n"
      "    real-servers:\n";
  for (std::size_t i = 0; i < n; ++i) {
    out += "      - {real-server: " + dotted(0x0b000001u + static_cast<std::uint32_t>(i)) +
           ", weight: 1}\n";
  }
  return out;
}

// One service whose map has `n` unknown keys (key0, key1, ...): n errors.
std::string unknown_keys_yaml(std::size_t n) {
  std::string out = "services:\n  - tcp-service: 10.200.0.100:80\n";
  for (std::size_t i = 0; i < n; ++i) out += "    key" + std::to_string(i) + ": 1\n";
  return out;
}

// `n` distinct services, each with one real server.
std::string services_yaml(std::size_t n) {
  std::string out = "services:\n";
  for (std::size_t i = 0; i < n; ++i) {
    out += "  - tcp-service: " + dotted(0x0ac80001u + static_cast<std::uint32_t>(i)) +
           ":80\n    real-servers: [{real-server: 10.1.0.1}]\n";
  }
  return out;
}

void run(benchmark::State& state, const std::string& yaml, bool expect_ok) {
  std::size_t errors = 0;
  for (auto _ : state) {
    auto result = load_director_config_string(yaml, "bench.yaml");
    if (auto* e = std::get_if<std::vector<ConfigError>>(&result)) errors = e->size();
    benchmark::DoNotOptimize(result);
  }
  if (expect_ok != (errors == 0)) state.SkipWithError("unexpected load result");
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["MB"] = static_cast<double>(yaml.size()) / 1e6;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * yaml.size()));
}

void BM_RealServers(benchmark::State& state) {
  run(state, real_servers_yaml(static_cast<std::size_t>(state.range(0))), true);
}
BENCHMARK(BM_RealServers)
    ->Arg(50'000)
    ->Arg(200'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_UnknownKeys(benchmark::State& state) {
  run(state, unknown_keys_yaml(static_cast<std::size_t>(state.range(0))), false);
}
BENCHMARK(BM_UnknownKeys)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_Services(benchmark::State& state) {
  run(state, services_yaml(static_cast<std::size_t>(state.range(0))), true);
}
BENCHMARK(BM_Services)
    ->Arg(60'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace lvs::config
