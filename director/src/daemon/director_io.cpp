#include "daemon/director_io.h"

#include <signal.h>

#include <cstdio>
#include <utility>

#include "balancer/config_checks.h"
#include "daemon/director_log.h"

namespace lvs {
namespace {

template <typename T>
std::string take(std::variant<T, std::string> v, std::optional<T>& into) {
  if (auto* err = std::get_if<std::string>(&v)) return *err;
  into.emplace(std::move(std::get<T>(v)));
  return {};
}

}  // namespace

std::string queue_range(const config::DirectorSettings& d) {
  return d.queue_first == d.queue_last
             ? std::to_string(d.queue_first)
             : std::to_string(d.queue_first) + "-" + std::to_string(d.queue_last);
}

std::variant<DirectorIo, std::string> DirectorIo::open(const config::DirectorSettings& settings) {
  std::optional<base::SignalSource> signals;
  std::optional<io::AfPacketForwarder> forwarder;
  std::optional<io::ArpSocket> arp;
  std::optional<base::DeadlineTimer> neighbour_timer;
  std::optional<io::NfqueueReceiver> receiver;
  std::optional<io::ControlServer> control;
  std::optional<base::MetricsHttpServer> metrics;
  std::optional<base::EventLoop> loop;
  std::optional<base::PeriodicTimer> tick;
  std::string err;
  if (!(err = take(base::SignalSource::open({SIGTERM, SIGINT, SIGHUP, SIGUSR1}), signals))
           .empty() ||
      !(err = take(io::AfPacketForwarder::open(settings.interface, kBatchSize), forwarder))
           .empty() ||
      !(err = take(io::ArpSocket::open(settings.interface), arp)).empty() ||
      !(err = take(base::DeadlineTimer::open(), neighbour_timer)).empty()) {
    return err;
  }
  io::NfqueueOptions queue;
  queue.queue_first = settings.queue_first;
  queue.queue_last = settings.queue_last;
  queue.batch_size = kBatchSize;
  if (!(err = take(io::NfqueueReceiver::open(queue), receiver)).empty()) return err;

  auto listener = io::ControlListener::open(settings.control_socket);
  if (auto* e = std::get_if<std::string>(&listener)) return *e;
  if (!(err = take(io::ControlServer::open(std::move(std::get<io::ControlListener>(listener))),
                   control))
           .empty() ||
      !(err = take(base::MetricsHttpServer::open(settings.metrics), metrics)).empty()) {
    return err;
  }
  auto nft = io::NftInstaller::open();
  if (auto* e = std::get_if<base::NftError>(&nft)) return e->message;

  if (!(err = take(base::EventLoop::open(), loop)).empty() ||
      !(err = take(base::PeriodicTimer::open(kTickMs), tick)).empty()) {
    return err;
  }
  const std::pair<int, DirectorEvent> sources[] = {
      {receiver->fd(), DirectorEvent::Queue},
      {tick->fd(), DirectorEvent::Tick},
      {signals->fd(), DirectorEvent::Signal},
      {control->fd(), DirectorEvent::Control},
      {arp->fd(), DirectorEvent::Arp},
      {neighbour_timer->fd(), DirectorEvent::NeighbourTimer},
  };
  for (auto [fd, event] : sources) {
    if (auto e = loop->add(fd, static_cast<std::uint32_t>(event)); !e.empty()) return e;
  }
  return DirectorIo{.metrics = std::move(*metrics),
                    .signals = std::move(*signals),
                    .forwarder = std::move(*forwarder),
                    .arp = std::move(*arp),
                    .neighbour_timer = std::move(*neighbour_timer),
                    .receiver = std::move(*receiver),
                    .nft = std::move(std::get<io::NftInstaller>(nft)),
                    .loop = std::move(*loop),
                    .tick = std::move(*tick),
                    .managed_vips = std::nullopt,
                    .control = std::move(control)};
}

std::string DirectorIo::go_live(const config::DirectorConfig& config) {
  const auto& settings = config.director;
  if (settings.vip_mode == config::VipMode::Managed) {
    auto vips = ManagedVips::probe(settings.interface, managed_vips_of(config), &director_log);
    if (auto* err = std::get_if<std::string>(&vips)) return *err;
    managed_vips.emplace(std::move(std::get<ManagedVips>(vips)));
  }
  director_log(nft.detection_note());
  if (auto err = nft.install(config)) return err->message;
  director_log(nft.crash_safety_note());
  if (managed_vips) {
    if (auto err = managed_vips->claim(base::monotonic_ms()); !err.empty()) {
      (void)nft.remove();
      return err;
    }
  }
  return {};
}

bool DirectorIo::shutdown() {
  bool ok = true;
  if (control) {
    const std::string socket_path = control->path();
    control.reset();  // closes the clients and removes the socket file
    director_log("control socket " + socket_path + " removed");
  }
  if (auto err = nft.remove()) {
    director_log("could not remove the nftables table: " + err->message);
    ok = false;
  } else {
    director_log("nftables table removed");
  }
  if (managed_vips) {
    for (const auto& err : managed_vips->release()) {
      director_log(err);
      ok = false;
    }
    managed_vips.reset();
  }
  return ok;
}

std::string DirectorIo::forwarding_summary(const config::DirectorSettings& settings) const {
  char line[200];
  std::snprintf(line, sizeof(line),
                "forwarding on %s (ifindex %d, MAC %s, qdisc bypass %s); NFQUEUE %s, receive "
                "buffer %d bytes, batch %zu",
                settings.interface.c_str(), forwarder.ifindex(),
                format_mac(forwarder.mac()).c_str(), forwarder.qdisc_bypass() ? "on" : "off",
                queue_range(settings).c_str(), receiver.receive_buffer_bytes(), kBatchSize);
  return line;
}

}  // namespace lvs
