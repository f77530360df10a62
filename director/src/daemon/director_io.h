// The director's kernel adapters, opened and closed in the one order that is safe. open():
//
//   signals          blocked first, before any thread starts, so every later thread (civetweb's)
//                    inherits the mask and SIGTERM always reaches the signalfd
//   forwarder, ARP   the AF_PACKET sockets (CAP_NET_RAW) and the neighbour timer
//   NFQUEUE          the queues bound before any rule points at them, so no packet is queued
//                    with nobody listening
//   control socket   after the queues: a second director started by mistake is refused for the
//                    queue it cannot bind before it looks at (and would refuse over) the first
//                    one's control socket
//   metrics HTTP     before the rules, so a refusal (address in use) changes nothing
//   nftables socket  the queue encoding detected (native `queue` or xt NFQUEUE)
//   epoll            the loop, the 100 ms tick, every descriptor registered with its token
//
// go_live() then claims the traffic: in `vip-mode: managed` duplicate address detection for the
// VIPs (seconds; before the rules, so a refusal leaves nothing behind), the rules, and the VIPs
// (after the rules: once the kernel answers ARP for them, their packets are queued).
//
// shutdown() undoes it: control socket removed, rules removed (a clean exit leaves the host as it
// was), VIPs released, queues unbound, sockets closed, and the HTTP threads last (civetweb takes
// up to 2 s to stop, which must not delay removing the rules).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/event_loop.h"
#include "base/metrics_http_server.h"
#include "base/signal_source.h"
#include "base/timers.h"
#include "config/model.h"
#include "daemon/managed_vips.h"
#include "io/af_packet_forwarder.h"
#include "io/arp_socket.h"
#include "io/control_server.h"
#include "io/nfqueue_receiver.h"
#include "io/nft_installer.h"

namespace lvs {

// What the event loop's wait() returns for each descriptor.
enum class DirectorEvent : std::uint32_t {
  Queue = 1,            // NFQUEUE: a batch of packets
  Tick = 2,             // the 100 ms periodic timer
  Signal = 3,           // SIGTERM, SIGINT, SIGHUP, SIGUSR1
  Control = 4,          // lvsadm on the control socket
  Reload = 5,           // the reload worker has prepared a reload (Director registers it)
  Arp = 20,             // the resolver's ARP socket
  NeighbourTimer = 21,  // the neighbour table's next deadline
};

struct DirectorIo {
  static constexpr std::size_t kBatchSize = 64;  // packets per NFQUEUE receive and sendmmsg
  static constexpr std::uint32_t kTickMs = 100;

  // Opens everything for `settings` in the order above. Errors are one line saying what failed
  // and what to do.
  static std::variant<DirectorIo, std::string> open(const config::DirectorSettings& settings);

  // Claims the traffic for `config` (see above); an error leaves no rule and no VIP behind.
  std::string go_live(const config::DirectorConfig& config);

  // Undoes open() and go_live() in reverse; false if the rules or a VIP could not be removed
  // (each failure is logged).
  bool shutdown();

  // The start-up summary lines (interface, MAC, queues, sockets).
  std::string forwarding_summary(const config::DirectorSettings& settings) const;

  // Declared in reverse order of destruction: the HTTP threads go last, the control socket
  // first (shutdown() also releases it explicitly, to log it).
  base::MetricsHttpServer metrics;
  base::SignalSource signals;
  io::AfPacketForwarder forwarder;
  io::ArpSocket arp;
  base::DeadlineTimer neighbour_timer;
  io::NfqueueReceiver receiver;
  io::NftInstaller nft;
  base::EventLoop loop;
  base::PeriodicTimer tick;
  std::optional<ManagedVips> managed_vips;   // vip-mode: managed, after go_live()
  std::optional<io::ControlServer> control;  // always set until shutdown()
};

// "0" or "0-3": the configured queue range, as logs and metric labels name it.
std::string queue_range(const config::DirectorSettings& settings);

}  // namespace lvs
