// A reload as a list of ipvsadm commands: the difference between the running configuration and
// the next one, computed off the packet thread (a pure function of two immutable config models)
// and applied on it one change at a time (ServiceTable::apply_change()), so a reload of tens of
// thousands of real servers is cut into steps that each take a bounded time. The order is the one
// ServiceTable::apply() would follow: -D for services that went away, then per service in file
// order -A/-E, -d for servers that went away, -a/-e in file order. A service going away with
// more than kDrainBeforeDelete servers is emptied by -d (in file order) before its -D, so that no
// single change takes long (a -D of 50,000 servers frees them all at once: ~15-40 ms).
#pragma once

#include <cstdint>
#include <vector>

#include "config/model.h"

namespace lvs {

inline constexpr std::size_t kDrainBeforeDelete = 256;

struct ServiceChange {
  enum class Kind : std::uint8_t {
    DeleteService,     // -D `key` (a service of the running configuration)
    ConfigureService,  // -A or -E next.services[service]
    DeleteServer,      // -d `address` from the service `key` (of next, or one going away)
    AddOrEditServer,   // -a or -e next.services[service].real_servers[server]
  };
  Kind kind = Kind::ConfigureService;
  std::uint32_t service = 0;  // index into next.services (all kinds but DeleteService)
  std::uint32_t server = 0;   // index into that service's real_servers (AddOrEditServer)
  config::ServiceKey key;     // the service's key (every kind)
  Endpoint address;           // DeleteServer
};

// Linear in the size of both configurations (hash lookups, no pairwise scans).
std::vector<ServiceChange> diff_services(const config::DirectorConfig& running,
                                         const config::DirectorConfig& next);

}  // namespace lvs
