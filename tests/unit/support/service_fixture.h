// Services for the tests, built the way the daemon builds them: a VirtualService from a small
// spec (`ipvsadm -A` then one `-a` per server), or a whole ServiceTable loaded from YAML.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "config/loader.h"
#include "config/service_key.h"
#include "sched/scheduler.h"
#include "service/service_table.h"
#include "service/virtual_service.h"
#include "support/config_yaml.h"
#include "support/lab_addresses.h"

namespace lvs::test {

// tcp/10.200.0.100:80 unless told otherwise.
inline config::ServiceKey tcp_key(const char* vip = "10.200.0.100:80") {
  return {config::ServiceProtocol::Tcp, ep(vip), 0};
}

// `ipvsadm -A -t VIP -s SCHEDULER` then `-a` of each server in order, default parameters
// (weight 1, no thresholds): the kernel's list is the reverse of `servers`.
inline std::unique_ptr<VirtualService> make_service(std::string_view scheduler,
                                                    std::initializer_list<const char*> servers,
                                                    SchedulerFlags flags = {},
                                                    const config::ServiceKey& key = tcp_key()) {
  auto svc = std::make_unique<VirtualService>(key, make_scheduler(scheduler, flags), flags);
  for (const char* server : servers) svc->add_destination(ep(server), {});
  return svc;
}

// A ServiceTable loaded from YAML as the daemon loads it (ServiceTable::apply: the services and
// their servers in file order), with the configuration kept for the rest of its settings.
struct LoadedServices {
  explicit LoadedServices(const std::string& yaml) : config(director_config(yaml)) {
    table.apply(config);
  }

  // The service with this key ("tcp/10.200.0.100:80", "fwm/7"); a test failure if there is none.
  VirtualService* service(const char* key) {
    VirtualService* svc = table.find(*config::parse_service_key(key));
    EXPECT_NE(svc, nullptr) << key;
    return svc;
  }
  // One of that service's servers; a test failure if there is none.
  Destination* server(const char* key, const char* address) {
    VirtualService* svc = service(key);
    Destination* d = svc == nullptr ? nullptr : svc->find(ep(address));
    EXPECT_NE(d, nullptr) << key << " " << address;
    return d;
  }

  config::DirectorConfig config;
  ServiceTable table;
};

}  // namespace lvs::test
