// `lvsadm simulate`: runs an event script against the director's own ServiceTable, schedulers
// and Dispatcher (the same ip_vs_in() decision the packet path calls) on a simulated clock.
// Pure: no sockets, no clock, no privileges.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "config/model.h"
#include "conn/dispatcher.h"
#include "sched/random_source.h"
#include "service/service_table.h"
#include "sim/event_script.h"

namespace lvs::sim {

class Simulator {
 public:
  // `random_seed`: the services' random streams (twos), as `lvs-director --random-seed` seeds
  // them (service/service_table.h), so the same seed replays the daemon's decisions.
  explicit Simulator(const config::DirectorConfig& config,
                     std::uint64_t random_seed = kDefaultRandomSeed);

  // Runs `events` in order. Writes exactly one line per `new` to `out` (the chosen real server
  // "IP:PORT", or "-"); problems that ipvsadm would report at run time (unknown service, adding a
  // server twice, ...) go to `err` as "NAME:LINE: message". Returns the number of problems.
  int run(const std::vector<ScriptEvent>& events, std::ostream& out, std::ostream& err,
          const std::string& events_name = "<events>");

  TimeMs now() const { return now_; }
  const ServiceTable& services() const { return services_; }
  const Dispatcher& dispatcher() const { return dispatcher_; }

 private:
  // What each event does; a non-empty return is a problem to report.
  std::string on_new(const NewConnection& ev, std::ostream& out);
  std::string on_fin(const FinConnection& ev);
  std::string on_close(const CloseConnection& ev);
  std::string on_change(const ChangeRealServer& ev);
  void on_tick(const AdvanceClock& ev);
  // The connection a `fin N`/`close N` names, if it still exists.
  ConnHandle connection(std::uint32_t number) const;

  ServiceTable services_;
  Dispatcher dispatcher_;
  TimeMs now_ = 0;
  std::vector<ConnHandle> connections_;  // index N-1: the connection `new` number N made
};

}  // namespace lvs::sim
