#include "service/service_table.h"

#include <algorithm>
#include <array>

namespace lvs {
namespace {

DestinationParams params_of(const config::RealServerConfig& rs) {
  return DestinationParams{rs.weight, rs.u_threshold, rs.l_threshold};
}

SchedulerFlags flags_of(const config::ServiceConfig& cfg) {
  return SchedulerFlags{cfg.sched_fallback, cfg.sched_port};
}

std::string describe_rs(const config::ServiceKey& key, const config::RealServerConfig& rs) {
  std::string line = ipvsadm_service_option(key) + " -r " + format_endpoint(rs.address) +
                     " -g -w " + std::to_string(rs.weight);
  if (rs.u_threshold != 0) line += " -x " + std::to_string(rs.u_threshold);
  if (rs.l_threshold != 0) line += " -y " + std::to_string(rs.l_threshold);
  return line;
}

std::uint8_t protocol_number(config::ServiceProtocol p) {
  return p == config::ServiceProtocol::Udp ? kProtoUdp : kProtoTcp;
}

}  // namespace

std::string ipvsadm_service_option(const config::ServiceKey& key) {
  switch (key.protocol) {
    case config::ServiceProtocol::Tcp:
      return "-t " + format_endpoint(key.vip);
    case config::ServiceProtocol::Udp:
      return "-u " + format_endpoint(key.vip);
    case config::ServiceProtocol::Fwmark:
      return "-f " + std::to_string(key.fwmark);
  }
  return {};
}

std::uint64_t ServiceTable::index_key(std::uint8_t protocol, Ipv4 vip, std::uint16_t port) {
  return (std::uint64_t{protocol} << 48) | (std::uint64_t{vip} << 16) | port;
}

std::unique_ptr<Scheduler> ServiceTable::scheduler_for(const config::ServiceConfig& cfg) const {
  // The stream's name is the service key (IP protocol number, VIP, port; or 0 and the mark), so
  // it depends on nothing else in the table.
  const config::ServiceKey& key = cfg.key;
  const bool fwmark = key.protocol == config::ServiceProtocol::Fwmark;
  const std::array<std::uint32_t, 4> stream = {
      fwmark ? 0u : protocol_number(key.protocol), fwmark ? 0u : key.vip.addr,
      fwmark ? 0u : key.vip.port, fwmark ? key.fwmark : 0u};
  return make_scheduler(cfg.scheduler, flags_of(cfg), stream_seed(random_seed_, stream));
}

std::pair<VirtualService*, bool> ServiceTable::find_or_add(const config::ServiceConfig& cfg) {
  if (VirtualService* svc = find(cfg.key)) return {svc, false};
  services_.push_back(std::make_unique<VirtualService>(cfg.key, scheduler_for(cfg), flags_of(cfg)));
  index(*services_.back());
  return {services_.back().get(), true};
}

void ServiceTable::index(VirtualService& svc) {
  const auto& key = svc.key();
  if (key.protocol == config::ServiceProtocol::Fwmark) {
    by_fwmark_[key.fwmark] = &svc;
  } else {
    by_address_[index_key(protocol_number(key.protocol), key.vip.addr, key.vip.port)] = &svc;
  }
}

void ServiceTable::unindex(const VirtualService& svc) {
  const auto& key = svc.key();
  if (key.protocol == config::ServiceProtocol::Fwmark) {
    by_fwmark_.erase(key.fwmark);
  } else {
    by_address_.erase(index_key(protocol_number(key.protocol), key.vip.addr, key.vip.port));
  }
}

VirtualService* ServiceTable::find(std::uint8_t protocol, Ipv4 vip, std::uint16_t port) const {
  auto it = by_address_.find(index_key(protocol, vip, port));
  return it == by_address_.end() ? nullptr : it->second;
}

VirtualService* ServiceTable::find_fwmark(std::uint32_t mark) const {
  auto it = by_fwmark_.find(mark);
  return it == by_fwmark_.end() ? nullptr : it->second;
}

VirtualService* ServiceTable::find(const config::ServiceKey& key) const {
  if (key.protocol == config::ServiceProtocol::Fwmark) return find_fwmark(key.fwmark);
  return find(protocol_number(key.protocol), key.vip.addr, key.vip.port);
}

void ServiceTable::configure(VirtualService& svc, const config::ServiceConfig& cfg,
                             std::vector<std::string>& log, bool is_new) {
  const SchedulerFlags flags = flags_of(cfg);
  const std::uint32_t persistent = cfg.persistent.value_or(0);
  const SchedulerFlags old_flags = svc.scheduler_flags();
  const bool scheduler_changed = svc.scheduler().name() != cfg.scheduler ||
                                 old_flags.fallback != flags.fallback ||
                                 old_flags.port != flags.port;
  const bool persistence_changed =
      svc.persistent_timeout_s() != persistent || svc.netmask() != cfg.netmask;
  if (!is_new && !scheduler_changed && !persistence_changed) return;
  if (scheduler_changed) svc.set_scheduler(scheduler_for(cfg), flags);
  svc.set_persistence(persistent, cfg.netmask);

  std::string line =
      (is_new ? "-A " : "-E ") + ipvsadm_service_option(cfg.key) + " -s " + cfg.scheduler;
  if (flags.fallback || flags.port) line += " -b " + scheduler_flags_text(cfg.scheduler, flags);
  if (persistent != 0) {
    line += " -p " + std::to_string(persistent);
    if (cfg.netmask != 0xffffffffu) line += " -M " + format_ipv4(cfg.netmask);
  }
  log.push_back(std::move(line));
}

std::vector<std::string> ServiceTable::apply(const config::DirectorConfig& config) {
  std::vector<std::string> log;

  // -D: services no longer configured. Their destinations may still carry connections, so the
  // object waits in the graveyard until nothing references it.
  for (auto it = services_.begin(); it != services_.end();) {
    const auto& key = (*it)->key();
    bool kept = std::any_of(config.services.begin(), config.services.end(),
                            [&](const config::ServiceConfig& s) { return s.key == key; });
    if (kept) {
      ++it;
      continue;
    }
    log.push_back("-D " + ipvsadm_service_option(key));
    unindex(**it);
    (*it)->retire();
    graveyard_.push_back(std::move(*it));
    it = services_.erase(it);
  }
  std::erase_if(graveyard_, [](const auto& svc) { return svc->unreferenced(); });

  for (const config::ServiceConfig& cfg : config.services) {
    auto [svc, is_new] = find_or_add(cfg);
    configure(*svc, cfg, log, is_new);

    // -d: servers no longer listed (removed from the tail end first is irrelevant: each delete
    // only unlinks).
    std::vector<Endpoint> gone;
    for (Destination* d : svc->destinations()) {
      bool kept =
          std::any_of(cfg.real_servers.begin(), cfg.real_servers.end(),
                      [&](const config::RealServerConfig& rs) { return rs.address == d->address; });
      if (!kept) gone.push_back(d->address);
    }
    for (const Endpoint& address : gone) {
      svc->delete_destination(address);
      log.push_back("-d " + ipvsadm_service_option(cfg.key) + " -r " + format_endpoint(address));
    }
    // -e for changed servers, -a for new ones, in file order.
    for (const config::RealServerConfig& rs : cfg.real_servers) {
      Destination* d = svc->find(rs.address);
      if (d == nullptr) {
        svc->add_destination(rs.address, params_of(rs));
        log.push_back("-a " + describe_rs(cfg.key, rs));
      } else if (d->weight != rs.weight || d->u_threshold != rs.u_threshold ||
                 d->l_threshold != rs.l_threshold) {
        svc->edit_destination(rs.address, params_of(rs));
        log.push_back("-e " + describe_rs(cfg.key, rs));
      }
    }
  }
  return log;
}

std::string ServiceTable::apply_change(const ServiceChange& change,
                                       const config::DirectorConfig& next) {
  using Kind = ServiceChange::Kind;
  if (change.kind == Kind::DeleteService) {
    auto it = std::find_if(services_.begin(), services_.end(),
                           [&](const auto& svc) { return svc->key() == change.key; });
    if (it == services_.end()) return {};
    unindex(**it);
    (*it)->retire();
    graveyard_.push_back(std::move(*it));
    services_.erase(it);
    std::erase_if(graveyard_, [](const auto& svc) { return svc->unreferenced(); });
    return "-D " + ipvsadm_service_option(change.key);
  }
  if (change.kind == Kind::DeleteServer) {
    VirtualService* svc = find(change.key);
    if (svc == nullptr || !svc->delete_destination(change.address)) return {};
    return "-d " + ipvsadm_service_option(change.key) + " -r " + format_endpoint(change.address);
  }
  const config::ServiceConfig& cfg = next.services.at(change.service);
  if (change.kind == Kind::ConfigureService) {
    std::vector<std::string> log;
    auto [svc, is_new] = find_or_add(cfg);
    configure(*svc, cfg, log, is_new);
    return log.empty() ? std::string() : std::move(log.front());
  }
  VirtualService* svc = find(cfg.key);
  if (svc == nullptr) return {};  // the ConfigureService before it creates it
  const config::RealServerConfig& rs = cfg.real_servers.at(change.server);
  Destination* d = svc->find(rs.address);
  if (d == nullptr) {
    svc->add_destination(rs.address, params_of(rs));
    return "-a " + describe_rs(cfg.key, rs);
  }
  if (d->weight == rs.weight && d->u_threshold == rs.u_threshold &&
      d->l_threshold == rs.l_threshold) {
    return {};
  }
  svc->edit_destination(rs.address, params_of(rs));
  return "-e " + describe_rs(cfg.key, rs);
}

std::string ServiceTable::add_real_server(const config::ServiceKey& key,
                                          const config::RealServerConfig& rs) {
  VirtualService* svc = find(key);
  if (svc == nullptr) return "No such service";
  if (svc->add_destination(rs.address, params_of(rs)) == nullptr) {
    return "Destination already exists";
  }
  return {};
}

std::string ServiceTable::edit_real_server(const config::ServiceKey& key,
                                           const config::RealServerConfig& rs) {
  VirtualService* svc = find(key);
  if (svc == nullptr) return "No such service";
  if (!svc->edit_destination(rs.address, params_of(rs))) return "No such destination";
  return {};
}

std::string ServiceTable::delete_real_server(const config::ServiceKey& key,
                                             const Endpoint& address) {
  VirtualService* svc = find(key);
  if (svc == nullptr) return "No such service";
  if (!svc->delete_destination(address)) return "No such destination";
  return {};
}

void ServiceTable::expire(TimeMs now) {
  for (auto& svc : services_) svc->expire(now);
  for (auto& svc : graveyard_) svc->expire(now);
  std::erase_if(graveyard_, [](const auto& svc) { return svc->unreferenced(); });
}

}  // namespace lvs
