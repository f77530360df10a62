#include "daemon/reload.h"

#include <exception>
#include <new>
#include <variant>

#include "balancer/config_checks.h"
#include "config/loader.h"
#include "daemon/director_log.h"

namespace lvs {
namespace {

// Errors listed one per line before the summary; a file with 100k unknown keys says so in one.
constexpr std::size_t kLoggedErrors = 10;

PreparedReload refused(PreparedReload r, std::vector<std::string> why) {
  r.refusal = std::move(why);
  r.refusal.push_back("reload rejected; keeping the running configuration");
  r.next.reset();
  r.changes.clear();
  r.moved_control.reset();  // closes and removes the new socket file
  return r;
}

// The rules depend on the services' keys, in order, and the queue range only.
bool same_rules(const config::DirectorConfig& a, const config::DirectorConfig& b) {
  if (a.director.queue_first != b.director.queue_first ||
      a.director.queue_last != b.director.queue_last || a.services.size() != b.services.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.services.size(); ++i) {
    if (!(a.services[i].key == b.services[i].key)) return false;
  }
  return true;
}

PreparedReload prepare(const std::string& path, const config::DirectorConfig& running,
                       io::NftInstaller& nft) {
  PreparedReload r;
  r.path = path;
  auto loaded = config::load_director_config_file(path);
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&loaded)) {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < errors->size() && i < kLoggedErrors; ++i) {
      lines.push_back((*errors)[i].to_string());
    }
    if (errors->size() > kLoggedErrors) {
      lines.push_back("... and " + std::to_string(errors->size() - kLoggedErrors) +
                      " more error(s)");
    }
    r = refused(std::move(r), std::move(lines));
    r.refusal.back() = "reload rejected (" + std::to_string(errors->size()) +
                       " error(s)); keeping the running configuration";
    return r;
  }
  auto next =
      std::make_shared<config::DirectorConfig>(std::move(std::get<config::DirectorConfig>(loaded)));
  if (auto refusals = reload_refusals(running, *next); !refusals.empty()) {
    return refused(std::move(r), std::move(refusals));
  }
  // Everything that may still fail on its own (the diff allocates) before the two steps that
  // change something outside this thread: a refusal after them would leave them half done.
  r.changes = diff_services(running, *next);
  if (next->director.control_socket != running.director.control_socket) {
    auto listener = io::ControlListener::open(next->director.control_socket);
    if (auto* err = std::get_if<std::string>(&listener)) return refused(std::move(r), {*err});
    r.moved_control.emplace(std::move(std::get<io::ControlListener>(listener)));
  }
  if (!same_rules(running, *next)) {
    if (auto err = nft.install(*next)) return refused(std::move(r), {err->message});
    r.rules_replaced = true;
  }
  r.next = std::move(next);
  return r;
}

}  // namespace

PreparedReload prepare_reload(const std::string& path, const config::DirectorConfig& running,
                              io::NftInstaller& nft) {
  const std::uint64_t start = monotonic_us();
  PreparedReload r;
  try {
    r = prepare(path, running, nft);
  } catch (const std::bad_alloc&) {
    r = refused(PreparedReload{}, {path + ": out of memory while loading"});
  } catch (const std::exception& e) {
    r = refused(PreparedReload{}, {path + ": " + e.what()});
  }
  r.path = path;
  r.prepare_ms = (monotonic_us() - start) / 1000;
  return r;
}

bool ReloadApplier::begin(PreparedReload prepared, Balancer& balancer, DirectorIo& io,
                          NeighbourActions& neighbour_actions) {
  if (prepared.next == nullptr) {
    for (const auto& line : prepared.refusal) director_log(line);
    return false;
  }
  config::DirectorConfig& next = *prepared.next;
  if (prepared.rules_replaced) director_log("nftables rules replaced for the new services");
  if (prepared.moved_control) {
    if (auto err = io.control->replace_listener(*prepared.moved_control); !err.empty()) {
      director_log(err + "; lvsadm stays on " + io.control->path());
      next.director.control_socket = io.control->path();
    } else {
      director_log("lvsadm control socket moved from " + prepared.moved_control->path() + " to " +
                   io.control->path());
    }
    prepared.moved_control.reset();  // the old listener: closes and removes its file
  }
  const ApplyReport report = balancer.apply_settings(next, io.arp.address(), base::monotonic_ms(),
                                                     neighbour_actions.events());
  log_apply_report(report, balancer.neighbours());
  neighbour_actions.execute();

  prepared_ = std::move(prepared);
  next_change_ = 0;
  applied_ = 0;
  logged_servers_ = 0;
  steps_ = 0;
  started_us_ = monotonic_us();
  director_log("reload prepared in " + std::to_string(prepared_.prepare_ms) +
               " ms off the packet thread; applying " + std::to_string(prepared_.changes.size()) +
               " service change(s) in steps");
  return true;
}

std::shared_ptr<const config::DirectorConfig> ReloadApplier::step(Balancer& balancer,
                                                                  const LoopStepTimes& times,
                                                                  std::uint64_t started_us) {
  if (!active()) return nullptr;
  ++steps_;
  const std::uint64_t start = started_us;
  const auto& changes = prepared_.changes;
  const config::DirectorConfig& next = *prepared_.next;
  while (next_change_ < changes.size()) {
    std::string command = balancer.apply_service_change(changes[next_change_++], next);
    if (!command.empty()) {
      // Service commands (-A/-E/-D) always; server commands (-a/-e/-d) up to kLoggedCommands.
      const bool server_command = command[1] == 'a' || command[1] == 'e' || command[1] == 'd';
      if (!server_command || logged_servers_++ < kLoggedCommands) director_log(command);
      ++applied_;
    }
    // The clock is read every 16 changes: a change costs around a microsecond.
    if ((next_change_ & 15) == 0 && monotonic_us() - start >= kStepBudgetUs) break;
  }
  if (next_change_ < changes.size()) return nullptr;

  balancer.services_applied();
  std::string line = "reload applied (" + std::to_string(applied_) + " change(s)";
  if (logged_servers_ > kLoggedCommands) {
    line += ", " + std::to_string(logged_servers_ - kLoggedCommands) + " not logged";
  }
  const std::uint64_t now = monotonic_us();
  const std::uint64_t took_us = now - started_us_;
  // This last step is not recorded yet: it counts too.
  StepTime wall = times.window_longest_wall();
  if (now - started_us > wall.wall_us) wall = {"reload_step", now - started_us, 0};
  auto ms = [](std::uint64_t us) {
    return std::to_string(us / 1000) + "." + std::to_string(us % 1000 / 100) + " ms";
  };
  line += ", " + std::to_string(steps_) + " step(s) over " + std::to_string(took_us / 1000) +
          " ms; longest event-loop step since the SIGHUP " + ms(wall.wall_us) + " (" +
          std::string(wall.step) + "), longest in CPU time " +
          ms(times.window_longest_cpu().cpu_us) + " (" +
          std::string(times.window_longest_cpu().step) + "))";
  director_log(line);
  PreparedReload done = std::move(prepared_);
  prepared_ = PreparedReload{};
  return std::move(done.next);
}

}  // namespace lvs
