#include "daemon/director.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>

#include "config/loader.h"
#include "ctl/control_protocol.h"
#include "daemon/config_checks.h"
#include "daemon/connection_listing.h"
#include "daemon/director_metrics.h"
#include "daemon/state_snapshot.h"
#include "io/nfqueue_stats.h"
#include "neigh/arp_observation.h"
#include "packet/arp_frame.h"
#include "packet/ethernet_frame.h"

namespace lvs {

namespace {

constexpr std::size_t kBatchSize = 64;
// Batches handled per wakeup before the loop looks at the timer and signals again.
constexpr int kMaxBatchesPerWakeup = 16;
constexpr std::uint32_t kTickMs = 100;
// Metrics are rebuilt and published for scrapes this often.
constexpr TimeMs kMetricsIntervalMs = 1000;

enum Token : std::uint32_t { kQueue = 1, kTimer = 2, kSignal = 3, kControl = 4 };
// The resolver's descriptors (numbered apart so other sources can be added above).
enum NeighbourToken : std::uint32_t { kArp = 20, kNeighbourTimer = 21 };
// How often dead hosts (real servers whose entry went FAILED) are asked again by ARP.
constexpr TimeMs kResolveIntervalMs = 5000;

void log(const std::string& line) { std::fprintf(stderr, "lvs-director: %s\n", line.c_str()); }

template <typename T>
std::string take(std::variant<T, std::string>& v, std::optional<T>& into) {
  if (auto* err = std::get_if<std::string>(&v)) return *err;
  into.emplace(std::move(std::get<T>(v)));
  return {};
}

std::string queue_range(const config::DirectorSettings& d) {
  return d.queue_first == d.queue_last
             ? std::to_string(d.queue_first)
             : std::to_string(d.queue_first) + "-" + std::to_string(d.queue_last);
}

}  // namespace

Director::Director(std::string config_path, config::DirectorConfig config)
    : config_path_(std::move(config_path)),
      config_(std::move(config)),
      dispatcher_(65536, IpvsSysctls{}, base::monotonic_ms()),
      neighbours_(neighbour_params(config_.director.neighbour)),
      path_(services_, dispatcher_, neighbours_),
      rate_sampler_(base::monotonic_ms()) {
  batch_.resize(kBatchSize);
  frames_.resize(kBatchSize);
  accepts_.reserve(kBatchSize);
}

Director::~Director() = default;

std::variant<std::unique_ptr<Director>, std::string> Director::open(std::string config_path,
                                                                    config::DirectorConfig config) {
  if (auto refusals = startup_refusals(config); !refusals.empty()) return refusals.front();
  std::unique_ptr<Director> d(new Director(std::move(config_path), std::move(config)));
  const auto& settings = d->config_.director;

  auto signals = base::SignalSource::open({SIGTERM, SIGINT, SIGHUP, SIGUSR1});
  if (auto err = take(signals, d->signals_); !err.empty()) return err;

  auto sender = io::PacketSender::open(settings.interface, kBatchSize);
  if (auto err = take(sender, d->sender_); !err.empty()) return err;
  auto arp = io::ArpSocket::open(settings.interface);
  if (auto err = take(arp, d->arp_); !err.empty()) return err;
  auto neigh_timer = base::DeadlineTimer::open();
  if (auto err = take(neigh_timer, d->neigh_timer_); !err.empty()) return err;

  io::NfqueueOptions qopts;
  qopts.queue_first = settings.queue_first;
  qopts.queue_last = settings.queue_last;
  qopts.batch_size = kBatchSize;
  auto receiver = io::NfqueueReceiver::open(qopts);
  if (auto err = take(receiver, d->receiver_); !err.empty()) return err;
  d->drop_upto_.assign(d->receiver_->queue_count(), std::nullopt);

  // After the queues: a second director started by mistake is refused for the queue it cannot
  // bind before it looks at (and would refuse over) the first one's control socket.
  auto listener = io::ControlListener::open(settings.control_socket);
  if (auto* err = std::get_if<std::string>(&listener)) return *err;
  auto control = io::ControlServer::open(std::move(std::get<io::ControlListener>(listener)));
  if (auto err = take(control, d->control_); !err.empty()) return err;

  // Before the rules (a refusal changes nothing) and after the signals are blocked: the HTTP
  // threads start here and inherit the mask, so SIGTERM always reaches the signalfd.
  auto metrics = base::MetricsHttpServer::open(settings.metrics);
  if (auto err = take(metrics, d->metrics_); !err.empty()) return err;

  auto nft = io::NftInstaller::open();
  if (auto* err = std::get_if<base::NftError>(&nft)) return err->message;
  d->nft_.emplace(std::move(std::get<io::NftInstaller>(nft)));

  auto loop = base::EventLoop::open();
  if (auto err = take(loop, d->loop_); !err.empty()) return err;
  auto timer = base::PeriodicTimer::open(kTickMs);
  if (auto err = take(timer, d->timer_); !err.empty()) return err;
  for (auto [fd, token] :
       {std::pair{d->receiver_->fd(), kQueue}, std::pair{d->timer_->fd(), kTimer},
        std::pair{d->signals_->fd(), kSignal}, std::pair{d->control_->fd(), kControl}}) {
    if (auto err = d->loop_->add(fd, token); !err.empty()) return err;
  }
  for (auto [fd, token] : {std::pair{d->arp_->fd(), std::uint32_t{kArp}},
                           std::pair{d->neigh_timer_->fd(), std::uint32_t{kNeighbourTimer}}}) {
    if (auto err = d->loop_->add(fd, token); !err.empty()) return err;
  }

  // The core: services as ipvsadm would load them, timeouts, PERMANENT neighbours.
  for (const auto& line : d->services_.apply(d->config_)) log(line);
  d->dispatcher_.set_timeouts(settings.timeouts);
  d->refresh_neighbours(d->config_);
  d->publish_metrics();  // the first scrape already sees the services

  // vip-mode managed: nobody else may hold a VIP (RFC 5227 probes; seconds). Before the rules,
  // so a refusal leaves nothing behind.
  if (settings.vip_mode == config::VipMode::Managed) {
    auto vips = ManagedVips::probe(settings.interface, managed_vips(d->config_), &log);
    if (auto* err = std::get_if<std::string>(&vips)) return *err;
    d->managed_vips_.emplace(std::move(std::get<ManagedVips>(vips)));
  }

  // Last: point the rules at the (already bound) queues.
  log(d->nft_->detection_note());
  if (auto err = d->nft_->install(d->config_)) return err->message;
  // The VIPs after the rules: once the kernel answers ARP for them, their packets are queued.
  if (d->managed_vips_) {
    if (auto err = d->managed_vips_->claim(base::monotonic_ms()); !err.empty()) {
      (void)d->nft_->remove();
      return err;
    }
  }

  char mac_note[160];
  std::snprintf(mac_note, sizeof(mac_note),
                "forwarding on %s (ifindex %d, MAC %s, qdisc bypass %s); NFQUEUE %s, receive "
                "buffer %d bytes, batch %zu",
                settings.interface.c_str(), d->sender_->ifindex(),
                format_mac(d->sender_->mac()).c_str(), d->sender_->qdisc_bypass() ? "on" : "off",
                queue_range(settings).c_str(), d->receiver_->receive_buffer_bytes(), kBatchSize);
  log(mac_note);
  log("lvsadm control socket " + d->control_->path());
  log("metrics on http://" + d->metrics_->address() + "/metrics");
  log("running " + std::to_string(d->services_.services().size()) + " service(s); SIGHUP reloads " +
      d->config_path_ + ", SIGTERM stops");
  return d;
}

void Director::refresh_neighbours(const config::DirectorConfig& config) {
  std::vector<std::string> warnings;
  const auto wanted = permanent_neighbours(config, warnings);
  for (const auto& w : warnings) log("warning: " + w);
  NeighbourEvents events;
  neighbours_.replace_permanent(wanted, base::monotonic_ms(), events);
  if (sender_ && arp_ && neigh_timer_) execute_neighbour_events(events);
  for (const auto& [ip, entry] : neighbours_.entries()) {
    log("neigh " + format_ipv4(ip) + " lladdr " + format_mac(entry.lladdr) + " " +
        std::string(nud_state_name(entry.state)));
  }
  // ARP answers for the interface's address and for the VIPs: requests for them create entries.
  our_addresses_.clear();
  if (arp_ && arp_->address() != 0) our_addresses_.push_back(arp_->address());
  for (const auto& svc : config.services) {
    if (svc.key.protocol != config::ServiceProtocol::Fwmark) {
      our_addresses_.push_back(svc.key.vip.addr);
    }
  }
}

void Director::process_arp() {
  const TimeMs now = base::monotonic_ms();
  NeighbourEvents events;
  arp_->receive([&](const ArpPacket& packet) {
    neighbours_.receive_arp(arp_observation(packet, arp_->mac(), our_addresses_), now, events);
  });
  execute_neighbour_events(events);
}

void Director::run_neighbour_timers() {
  neigh_timer_->consume();
  NeighbourEvents events;
  neighbours_.run_timers(base::monotonic_ms(), events);
  execute_neighbour_events(events);
}

void Director::resolve_real_servers(TimeMs now) {
  next_resolve_ms_ = now + kResolveIntervalMs;
  // Only the dead: the others are resolved on demand by their first packet, as Linux does. An
  // entry flushed meanwhile is created again here, so a dead host cannot be forgotten.
  NeighbourEvents events;
  for (const Ipv4 ip : dead_hosts_) neighbours_.resolve(ip, now, events);
  execute_neighbour_events(events);
}

void Director::execute_neighbour_events(NeighbourEvents& events) {
  bool dead_changed = false;
  std::vector<io::OutgoingFrame> frames;
  for (auto& event : events) {
    if (const auto* s = std::get_if<SolicitRequest>(&event)) {
      arp_->send(arp_request(arp_->mac(), arp_->address(), s->target, s->unicast_to));
    } else if (auto* r = std::get_if<NeighbourResolved>(&event)) {
      // The packets that waited, in arrival order, then the host is schedulable again.
      frames.clear();
      const EthernetHeader header = ethernet_header(r->lladdr, sender_->mac());
      for (const auto& packet : r->packets) frames.push_back({header, packet});
      if (!frames.empty()) sender_->send_batch(frames);
      if (std::erase(dead_hosts_, r->ip) > 0 || r->was_failed) {
        log("neigh " + format_ipv4(r->ip) + " lladdr " + format_mac(r->lladdr) +
            " answers again: back in rotation");
        dead_changed = true;
      } else {
        log("neigh " + format_ipv4(r->ip) + " resolved to " + format_mac(r->lladdr) +
            (r->packets.empty() ? "" : ", " + std::to_string(r->packets.size()) + " queued packet(s) sent"));
      }
    } else if (const auto* f = std::get_if<NeighbourFailed>(&event)) {
      if (std::find(dead_hosts_.begin(), dead_hosts_.end(), f->ip) == dead_hosts_.end()) {
        dead_hosts_.push_back(f->ip);
        dead_changed = true;
        log("neigh " + format_ipv4(f->ip) + " FAILED (no ARP answer in " +
            std::string(nud_state_name(f->from)) + ", " + std::to_string(f->dropped) +
            " queued packet(s) dropped): dead host, no new connections until it answers");
      }
    } else if (const auto* c = std::get_if<LladdrChanged>(&event)) {
      log("neigh " + format_ipv4(c->ip) + " changed ethernet address " +
          format_mac(c->old_lladdr) + " -> " + format_mac(c->new_lladdr));
    } else if (const auto* p = std::get_if<PossibleSpoof>(&event)) {
      log("warning: possible ARP spoof: " + format_ipv4(p->ip) + " claimed at " +
          format_mac(p->claimed) + " but the table keeps " + format_mac(p->cached) +
          (p->reason == PossibleSpoof::Reason::PermanentConflict ? " (static entry)"
                                                                 : " (changed within locktime)"));
    }
  }
  events.clear();
  if (dead_changed) apply_dead_hosts();
  neigh_timer_->arm(neighbours_.next_timer());
}

void Director::apply_dead_hosts() {
  // An entry resolved some other way (lvsadm neigh add) also ends the death; a server no
  // longer configured is no longer watched.
  std::erase_if(dead_hosts_, [&](Ipv4 ip) {
    const NeighbourEntry* e = neighbours_.find(ip);
    if (e != nullptr && nud_valid(e->state)) return true;
    for (const auto& svc : services_.services()) {
      for (const Destination* d : svc->destinations()) {
        if (d->address.addr == ip) return false;
      }
    }
    return true;
  });
  const auto changed = services_.mark_dead([&](Ipv4 ip) {
    return std::find(dead_hosts_.begin(), dead_hosts_.end(), ip) != dead_hosts_.end();
  });
  for (const auto& [endpoint, dead] : changed) {
    log("real server " + format_endpoint(endpoint) +
        (dead ? " marked dead (neighbour FAILED)" : " alive again"));
  }
}

int Director::run() {
  std::uint32_t ready[8];
  while (!stop_) {
    const std::size_t n = loop_->wait(-1, ready);
    for (std::size_t i = 0; i < n && !stop_; ++i) {
      switch (ready[i]) {
        case kQueue:
          process_queue();
          break;
        case kTimer:
          tick();
          break;
        case kArp:
          process_arp();
          break;
        case kNeighbourTimer:
          run_neighbour_timers();
          break;
        case kControl:
          control_->process(base::monotonic_ms(), [this](std::string_view request) {
            return answer_control_request(request);
          });
          break;
        case kSignal:
          for (int sig = signals_->next(); sig != 0; sig = signals_->next()) {
            if (sig == SIGHUP)
              reload();
            else if (sig == SIGUSR1)
              log_counters();
            else {
              log(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                  ", shutting down");
              stop_ = true;
            }
          }
          break;
        default:
          break;
      }
    }
  }
  return shutdown();
}

void Director::process_queue() {
  for (int round = 0; round < kMaxBatchesPerWakeup; ++round) {
    const std::size_t n = receiver_->receive_batch(batch_);
    if (n == 0) return;
    const TimeMs now = base::monotonic_ms();
    std::size_t frames = 0;
    accepts_.clear();
    std::fill(drop_upto_.begin(), drop_upto_.end(), std::nullopt);
    for (std::size_t i = 0; i < n; ++i) {
      const io::QueuedPacket& p = batch_[i];
      const PacketDecision d = path_.decide(p.payload, p.mark, now);
      if (d.action == PacketAction::Accept) {
        accepts_.push_back({p.queue, p.id});  // capacity reserved: no allocation
        continue;
      }
      if (d.action == PacketAction::Send) {
        frames_[frames++] = {ethernet_header(*d.destination_mac, sender_->mac()), d.ip_packet};
      }
      // Sent or refused, the queued original is dropped.
      const std::size_t q = static_cast<std::size_t>(p.queue - receiver_->queue_first());
      if (q < drop_upto_.size() &&
          (!drop_upto_[q] || io::NfqueueReceiver::id_after(p.id, *drop_upto_[q]))) {
        drop_upto_[q] = p.id;
      }
    }
    // Frames first: the verdict releases the kernel's copy, ours lives in the receive buffer.
    if (frames > 0) sender_->send_batch({frames_.data(), frames});
    receiver_->send_verdicts(accepts_, drop_upto_);
    // ARP requests for unresolved servers (their packets now wait in the table's queues).
    if (!path_.neighbour_events().empty()) execute_neighbour_events(path_.neighbour_events());
    if (n < batch_.size()) return;
  }
}

void Director::tick() {
  timer_->consume();
  const TimeMs now = base::monotonic_ms();
  dispatcher_.expire(now);
  services_.expire(now);
  rate_sampler_.sample(services_, now);
  control_->expire(now);
  if (now >= next_resolve_ms_ && !dead_hosts_.empty()) resolve_real_servers(now);
  if (managed_vips_) managed_vips_->tick(now);
  if (now >= next_metrics_ms_) {
    next_metrics_ms_ = now + kMetricsIntervalMs;
    publish_metrics();
  }
}

void Director::publish_metrics() {
  const ctl::Snapshot state = snapshot(/*with_connections=*/false);
  DirectorMetricsInput in(state);
  add_service_counters(services_, in);
  const auto drops = path_.drop_reasons();
  in.forward_errors = forward_error_reasons(drops, send_errors(*sender_), receiver_->counters());
  // The receiver counts its queues together: one series labelled with the range ("0", "0-3").
  in.queues.received = {{queue_range(config_.director), receiver_->counters().packets}};
  std::string error;
  if (auto kernel = io::read_nfqueue_proc(error)) {
    in.queues.kernel = queues_in_range(*kernel, receiver_->queue_first(), receiver_->queue_last());
  }
  in.neighbours = neighbours_.entries();
  in.neighbour_stats = neighbours_.stats();
  for (ArpParseError e : arp_parse_errors()) {
    in.arp_errors.push_back({std::string(arp_parse_error_name(e)), arp_->parse_errors(e)});
  }
  metrics_->publish(build_director_metrics(in));
}

ctl::Snapshot Director::snapshot(bool with_connections) const {
  return build_state_snapshot(services_, dispatcher_, base::monotonic_ms(), with_connections);
}

io::ControlAnswer Director::answer_control_request(std::string_view request) {
  auto decoded = ctl::decode_request(request);
  const auto* req = std::get_if<ctl::Request>(&decoded);
  if (req == nullptr) return ctl::handle_request(request, ctl::Snapshot{});  // the error answer
  if (auto answer = answer_neigh_request(*req)) return *answer;
  if (req->command != ctl::Command::list_connections) {
    return ctl::handle_request(request, snapshot(false));
  }
  // The table is copied now; its encoding follows in pieces as the client reads.
  auto listing = std::make_shared<ConnectionListing>(snapshot(true));
  io::ControlAnswer answer(listing->head());
  if (!listing->done()) answer.more = [listing](std::string& out) { return listing->next(out); };
  return answer;
}

std::optional<std::string> Director::answer_neigh_request(const ctl::Request& req) {
  const std::string ip = format_ipv4(req.ip);
  switch (req.command) {
    case ctl::Command::neigh_show: {
      ctl::Snapshot s = snapshot(false);
      for (const auto& [addr, entry] : neighbours_.entries()) {
        ctl::NeighbourSnapshot n;
        n.ip = addr;
        n.device = config_.director.interface;
        // As neigh_fill_info(): the lladdr only while it may be used.
        if (nud_valid(entry.state)) n.lladdr = entry.lladdr;
        n.state = std::string(nud_state_name(entry.state));
        s.neighbours.push_back(std::move(n));
      }
      return ctl::encode_response(s, req.command);
    }
    case ctl::Command::neigh_flush:
      log("lvsadm neigh flush: " + std::to_string(neighbours_.flush()) + " entries removed");
      return ctl::encode_response(snapshot(false), req.command);
    case ctl::Command::neigh_del:
      if (!neighbours_.remove(req.ip)) {
        return ctl::encode_error_response("neigh del " + ip + ": no such entry");
      }
      log("lvsadm neigh del " + ip);
      return ctl::encode_response(snapshot(false), req.command);
    case ctl::Command::neigh_add: {
      NeighbourEvents events;
      if (!neighbours_.admin_set(req.ip, req.lladdr, req.nud, base::monotonic_ms(), events)) {
        return ctl::encode_error_response("neigh add " + ip + ": the neighbour table is full");
      }
      // Resolving an INCOMPLETE entry this way releases the packets it held (and a dead host
      // returns to rotation): the resolver's own event path does both.
      execute_neighbour_events(events);
      log("lvsadm neigh add " + ip + " lladdr " + format_mac(req.lladdr) + " " +
          std::string(nud_state_name(req.nud)));
      return ctl::encode_response(snapshot(false), req.command);
    }
    default:
      return std::nullopt;
  }
}

void Director::reload() {
  ++reloads_;
  log("SIGHUP: reloading " + config_path_);
  auto loaded = config::load_director_config_file(config_path_);
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&loaded)) {
    for (const auto& e : *errors) log(e.to_string());
    log("reload rejected (" + std::to_string(errors->size()) +
        " error(s)); keeping the running configuration");
    ++reloads_rejected_;
    return;
  }
  auto& next = std::get<config::DirectorConfig>(loaded);
  if (auto refusals = reload_refusals(config_, next); !refusals.empty()) {
    for (const auto& r : refusals) log(r);
    log("reload rejected; keeping the running configuration");
    ++reloads_rejected_;
    return;
  }
  // A moved control socket: bound before anything changes, so a path that cannot be used
  // rejects the whole reload; swapped in only once the reload is certain.
  std::optional<io::ControlListener> moved_control;
  if (next.director.control_socket != config_.director.control_socket) {
    auto listener = io::ControlListener::open(next.director.control_socket);
    if (auto* err = std::get_if<std::string>(&listener)) {
      log(*err);
      log("reload rejected; keeping the running configuration");
      ++reloads_rejected_;
      return;
    }
    moved_control.emplace(std::move(std::get<io::ControlListener>(listener)));
  }
  // Rules first: if the kernel refuses them, nothing else has changed.
  if (auto err = nft_->install(next)) {
    log(err->message);
    log("reload rejected; keeping the running configuration");
    ++reloads_rejected_;
    return;
  }
  if (moved_control) {
    if (auto err = control_->replace_listener(*moved_control); !err.empty()) {
      log(err + "; lvsadm stays on " + control_->path());
      next.director.control_socket = control_->path();
    } else {
      log("lvsadm control socket moved from " + moved_control->path() + " to " + control_->path());
    }
    moved_control.reset();  // the old listener: closes and removes its file
  }
  const auto commands = services_.apply(next);
  for (const auto& line : commands) log(line);
  dispatcher_.set_timeouts(next.director.timeouts);
  neighbours_.set_params(neighbour_params(next.director.neighbour));
  refresh_neighbours(next);
  apply_dead_hosts();  // servers just added or revived take their neighbour's fate
  config_ = std::move(next);
  log("reload applied (" + std::to_string(commands.size()) + " change(s))");
}

void Director::log_counters() const {
  const auto& c = path_.counters();
  const auto& q = receiver_->counters();
  std::string line = "counters: received " + std::to_string(q.packets) + ", forwarded " +
                     std::to_string(c.forwarded) + ", accepted " + std::to_string(c.accepted) +
                     ", sent " + std::to_string(sender_->sent()) + ", connections " +
                     std::to_string(dispatcher_.size());
  for (const auto& [reason, count] : path_.drop_reasons()) {
    if (count != 0) line += ", " + std::string(reason) + " " + std::to_string(count);
  }
  for (std::size_t e = 0; e < io::kSendErrorCount; ++e) {
    const auto err = static_cast<io::SendError>(e);
    if (sender_->errors(err) != 0) {
      line +=
          ", " + std::string(io::send_error_name(err)) + " " + std::to_string(sender_->errors(err));
    }
  }
  line += ", verdict batches " + std::to_string(q.batch_verdicts) + ", single verdicts " +
          std::to_string(q.single_verdicts);
  line += ", arp received " + std::to_string(arp_->received()) + " sent " +
          std::to_string(arp_->sent());
  if (arp_->send_errors() != 0) line += " send errors " + std::to_string(arp_->send_errors());
  for (ArpParseError e : arp_parse_errors()) {
    if (arp_->parse_errors(e) != 0) {
      line += ", arp " + std::string(arp_parse_error_name(e)) + " " +
              std::to_string(arp_->parse_errors(e));
    }
  }
  const auto& ns = neighbours_.stats();
  line += ", neighbour res_failed " + std::to_string(ns.res_failed) + " lladdr_changes " +
          std::to_string(ns.lladdr_changes) + " unres_discards " +
          std::to_string(ns.unres_discards) + " unres_drops " + std::to_string(ns.unres_drops);
  if (q.verdict_errors + q.receive_errors + q.netlink_errors + q.malformed != 0) {
    line += ", netlink errors " +
            std::to_string(q.verdict_errors + q.receive_errors + q.netlink_errors + q.malformed);
  }
  std::string error;
  if (auto kernel = io::read_nfqueue_proc(error)) {
    for (const auto& k : *kernel) {
      if (k.queue < receiver_->queue_first() || k.queue > receiver_->queue_last()) continue;
      line += ", queue " + std::to_string(k.queue) + " kernel queue_dropped " +
              std::to_string(k.queue_dropped) + " user_dropped " + std::to_string(k.user_dropped);
    }
  }
  log(line);
}

int Director::shutdown() {
  log_counters();
  int code = 0;
  const std::string socket_path = control_->path();
  control_.reset();  // closes the clients and removes the socket file
  log("control socket " + socket_path + " removed");
  if (auto err = nft_->remove()) {
    log("could not remove the nftables table: " + err->message);
    code = 1;
  } else {
    log("nftables table removed");
  }
  if (managed_vips_) {
    for (const auto& err : managed_vips_->release()) {
      log(err);
      code = 1;
    }
    managed_vips_.reset();
  }
  receiver_.reset();
  sender_.reset();
  metrics_.reset();  // up to 2 s: civetweb's listener polls with a 2 s quantum
  log("stopped");
  return code;
}

}  // namespace lvs
