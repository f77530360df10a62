#include "daemon/director.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>

#include "balancer/config_checks.h"
#include "base/prometheus_families.h"
#include "ctl/control_dispatch.h"
#include "daemon/counter_log.h"
#include "daemon/director_log.h"
#include "daemon/director_metrics.h"
#include "daemon/reload.h"

namespace lvs {
namespace {

// Batches handled per wakeup before the loop looks at the timer and signals again.
constexpr int kMaxBatchesPerWakeup = 16;
// Metrics are rebuilt and published for scrapes this often.
constexpr TimeMs kMetricsIntervalMs = 1000;

// The services' random seed when none is given: 64 bits from std::random_device, which on Linux
// is the kernel's CSPRNG (getrandom()) or the CPU's RDSEED/RDRAND — unpredictable per start, and
// logged, so a run can still be replayed.
std::uint64_t os_random_seed() {
  std::random_device device;
  const std::uint64_t high = device();
  return (high << 32) | device();
}

}  // namespace

Director::Director(std::string config_path, config::DirectorConfig config, DirectorIo io,
                   std::unique_ptr<ReloadWorker> reload_worker)
    : config_path_(std::move(config_path)),
      config_(std::make_shared<const config::DirectorConfig>(std::move(config))),
      balancer_(base::monotonic_ms()),
      io_(std::move(io)),
      neighbour_actions_(balancer_, io_->arp, io_->forwarder, io_->neighbour_timer),
      control_backend_(balancer_, neighbour_actions_, config_->director.interface),
      batch_(DirectorIo::kBatchSize),
      verdicts_(io_->receiver, DirectorIo::kBatchSize),
      reload_worker_(std::move(reload_worker)) {}

std::variant<std::unique_ptr<Director>, std::string> Director::open(
    std::string config_path, config::DirectorConfig config,
    std::optional<std::uint64_t> random_seed) {
  if (auto refusals = startup_refusals(config); !refusals.empty()) return refusals.front();
  auto worker = ReloadWorker::open();
  if (auto* err = std::get_if<std::string>(&worker)) return *err;
  auto io = DirectorIo::open(config.director);
  if (auto* err = std::get_if<std::string>(&io)) return *err;
  auto& opened = std::get<DirectorIo>(io);
  if (auto err = opened.loop.add(std::get<std::unique_ptr<ReloadWorker>>(worker)->fd(),
                                 static_cast<std::uint32_t>(DirectorEvent::Reload));
      !err.empty()) {
    return err;
  }
  std::unique_ptr<Director> d(
      new Director(std::move(config_path), std::move(config), std::move(opened),
                   std::move(std::get<std::unique_ptr<ReloadWorker>>(worker))));
  // The core: services as ipvsadm would load them, timeouts, the connection limit (its default
  // from MemTotal), PERMANENT neighbours; the link MTU the packet path checks DF packets against.
  d->balancer_.set_memory_total(std::uint64_t(sysconf(_SC_PHYS_PAGES)) *
                                std::uint64_t(sysconf(_SC_PAGESIZE)));
  d->balancer_.set_link_mtu(d->io_->forwarder.mtu());
  const std::uint64_t seed = random_seed ? *random_seed : os_random_seed();
  d->balancer_.services().set_random_seed(seed);
  const ApplyReport report = d->balancer_.apply(
      *d->config_, d->io_->arp.address(), base::monotonic_ms(), d->neighbour_actions_.events());
  log_apply_report(report, d->balancer_.neighbours());
  d->neighbour_actions_.execute();
  // The first scrape already sees the services: built here, then once a second off the loop.
  d->io_->metrics.publish(build_director_metrics(*d->gather_metrics()));
  d->metrics_publisher_ = std::make_unique<MetricsPublisher>(d->io_->metrics);
  if (auto err = d->io_->go_live(*d->config_); !err.empty()) return err;

  const auto& settings = d->config_->director;
  director_log(d->io_->forwarding_summary(settings));
  director_log("lvsadm control socket " + d->io_->control->path());
  director_log("metrics on http://" + d->io_->metrics.address() + "/metrics");
  director_log("connection limit " + std::to_string(d->balancer_.dispatcher().connection_limit()) +
               (settings.connection_limit != 0 ? " (connection-limit)"
                                               : " (default: MemTotal/16 / 64 B per entry)") +
               ", link MTU " + std::to_string(d->balancer_.link_mtu()));
  director_log("random seed " + std::to_string(seed) +
               (random_seed ? " (--random-seed)" : " (from the OS)") + ": --random-seed " +
               std::to_string(seed) + " (here or in lvsadm simulate) replays the twos decisions");
  director_log("running " + std::to_string(d->balancer_.services().services().size()) +
               " service(s); SIGHUP reloads " + d->config_path_ + ", SIGTERM stops");
  return d;
}

int Director::run() {
  std::uint32_t ready[8];
  while (!stop_) {
    // While reload steps remain, look at the descriptors without blocking, then take one step.
    const std::size_t n = io_->loop.wait(reload_.active() ? 0 : -1, ready);
    for (std::size_t i = 0; i < n && !stop_; ++i) {
      const auto event = static_cast<DirectorEvent>(ready[i]);
      const std::uint64_t start = monotonic_us();
      const std::uint64_t start_cpu = thread_cpu_us();
      dispatch(event);
      step_times_.record(step_name(event), monotonic_us() - start, thread_cpu_us() - start_cpu);
    }
    if (reload_.active() && !stop_) {
      const std::uint64_t start = monotonic_us();
      const std::uint64_t start_cpu = thread_cpu_us();
      reload_step(start);
      step_times_.record("reload_step", monotonic_us() - start, thread_cpu_us() - start_cpu);
    }
  }
  return shutdown();
}

void Director::dispatch(DirectorEvent event) {
  switch (event) {
    case DirectorEvent::Queue:
      process_queue();
      break;
    case DirectorEvent::Tick:
      tick();
      break;
    case DirectorEvent::Arp:
      process_arp();
      break;
    case DirectorEvent::NeighbourTimer:
      run_neighbour_timers();
      break;
    case DirectorEvent::Control:
      io_->control->process(base::monotonic_ms(), [this](std::string_view request) {
        return ctl::answer_request(request, control_backend_);
      });
      break;
    case DirectorEvent::Signal:
      process_signals();
      break;
    case DirectorEvent::Reload:
      reload_prepared();
      break;
  }
}

void Director::start_reload() {
  if (reload_worker_->busy() || reload_.active()) {
    if (!reload_again_) {
      director_log("SIGHUP: a reload is in progress; " + config_path_ +
                   " will be reloaded once more when it is done");
    }
    reload_again_ = true;
    return;
  }
  director_log("SIGHUP: reloading " + config_path_);
  step_times_.start_window();
  reload_worker_->start(config_path_, config_, io_->nft);
}

void Director::reload_prepared() {
  auto prepared = reload_worker_->take();
  if (!prepared) return;
  if (reload_.begin(std::move(*prepared), balancer_, *io_, neighbour_actions_)) return;
  ++reloads_rejected_;
  if (reload_again_) {
    reload_again_ = false;
    start_reload();
  }
}

void Director::reload_step(std::uint64_t started_us) {
  auto next = reload_.step(balancer_, step_times_, started_us);
  if (next == nullptr) return;
  // Dead-host marks for the servers just added (DeadHostPolicy looks at every one again).
  neighbour_actions_.execute();
  config_ = std::move(next);
  ++reloads_applied_;
  if (reload_again_) {
    reload_again_ = false;
    start_reload();
  }
}

void Director::process_queue() {
  for (int round = 0; round < kMaxBatchesPerWakeup; ++round) {
    const std::size_t n = io_->receiver.receive_batch(batch_);
    if (n == 0) return;
    const TimeMs now = base::monotonic_ms();
    verdicts_.clear();
    for (const io::QueuedPacket& p : std::span(batch_).first(n)) {
      const PacketDecision d =
          balancer_.decide(p.payload, p.mark, now, neighbour_actions_.events());
      if (d.action == PacketAction::Accept) {
        verdicts_.accept(p);
        continue;
      }
      if (d.action == PacketAction::Send) io_->forwarder.forward(d.ip_packet, *d.destination_mac);
      if (d.action == PacketAction::FragmentationNeeded) {
        io_->forwarder.send_fragmentation_needed(d.ip_packet, d.mtu);
      }
      verdicts_.drop(p);  // sent or refused, the queued original is dropped
    }
    // Frames first: the verdict releases the kernel's copy, ours lives in the receive buffer.
    io_->forwarder.flush();
    verdicts_.send(io_->receiver);
    // ARP requests for unresolved servers (their packets now wait in the table's queues).
    neighbour_actions_.execute();
    if (n < batch_.size()) return;
  }
}

void Director::process_arp() {
  const TimeMs now = base::monotonic_ms();
  io_->arp.receive([&](const ArpPacket& packet) {
    balancer_.receive_arp(packet, io_->arp.mac(), now, neighbour_actions_.events());
  });
  neighbour_actions_.execute();
}

void Director::run_neighbour_timers() {
  io_->neighbour_timer.consume();
  balancer_.run_neighbour_timers(base::monotonic_ms(), neighbour_actions_.events());
  neighbour_actions_.execute();
}

void Director::tick() {
  io_->tick.consume();
  const TimeMs now = base::monotonic_ms();
  balancer_.tick(now, neighbour_actions_.events());
  neighbour_actions_.execute();
  io_->control->expire(now);
  if (io_->managed_vips) io_->managed_vips->tick(now);
  if (now >= next_metrics_ms_) {
    next_metrics_ms_ = now + kMetricsIntervalMs;
    if (const std::uint32_t mtu = io_->forwarder.refresh_mtu(); mtu != balancer_.link_mtu()) {
      director_log("interface MTU now " + std::to_string(mtu));
      balancer_.set_link_mtu(mtu);
    }
    publish_metrics();
  }
}

void Director::process_signals() {
  for (int sig = io_->signals.next(); sig != 0; sig = io_->signals.next()) {
    if (sig == SIGHUP) {
      start_reload();
    } else if (sig == SIGUSR1) {
      director_log(counter_log_line(balancer_, *io_));
    } else {
      director_log(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                   ", shutting down");
      stop_ = true;
    }
  }
}

std::unique_ptr<DirectorMetricsFigures> Director::gather_metrics() {
  auto figures = gather_director_metrics(balancer_, *io_, queue_range(config_->director));
  auto longest = prom::family(
      "lvs_event_loop_longest_step_seconds",
      "The longest single step of the packet thread's event loop since start, by kind (queue: "
      "packet batches, tick, reload_step, ...): its worst forwarding stall.",
      prom::MetricType::Gauge);
  auto longest_cpu = prom::family(
      "lvs_event_loop_longest_step_cpu_seconds",
      "The packet thread's CPU time in its longest step of each kind since start: what the step "
      "itself costs, without the time the thread waited for a CPU.",
      prom::MetricType::Gauge);
  for (const StepTime& t : step_times_.longest()) {
    prom::add(longest, {{"step", std::string(t.step)}}, static_cast<double>(t.wall_us) / 1e6);
    prom::add(longest_cpu, {{"step", std::string(t.step)}}, static_cast<double>(t.cpu_us) / 1e6);
  }
  figures->extra.push_back(std::move(longest));
  figures->extra.push_back(std::move(longest_cpu));
  auto reloads = prom::family("lvs_reloads_total", "SIGHUP reloads by result: applied or rejected.",
                              prom::MetricType::Counter);
  prom::add(reloads, {{"result", "applied"}}, static_cast<double>(reloads_applied_));
  prom::add(reloads, {{"result", "rejected"}}, static_cast<double>(reloads_rejected_));
  figures->extra.push_back(std::move(reloads));
  return figures;
}

void Director::publish_metrics() { metrics_publisher_->submit(gather_metrics()); }

int Director::shutdown() {
  director_log(counter_log_line(balancer_, *io_));
  metrics_publisher_.reset();  // before the HTTP server it publishes to
  reload_worker_->wait();      // it may hold the nftables installer
  const bool clean = io_->shutdown();
  io_.reset();  // queues unbound, sockets closed, the HTTP threads stopped (up to 2 s)
  director_log("stopped");
  return clean ? 0 : 1;
}

}  // namespace lvs
