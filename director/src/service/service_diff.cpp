#include "service/service_diff.h"

#include <unordered_map>
#include <unordered_set>

namespace lvs {
namespace {

// One integer per service key: protocol in the top bits, then VIP:port or the mark.
std::uint64_t key_id(const config::ServiceKey& key) {
  const std::uint64_t protocol = static_cast<std::uint64_t>(key.protocol) << 48;
  if (key.protocol == config::ServiceProtocol::Fwmark) return protocol | key.fwmark;
  return protocol | (std::uint64_t{key.vip.addr} << 16) | key.vip.port;
}

std::uint64_t address_id(const Endpoint& e) { return (std::uint64_t{e.addr} << 16) | e.port; }

bool scheduling_differs(const config::ServiceConfig& a, const config::ServiceConfig& b) {
  return a.scheduler != b.scheduler || a.sched_fallback != b.sched_fallback ||
         a.sched_port != b.sched_port || a.persistent.value_or(0) != b.persistent.value_or(0) ||
         a.netmask != b.netmask;
}

bool server_differs(const config::RealServerConfig& a, const config::RealServerConfig& b) {
  return a.weight != b.weight || a.u_threshold != b.u_threshold || a.l_threshold != b.l_threshold;
}

}  // namespace

std::vector<ServiceChange> diff_services(const config::DirectorConfig& running,
                                         const config::DirectorConfig& next) {
  std::vector<ServiceChange> changes;
  std::unordered_map<std::uint64_t, const config::ServiceConfig*> old_services;
  old_services.reserve(running.services.size());
  for (const auto& svc : running.services) old_services.emplace(key_id(svc.key), &svc);
  std::unordered_set<std::uint64_t> next_keys;
  next_keys.reserve(next.services.size());
  for (const auto& svc : next.services) next_keys.insert(key_id(svc.key));

  for (const auto& svc : running.services) {
    if (!next_keys.contains(key_id(svc.key))) {
      // A big service is emptied by -d first, in file order (the list's tail first, so each is
      // O(1)), so no single change frees tens of thousands of servers at once.
      if (svc.real_servers.size() > kDrainBeforeDelete) {
        for (const auto& rs : svc.real_servers) {
          changes.push_back({.kind = ServiceChange::Kind::DeleteServer,
                             .service = 0,
                             .server = 0,
                             .key = svc.key,
                             .address = rs.address});
        }
      }
      changes.push_back({.kind = ServiceChange::Kind::DeleteService,
                         .service = 0,
                         .server = 0,
                         .key = svc.key,
                         .address = {}});
    }
  }

  for (std::uint32_t i = 0; i < next.services.size(); ++i) {
    const config::ServiceConfig& cfg = next.services[i];
    auto found = old_services.find(key_id(cfg.key));
    const config::ServiceConfig* old = found == old_services.end() ? nullptr : found->second;
    if (old == nullptr || scheduling_differs(*old, cfg)) {
      changes.push_back({.kind = ServiceChange::Kind::ConfigureService,
                         .service = i,
                         .server = 0,
                         .key = cfg.key,
                         .address = {}});
    }
    std::unordered_map<std::uint64_t, const config::RealServerConfig*> old_servers;
    if (old != nullptr) {
      std::unordered_set<std::uint64_t> kept;
      kept.reserve(cfg.real_servers.size());
      for (const auto& rs : cfg.real_servers) kept.insert(address_id(rs.address));
      old_servers.reserve(old->real_servers.size());
      // -d in list order (head first: the reverse of the file), as ServiceTable::apply().
      for (auto rs = old->real_servers.rbegin(); rs != old->real_servers.rend(); ++rs) {
        old_servers.emplace(address_id(rs->address), &*rs);
        if (!kept.contains(address_id(rs->address))) {
          changes.push_back({.kind = ServiceChange::Kind::DeleteServer,
                             .service = i,
                             .server = 0,
                             .key = cfg.key,
                             .address = rs->address});
        }
      }
    }
    for (std::uint32_t j = 0; j < cfg.real_servers.size(); ++j) {
      const auto& rs = cfg.real_servers[j];
      auto was = old_servers.find(address_id(rs.address));
      if (was != old_servers.end() && !server_differs(*was->second, rs)) continue;
      changes.push_back({.kind = ServiceChange::Kind::AddOrEditServer,
                         .service = i,
                         .server = j,
                         .key = cfg.key,
                         .address = rs.address});
    }
  }
  return changes;
}

}  // namespace lvs
