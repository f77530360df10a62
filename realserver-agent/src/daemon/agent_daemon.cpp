#include "daemon/agent_daemon.h"

#include <signal.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "base/event_loop.h"
#include "base/metrics_http_server.h"
#include "base/signal_source.h"
#include "base/timers.h"
#include "core/agent_metrics.h"
#include "core/arp_table_check.h"
#include "core/counter_accumulator.h"
#include "core/desired_state.h"
#include "core/drift_plan.h"
#include "core/ownership_record.h"
#include "core/startup_checks.h"
#include "io/arp_nft_table.h"
#include "io/rtnl_links.h"
#include "io/sysctl_files.h"

namespace lvs::agent {
namespace {

void log_line(const std::string& line) { std::fprintf(stderr, "lvs-agent: %s\n", line.c_str()); }

int refuse(const std::string& why) {
  log_line("cannot start: " + why);
  return 1;
}

std::optional<std::uint64_t> own_capabilities() {
  std::ifstream in("/proc/self/status");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_effective_capabilities(ss.str());
}

const LinkFacts* find_link(const std::vector<LinkFacts>& links, const std::string& name) {
  auto it =
      std::find_if(links.begin(), links.end(), [&](const LinkFacts& l) { return l.name == name; });
  return it == links.end() ? nullptr : &*it;
}

class Agent {
 public:
  Agent(const config::AgentConfig& config, RtnlClient rtnl, ArpNftTable nft)
      : config_(config),
        desired_(desired_state_for(config)),
        rtnl_(std::move(rtnl)),
        nft_(std::move(nft)) {}

  const DesiredState& desired() const { return desired_; }

  // Start-up refusals that need the host's facts; "" when none.
  std::string startup_refusal(const std::vector<LinkFacts>& links,
                              const std::vector<AddressFacts>& addresses) {
    if (auto e = refuse_missing_interfaces(desired_, links)) return *e;
    if (auto e = refuse_vip_device(desired_, find_link(links, desired_.vip_device))) return *e;
    if (auto e = refuse_misplaced_vips(find_misplaced_vips(desired_, addresses))) return *e;
    return "";
  }

  // Reads the record an earlier run left in the table, so originals survive restarts.
  void adopt_record(const ArpTableReading& reading) {
    if (auto r = decode_ownership_record(reading.table_comment)) {
      record_ = *r;
      recorded_ = encode_ownership_record(record_);
    }
  }

  // Creates the dummy VIP device when it does not exist; brings the VIP device up.
  std::string ensure_vip_device() {
    auto links_or = rtnl_.links();
    if (auto* e = std::get_if<std::string>(&links_or)) return *e;
    auto& links = std::get<std::vector<LinkFacts>>(links_or);
    const LinkFacts* dev = find_link(links, desired_.vip_device);
    if (dev == nullptr) {
      if (auto e = rtnl_.create_dummy(desired_.vip_device)) return *e;
      record_.device_created = true;
      log_line("created dummy device " + desired_.vip_device + " for the VIPs");
      links_or = rtnl_.links();
      if (auto* e = std::get_if<std::string>(&links_or)) return *e;
      dev = find_link(std::get<std::vector<LinkFacts>>(links_or), desired_.vip_device);
      if (dev == nullptr) return "dummy device " + desired_.vip_device + " vanished after creation";
    }
    if (!dev->up) {
      if (auto e = rtnl_.set_up(*dev)) return *e;
    }
    return "";
  }

  // One check: observe, repair what drifted, publish. `counted`: repairs go into the metrics
  // (false for the initial convergence at start-up, which is setup, not drift). Returns the
  // first error that prevented a repair ("" if none).
  std::string check_and_repair(bool counted) {
    std::string error;
    ObservedState observed = observe(error);
    const RepairPlan plan = plan_repairs(desired_, observed);
    if (!plan.empty()) {
      if (auto e = apply(plan, observed, counted); !e.empty() && error.empty()) error = e;
      std::string again;
      observed = observe(again);
      if (error.empty()) error = again;
    }
    last_observed_ = observed;
    health_ = assess_health(desired_, observed);
    if (health_.healthy != last_healthy_) {
      log_line(health_.healthy ? "healthy: every VIP held, ARP suppression verified"
                               : "UNHEALTHY: " + health_.problems.front());
      last_healthy_ = health_.healthy;
    }
    return error;
  }

  void publish(base::MetricsHttpServer& http) {
    AgentMetricsInput in;
    in.desired = &desired_;
    in.observed = &last_observed_;
    for (const auto& [vip, acc] : dropped_) in.arp_requests_dropped[vip] = acc.total();
    in.repairs = repairs_;
    in.healthy = health_.healthy;
    http.publish(build_agent_metrics(in));
    http.publish_health(health_.healthy, health_.problems);
  }

 private:
  ObservedState observe(std::string& error) {
    ObservedState o;
    auto addrs_or = rtnl_.ipv4_addresses();
    if (auto* e = std::get_if<std::string>(&addrs_or)) {
      error = *e;
    } else {
      const auto& addrs = std::get<std::vector<AddressFacts>>(addrs_or);
      for (const auto& a : addrs) {
        if (a.interface == desired_.vip_device && a.prefix_len == 32 &&
            std::find(desired_.vips.begin(), desired_.vips.end(), a.address) !=
                desired_.vips.end() &&
            std::find(o.vips_present.begin(), o.vips_present.end(), a.address) ==
                o.vips_present.end()) {
          o.vips_present.push_back(a.address);
        }
      }
      o.vips_misplaced = find_misplaced_vips(desired_, addrs);
    }
    for (const auto& s : desired_.sysctls) o.sysctls[s.sysctl_name()] = read_sysctl(s);
    auto reading_or = nft_.read(desired_.nft);
    if (auto* e = std::get_if<std::string>(&reading_or)) {
      o.nft_problem = *e;
      if (error.empty()) error = *e;
    } else {
      const auto& reading = std::get<ArpTableReading>(reading_or);
      o.nft_problem = check_arp_table(desired_, reading);
      o.nft_table_verified = o.nft_problem.empty();
      for (const auto& [vip, packets] : arp_drops_per_vip(desired_, reading)) {
        dropped_[vip].observe(packets);
        o.arp_requests_dropped[vip] = packets;
      }
    }
    return o;
  }

  std::string apply(const RepairPlan& plan, const ObservedState& observed, bool counted) {
    std::string error;
    auto note_error = [&](const std::string& e) {
      log_line(e);
      if (error.empty()) error = e;
    };
    // 1. sysctls (before any VIP is local).
    for (const auto& s : plan.sysctls_to_set) {
      const auto was = observed.sysctls.at(s.sysctl_name());
      if (!counted && was) record_.note_sysctl_changed(s, *was);
      if (auto e = write_sysctl(s)) {
        note_error(*e);
        continue;
      }
      const std::string change = s.sysctl_name() + " was " + (was ? std::to_string(*was) : "?") +
                                 ", set to " + std::to_string(s.value);
      if (counted) {
        ++repairs_[RepairKind::Sysctl];
        log_line("drift repaired: " + change);
      } else {
        log_line(change);
      }
    }
    // 2. the nft table, carrying the record of what is about to be added.
    for (Ipv4 vip : plan.vips_to_add) record_.note_vip_added(vip);
    const std::string record_text = encode_ownership_record(record_);
    if (plan.reinstall_nft_table || record_text != recorded_) {
      if (auto e = nft_.install(desired_, record_text)) {
        note_error(*e);
      } else {
        for (auto& [vip, acc] : dropped_) acc.reset();
        recorded_ = record_text;
        if (counted && plan.reinstall_nft_table) {
          ++repairs_[RepairKind::NftTable];
          log_line("drift repaired: " + observed.nft_problem + "; table reinstalled");
        }
      }
    }
    // 3. the VIPs.
    if (!plan.vips_to_add.empty()) {
      auto links_or = rtnl_.links();
      const LinkFacts* dev = nullptr;
      if (auto* links = std::get_if<std::vector<LinkFacts>>(&links_or)) {
        dev = find_link(*links, desired_.vip_device);
      }
      for (Ipv4 vip : plan.vips_to_add) {
        if (dev == nullptr) {
          note_error("cannot add VIP " + format_ipv4(vip) + ": device " + desired_.vip_device +
                     " is gone");
          continue;
        }
        if (auto e = rtnl_.add_address(*dev, vip, 32)) {
          note_error(*e);
          continue;
        }
        if (counted) {
          ++repairs_[RepairKind::Vip];
          log_line("drift repaired: VIP " + format_ipv4(vip) + " was missing on " +
                   desired_.vip_device + ", added back");
        } else {
          log_line("holding VIP " + format_ipv4(vip) + "/32 on " + desired_.vip_device);
        }
      }
    }
    return error;
  }

  config::AgentConfig config_;
  DesiredState desired_;
  RtnlClient rtnl_;
  ArpNftTable nft_;
  OwnershipRecord record_;
  std::string recorded_;  // the record text the installed table carries
  std::map<Ipv4, CounterAccumulator> dropped_;
  std::map<RepairKind, std::uint64_t> repairs_;
  ObservedState last_observed_;
  HealthReport health_;
  bool last_healthy_ = false;
};

// Tokens for the event loop.
constexpr std::uint32_t kTimerToken = 1;
constexpr std::uint32_t kMonitorToken = 2;
constexpr std::uint32_t kSignalToken = 3;

}  // namespace

int run_agent(const config::AgentConfig& config) {
  if (auto e = refuse_without_net_admin(own_capabilities())) return refuse(*e);

  auto rtnl_or = RtnlClient::open();
  if (auto* e = std::get_if<std::string>(&rtnl_or)) return refuse(*e);
  auto nft_or = ArpNftTable::open();
  if (auto* e = std::get_if<std::string>(&nft_or)) return refuse(*e);
  auto& rtnl_probe = std::get<RtnlClient>(rtnl_or);

  auto links_or = rtnl_probe.links();
  if (auto* e = std::get_if<std::string>(&links_or)) return refuse(*e);
  auto addrs_or = rtnl_probe.ipv4_addresses();
  if (auto* e = std::get_if<std::string>(&addrs_or)) return refuse(*e);
  auto reading_or = std::get<ArpNftTable>(nft_or).read(desired_state_for(config).nft);
  if (auto* e = std::get_if<std::string>(&reading_or)) return refuse(*e);

  Agent agent(config, std::move(std::get<RtnlClient>(rtnl_or)),
              std::move(std::get<ArpNftTable>(nft_or)));
  if (auto e = agent.startup_refusal(std::get<std::vector<LinkFacts>>(links_or),
                                     std::get<std::vector<AddressFacts>>(addrs_or));
      !e.empty()) {
    return refuse(e);
  }
  agent.adopt_record(std::get<ArpTableReading>(reading_or));

  // Signals before any thread starts (civetweb's), so none of them takes a SIGTERM.
  auto signals_or = base::SignalSource::open({SIGTERM, SIGINT});
  if (auto* e = std::get_if<std::string>(&signals_or)) return refuse(*e);
  auto& signals = std::get<base::SignalSource>(signals_or);

  // Listening before anything is changed: a second agent in the same namespace fails here (its
  // port is taken) instead of fighting the first over the table; /healthz answers 503 until the
  // first check has passed.
  auto http_or = base::MetricsHttpServer::open(config.metrics, {.healthz = true});
  if (auto* e = std::get_if<std::string>(&http_or)) {
    return refuse(*e + " (is another lvs-agent running in this network namespace?)");
  }
  auto& http = std::get<base::MetricsHttpServer>(http_or);

  if (auto e = agent.ensure_vip_device(); !e.empty()) return refuse(e);
  if (auto e = agent.check_and_repair(false); !e.empty()) return refuse(e);

  auto monitor_or = RtnlMonitor::open();
  if (auto* e = std::get_if<std::string>(&monitor_or)) return refuse(*e);
  auto& monitor = std::get<RtnlMonitor>(monitor_or);
  auto timer_or = base::PeriodicTimer::open(config.check_interval_s * 1000);
  if (auto* e = std::get_if<std::string>(&timer_or)) return refuse(*e);
  auto& timer = std::get<base::PeriodicTimer>(timer_or);
  auto loop_or = base::EventLoop::open();
  if (auto* e = std::get_if<std::string>(&loop_or)) return refuse(*e);
  auto& loop = std::get<base::EventLoop>(loop_or);
  for (auto [fd, token] :
       {std::pair{timer.fd(), kTimerToken}, std::pair{monitor.fd(), kMonitorToken},
        std::pair{signals.fd(), kSignalToken}}) {
    if (auto e = loop.add(fd, token); !e.empty()) return refuse(e);
  }
  // A VIP removed between the first check and the subscription: check once more.
  agent.check_and_repair(true);
  agent.publish(http);

  std::string vips;
  for (Ipv4 v : agent.desired().vips) vips += (vips.empty() ? "" : ",") + format_ipv4(v);
  log_line("running: VIPs " + vips + " on " + config.vip_device +
           ", arp_ignore=" + std::to_string(config.arp_ignore) +
           " arp_announce=" + std::to_string(config.arp_announce) + ", nft table arp " +
           agent.desired().nft.table + ", check every " + std::to_string(config.check_interval_s) +
           " s, metrics and /healthz on " + config.metrics);

  std::array<std::uint32_t, 8> ready{};
  for (;;) {
    const std::size_t n = loop.wait(-1, ready);
    bool check = false;
    for (std::size_t i = 0; i < n; ++i) {
      switch (ready[i]) {
        case kTimerToken:
          if (timer.consume() > 0) check = true;
          break;
        case kMonitorToken:
          if (monitor.drain()) check = true;
          break;
        case kSignalToken:
          if (int sig = signals.next(); sig == SIGTERM || sig == SIGINT) {
            log_line(std::string("stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                     "; VIPs, sysctls and the nft table stay in place (lvs-agent --cleanup "
                     "removes them)");
            // Nothing in the process needs undoing (what the agent holds lives in the kernel and
            // stays), and civetweb takes up to 2 s to stop its listener: exit now, so that a
            // restart finds the metrics port free at once.
            std::fflush(stderr);
            std::_Exit(0);
          }
          break;
      }
    }
    if (check) {
      agent.check_and_repair(true);
      agent.publish(http);
    }
  }
}

int run_cleanup(const config::AgentConfig& config) {
  if (auto e = refuse_without_net_admin(own_capabilities())) return refuse(*e);
  const DesiredState desired = desired_state_for(config);
  auto rtnl_or = RtnlClient::open();
  if (auto* e = std::get_if<std::string>(&rtnl_or)) return refuse(*e);
  auto nft_or = ArpNftTable::open();
  if (auto* e = std::get_if<std::string>(&nft_or)) return refuse(*e);
  auto& rtnl = std::get<RtnlClient>(rtnl_or);
  auto& nft = std::get<ArpNftTable>(nft_or);

  auto reading_or = nft.read(desired.nft);
  if (auto* e = std::get_if<std::string>(&reading_or)) return refuse(*e);
  const auto& reading = std::get<ArpTableReading>(reading_or);
  if (!reading.table_present) {
    log_line("cleanup: no table arp " + desired.nft.table +
             " in this network namespace; no record of anything the agent added, nothing removed");
    return 0;
  }
  auto record = decode_ownership_record(reading.table_comment);
  if (!record) {
    log_line("cleanup: table arp " + desired.nft.table +
             " carries no agent record; removing only the table");
    record = OwnershipRecord{};
  }
  int failures = 0;
  auto fail = [&](const std::string& e) {
    log_line("cleanup: " + e);
    ++failures;
  };
  // VIPs first: once suppression goes, a VIP still local would be answered for.
  auto links_or = rtnl.links();
  if (auto* e = std::get_if<std::string>(&links_or)) return refuse(*e);
  const auto& links = std::get<std::vector<LinkFacts>>(links_or);
  const LinkFacts* dev = find_link(links, desired.vip_device);
  for (Ipv4 vip : record->vips_added) {
    if (dev == nullptr) break;
    if (auto e = rtnl.delete_address(*dev, vip, 32)) {
      fail(*e);
    } else {
      log_line("cleanup: removed VIP " + format_ipv4(vip) + "/32 from " + desired.vip_device);
    }
  }
  if (record->vips_added.empty()) log_line("cleanup: the agent added no VIP; none removed");
  for (const auto& s : record->sysctls_before) {
    if (auto e = write_sysctl_value(s, s.value)) {
      fail(*e);
    } else {
      log_line("cleanup: restored " + s.sysctl_name() + "=" + std::to_string(s.value));
    }
  }
  if (!record->sysctls_complete) {
    log_line(
        "cleanup: the original sysctl values were not recorded (record too long); "
        "net.ipv4.conf.*.arp_* left as they are");
  }
  if (auto e = nft.remove(desired.nft)) {
    fail(*e);
  } else {
    log_line("cleanup: removed table arp " + desired.nft.table);
  }
  if (record->device_created && dev != nullptr) {
    if (auto e = rtnl.delete_link(*dev)) {
      fail(*e);
    } else {
      log_line("cleanup: removed dummy device " + desired.vip_device);
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace lvs::agent
