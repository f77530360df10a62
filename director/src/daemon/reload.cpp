#include "daemon/reload.h"

#include <optional>
#include <variant>
#include <vector>

#include "balancer/config_checks.h"
#include "config/loader.h"
#include "daemon/director_log.h"

namespace lvs {
namespace {

bool refuse(const std::vector<std::string>& why) {
  for (const auto& line : why) director_log(line);
  director_log("reload rejected; keeping the running configuration");
  return false;
}

}  // namespace

bool reload_director(const std::string& path, config::DirectorConfig& running, Balancer& balancer,
                     DirectorIo& io, NeighbourActions& neighbour_actions) {
  director_log("SIGHUP: reloading " + path);
  auto loaded = config::load_director_config_file(path);
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&loaded)) {
    for (const auto& e : *errors) director_log(e.to_string());
    director_log("reload rejected (" + std::to_string(errors->size()) +
                 " error(s)); keeping the running configuration");
    return false;
  }
  auto& next = std::get<config::DirectorConfig>(loaded);
  if (auto refusals = reload_refusals(running, next); !refusals.empty()) return refuse(refusals);

  std::optional<io::ControlListener> moved_control;
  if (next.director.control_socket != running.director.control_socket) {
    auto listener = io::ControlListener::open(next.director.control_socket);
    if (auto* err = std::get_if<std::string>(&listener)) return refuse({*err});
    moved_control.emplace(std::move(std::get<io::ControlListener>(listener)));
  }
  if (auto err = io.nft.install(next)) return refuse({err->message});

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
  const ApplyReport report =
      balancer.apply(next, io.arp.address(), base::monotonic_ms(), neighbour_actions.events());
  log_apply_report(report, balancer.neighbours());
  neighbour_actions.execute();
  running = std::move(next);
  director_log("reload applied (" + std::to_string(report.commands.size()) + " change(s))");
  return true;
}

}  // namespace lvs
