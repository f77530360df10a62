#include "daemon/reload.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
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
  return r;
}

// A path that must not be read at all: not a regular file (stat() follows symlinks, so a link to
// /dev/zero or to a FIFO is refused too — reading them never ends or blocks forever) or larger
// than kMaxConfigBytes.
std::string unreadable_config(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path + ": " + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) {
    return path + ": not a regular file; the configuration must be a regular file";
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxConfigBytes) {
    return path + ": " + std::to_string(st.st_size) + " bytes, larger than the " +
           std::to_string(kMaxConfigBytes >> 20) + " MiB a configuration may have";
  }
  return {};
}

PreparedReload prepare(const std::string& path, const config::DirectorConfig& running) {
  PreparedReload r;
  r.path = path;
  if (auto why = unreadable_config(path); !why.empty()) return refused(std::move(r), {why});
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
  r.changes = diff_services(running, *next);
  r.next = std::move(next);
  return r;
}

}  // namespace

std::uint64_t monotonic_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

PreparedReload prepare_reload(const std::string& path, const config::DirectorConfig& running) {
  const std::uint64_t start = monotonic_us();
  PreparedReload r;
  try {
    r = prepare(path, running);
  } catch (const std::bad_alloc&) {
    r = refused(PreparedReload{}, {path + ": out of memory while loading"});
  } catch (const std::exception& e) {
    r = refused(PreparedReload{}, {path + ": " + e.what()});
  }
  r.path = path;
  r.prepare_ms = (monotonic_us() - start) / 1000;
  return r;
}

bool ReloadApplier::begin(PreparedReload prepared, const config::DirectorConfig& running,
                          Balancer& balancer, DirectorIo& io, NeighbourActions& neighbour_actions) {
  auto refuse = [](const std::vector<std::string>& why) {
    for (const auto& line : why) director_log(line);
    return false;
  };
  if (prepared.next == nullptr) return refuse(prepared.refusal);
  config::DirectorConfig& next = *prepared.next;

  std::optional<io::ControlListener> moved_control;
  if (next.director.control_socket != running.director.control_socket) {
    auto listener = io::ControlListener::open(next.director.control_socket);
    if (auto* err = std::get_if<std::string>(&listener)) {
      return refuse({*err, "reload rejected; keeping the running configuration"});
    }
    moved_control.emplace(std::move(std::get<io::ControlListener>(listener)));
  }
  if (auto err = io.nft.install(next)) {
    return refuse({err->message, "reload rejected; keeping the running configuration"});
  }
  if (moved_control) {
    if (auto err = io.control->replace_listener(*moved_control); !err.empty()) {
      director_log(err + "; lvsadm stays on " + io.control->path());
      next.director.control_socket = io.control->path();
    } else {
      director_log("lvsadm control socket moved from " + moved_control->path() + " to " +
                   io.control->path());
    }
    moved_control.reset();  // the old listener: closes and removes its file
  }
  const ApplyReport report = balancer.apply_settings(next, io.arp.address(), base::monotonic_ms(),
                                                     neighbour_actions.events());
  log_apply_report(report, balancer.neighbours());
  neighbour_actions.execute();

  prepared_ = std::move(prepared);
  next_change_ = 0;
  applied_ = 0;
  steps_ = 0;
  started_us_ = monotonic_us();
  director_log("reload prepared in " + std::to_string(prepared_.prepare_ms) +
               " ms off the packet thread; applying " + std::to_string(prepared_.changes.size()) +
               " service change(s) in steps");
  return true;
}

std::shared_ptr<const config::DirectorConfig> ReloadApplier::step(
    Balancer& balancer, std::uint64_t longest_loop_step_us) {
  if (!active()) return nullptr;
  ++steps_;
  const std::uint64_t start = monotonic_us();
  const auto& changes = prepared_.changes;
  const config::DirectorConfig& next = *prepared_.next;
  while (next_change_ < changes.size()) {
    std::string command = balancer.apply_service_change(changes[next_change_++], next);
    if (!command.empty()) {
      if (applied_ < kLoggedCommands) director_log(command);
      ++applied_;
    }
    // The clock is read every 16 changes: a change costs around a microsecond.
    if ((next_change_ & 15) == 0 && monotonic_us() - start >= kStepBudgetUs) break;
  }
  if (next_change_ < changes.size()) return nullptr;

  balancer.services_applied();
  std::string line = "reload applied (" + std::to_string(applied_) + " change(s)";
  if (applied_ > kLoggedCommands) {
    line += ", " + std::to_string(applied_ - kLoggedCommands) + " not logged";
  }
  const std::uint64_t took_us = monotonic_us() - started_us_;
  line += ", " + std::to_string(steps_) + " step(s) over " + std::to_string(took_us / 1000) +
          " ms; longest event-loop step " + std::to_string(longest_loop_step_us / 1000) + "." +
          std::to_string(longest_loop_step_us % 1000 / 100) + " ms)";
  director_log(line);
  PreparedReload done = std::move(prepared_);
  prepared_ = PreparedReload{};
  return std::move(done.next);
}

}  // namespace lvs
