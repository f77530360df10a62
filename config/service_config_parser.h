// One entry of the director's `services` list → ServiceConfig, with its real servers. Checks
// everything that can be decided inside one service (key, scheduler and flags, persistence,
// health check, real-server addresses, ports, thresholds, duplicate real servers); duplicate
// services across the list are the DirectorConfigParser's job.
#pragma once

#include <optional>
#include <vector>

#include "config/config_reader.h"
#include "config/map_fields.h"
#include "config/model.h"

namespace lvs::config {

class ServiceConfigParser {
 public:
  struct Parsed {
    ServiceConfig config;
    // The tcp-/udp-/fwmark-service entry, when it held a valid key (for duplicate detection).
    std::optional<YamlField> key_field;
  };

  explicit ServiceConfigParser(ConfigReader& reader) : reader_(reader) {}

  Parsed parse(const YamlField& entry);

 private:
  std::optional<YamlField> parse_key(MapFields& fields, ServiceKey& key);
  void parse_scheduler(MapFields& fields, ServiceConfig& service);
  void parse_health_check(const YamlField& field, bool service_has_port, ServiceConfig& service);
  void parse_real_servers(const YamlField& field, const ServiceConfig& service, bool key_valid,
                          std::vector<RealServerConfig>& out);
  // `address_field` is set when the real-server address (and port) were valid.
  RealServerConfig parse_real_server(const YamlField& entry, const ServiceConfig& service,
                                     bool key_valid, std::optional<YamlField>& address_field);

  ConfigReader& reader_;
};

}  // namespace lvs::config
