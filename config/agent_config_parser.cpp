#include "config/agent_config_parser.h"

#include <unordered_map>
#include <unordered_set>

#include "config/map_fields.h"

namespace lvs::config {

AgentConfig AgentConfigParser::parse(const YamlField& root) {
  AgentConfig config;
  MapFields fields(reader_, root, {"agent"});
  if (auto field = fields.require("agent")) parse_agent(*field, config);
  return config;
}

void AgentConfigParser::parse_agent(const YamlField& field, AgentConfig& config) {
  MapFields fields(reader_, field,
                   {"vips", "vip-device", "interfaces", "arp-ignore", "arp-announce",
                    "check-interval-s", "metrics"});
  if (!fields.is_map()) return;

  if (auto vips_field = fields.require("vips")) {
    if (auto items = reader_.list(*vips_field)) {
      if (items->empty()) reader_.error(*vips_field, "must list at least one VIP");
      std::unordered_map<Ipv4, const YamlField*> first_by_vip;  // O(1) duplicate check
      for (const YamlField& item : *items) {
        auto vip = reader_.unicast_ipv4(item);
        if (!vip) continue;
        auto [first, inserted] = first_by_vip.try_emplace(*vip, &item);
        if (!inserted) {
          reader_.error(item, "duplicate VIP " + format_ipv4(*vip) + " (first at " +
                                  first->second->path + ")");
          continue;
        }
        config.vips.push_back(*vip);
      }
    }
  }
  if (auto f = fields.get("vip-device")) {
    if (auto name = reader_.interface_name(*f)) config.vip_device = *name;
  }
  if (auto f = fields.get("interfaces")) {
    if (auto items = reader_.list(*f)) {
      if (items->empty()) reader_.error(*f, "must list at least one interface");
      config.interfaces.clear();
      std::unordered_set<std::string> seen;  // O(1) duplicate check
      for (const YamlField& item : *items) {
        auto name = reader_.interface_name(item);
        if (!name) continue;
        if (!seen.insert(*name).second) {
          reader_.error(item, "duplicate interface " + *name);
          continue;
        }
        config.interfaces.push_back(*name);
      }
    }
  }
  // The kernel accepts arp_ignore 0..8 (4..7 reserved) and arp_announce 0..2.
  reader_.integer_into(fields.get("arp-ignore"), config.arp_ignore, 0, 8);
  reader_.integer_into(fields.get("arp-announce"), config.arp_announce, 0, 2);
  reader_.integer_into(fields.get("check-interval-s"), config.check_interval_s, 1, 3600);
  if (auto f = fields.get("metrics")) {
    if (auto address = reader_.listen_address(*f)) config.metrics = format_endpoint(*address);
  }
}

}  // namespace lvs::config
