#include "config/service_config_parser.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "config/closest_key.h"
#include "config/neighbour_entry.h"

namespace lvs::config {
namespace {

// The schedulers this director implements (ipvsadm -s names): all fourteen mainline Linux ships,
// in ipvsadm's documentation order. director/src/sched/scheduler_factory.cpp maps them to classes;
// a unit test (config_loader_test) keeps the two lists equal.
const std::vector<std::string_view> kSchedulers = {
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"};
// ipvsadm -b names of the two scheduler bits (IP_VS_SVC_F_SCHED1, _SCHED2), in the order
// parse_scheduler() offers them. Only sh and mh read the bits; ipvsadm's flag-1/flag-2 for other
// schedulers would do nothing and are not accepted.
const std::vector<std::string_view> kSchedulerFlags = {"sh-fallback", "sh-port", "mh-fallback",
                                                       "mh-port"};

constexpr std::uint64_t kMaxPersistent = 2678400;    // 31 days, as ipvsadm -p
constexpr std::uint64_t kMaxThreshold = 2147483647;  // INT_MAX, as ipvsadm -x / -y

std::string scheduler_list() {
  std::string out;
  for (std::string_view s : kSchedulers) out += (out.empty() ? "" : " ") + std::string(s);
  return out;
}

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

ServiceConfigParser::Parsed ServiceConfigParser::parse(const YamlField& entry) {
  Parsed parsed;
  ServiceConfig& service = parsed.config;
  MapFields fields(reader_, entry,
                   {"tcp-service", "udp-service", "fwmark-service", "scheduler", "scheduler-flags",
                    "persistent", "netmask", "health-check", "real-servers"});
  if (!fields.is_map()) return parsed;

  auto key_field = parse_key(fields, service.key);
  parse_scheduler(fields, service);
  if (auto field = fields.get("persistent")) {
    if (auto seconds = reader_.integer(*field, 1, kMaxPersistent)) {
      service.persistent = static_cast<std::uint32_t>(*seconds);
    }
  }
  if (auto field = fields.get("netmask")) {
    if (auto mask = reader_.netmask(*field)) service.netmask = *mask;
  }

  const bool is_fwmark = service.key.protocol == ServiceProtocol::Fwmark;
  if (key_field && !is_fwmark && service.key.vip.port == 0 && !fields.get("persistent")) {
    // as ipvsadm: "Zero port specified for non-persistent service" — port 0 means "every port",
    // which only makes sense when a client's connections stick to one real server.
    reader_.error(*key_field,
                  "port 0 (all ports) needs `persistent` (as ipvsadm: zero port "
                  "specified for non-persistent service)");
    key_field.reset();
  }
  const bool has_port = !is_fwmark && service.key.vip.port != 0;
  if (auto field = fields.get("health-check")) {
    parse_health_check(*field, has_port || !key_field, service);
  }
  if (auto field = fields.get("real-servers")) {
    parse_real_servers(*field, service, key_field.has_value(), service.real_servers);
  }
  parsed.key_field = key_field;
  return parsed;
}

std::optional<YamlField> ServiceConfigParser::parse_key(MapFields& fields, ServiceKey& key) {
  std::vector<YamlField> given;
  for (std::string_view name : {"tcp-service", "udp-service", "fwmark-service"}) {
    if (auto field = fields.get(name)) given.push_back(*field);
  }
  if (given.empty()) {
    reader_.error(fields.self(), "needs exactly one of tcp-service, udp-service or fwmark-service");
    return std::nullopt;
  }
  std::sort(given.begin(), given.end(),
            [](const YamlField& a, const YamlField& b) { return a.key_mark.pos < b.key_mark.pos; });
  const YamlField& first = given.front();
  const std::string first_name = first.path.substr(first.path.rfind('.') + 1);
  for (std::size_t i = 1; i < given.size(); ++i) {
    reader_.error(given[i].key_mark, given[i].path,
                  "a service has exactly one of tcp-service, udp-service or fwmark-service; this "
                  "one already has " +
                      first_name + " (" + line_of(first.key_mark) + ")");
  }

  if (first_name == "fwmark-service") {
    auto mark = reader_.integer(first, 1, 0xffffffffu);
    if (!mark) return std::nullopt;
    key.protocol = ServiceProtocol::Fwmark;
    key.fwmark = static_cast<std::uint32_t>(*mark);
    return first;
  }
  key.protocol = first_name == "tcp-service" ? ServiceProtocol::Tcp : ServiceProtocol::Udp;
  auto text = reader_.text(first);
  if (!text) return std::nullopt;
  auto vip = parse_endpoint(*text);
  if (!vip) {
    std::string message =
        "must be VIP:PORT like 10.200.0.100:80, got " + ConfigReader::describe(first.value);
    if (parse_ipv4(*text)) message += " (the port is required)";
    reader_.error(first, std::move(message));
    return std::nullopt;
  }
  if ((vip->addr >> 24) == 0 || (vip->addr >> 28) >= 0xe) {
    reader_.error(first,
                  "the VIP must be a unicast IPv4 address (not 0.0.0.0/8, multicast or "
                  "broadcast), got " +
                      ConfigReader::describe(first.value));
    return std::nullopt;
  }
  key.vip = *vip;
  return first;
}

void ServiceConfigParser::parse_scheduler(MapFields& fields, ServiceConfig& service) {
  bool scheduler_known = true;
  if (auto field = fields.get("scheduler")) {
    auto name = reader_.text(*field);
    if (!name) {
      scheduler_known = false;
    } else if (contains(kSchedulers, *name)) {
      service.scheduler = *name;
    } else {
      scheduler_known = false;
      std::string message =
          "unknown scheduler '" + printable(*name) + "' (known: " + scheduler_list() + ")";
      if (auto near = closest_key(*name, kSchedulers)) {
        message += "; did you mean '" + std::string(*near) + "'?";
      }
      reader_.error(*field, std::move(message));
    }
  }

  auto flags_field = fields.get("scheduler-flags");
  if (!flags_field) return;
  auto flags = reader_.list(*flags_field);
  if (!flags) return;
  for (std::size_t i = 0; i < flags->size(); ++i) {
    const YamlField& flag = (*flags)[i];
    auto which = reader_.choice(flag, {"sh-fallback", "sh-port", "mh-fallback", "mh-port"});
    if (!which) continue;
    // even entries name SCHED1 (fallback), odd ones SCHED2 (port)
    bool& target = *which % 2 == 0 ? service.sched_fallback : service.sched_port;
    if (target) {
      reader_.error(flag, "flag " + printable(flag.value.Scalar()) + " is listed twice" +
                              (*which % 2 == 0 ? " (sh-fallback and mh-fallback are one bit)"
                                               : " (sh-port and mh-port are one bit)"));
    }
    target = true;
    // ipvsadm's parse_sched_flags() takes sh-* only with sh and mh-* only with mh; the bits would
    // do nothing under any other scheduler, and a flag that silently does nothing is a mistake.
    const std::string_view owner = *which < 2 ? "sh" : "mh";
    if (scheduler_known && service.scheduler != owner) {
      reader_.error(flag, "scheduler flag " + std::string(kSchedulerFlags[*which]) +
                              " applies only to the " + std::string(owner) +
                              " scheduler; this service uses '" + service.scheduler + "'");
    }
  }
}

void ServiceConfigParser::parse_health_check(const YamlField& field, bool service_has_port,
                                             ServiceConfig& service) {
  MapFields fields(reader_, field, {"type", "interval-s", "timeout-s", "rise", "fall"});
  if (!fields.is_map()) return;
  HealthCheckConfig check;
  bool enabled = true;
  auto type_field = fields.get("type");
  if (type_field) {
    if (auto type = reader_.choice(*type_field, {"tcp", "none"})) {
      enabled = *type == 0;
      check.type = *type == 0 ? "tcp" : "none";
    }
  }
  reader_.integer_into(fields.get("interval-s"), check.interval_s, 1, 3600);
  reader_.integer_into(fields.get("timeout-s"), check.timeout_s, 1, 3600);
  reader_.integer_into(fields.get("rise"), check.rise, 1, 100);
  reader_.integer_into(fields.get("fall"), check.fall, 1, 100);
  if (check.timeout_s > check.interval_s) {
    // Blame whichever of the two was written (timeout-s if both were).
    auto blamed = fields.get("timeout-s") ? fields.get("timeout-s") : fields.get("interval-s");
    reader_.error(*blamed, "timeout-s (" + std::to_string(check.timeout_s) +
                               ") must not exceed interval-s (" + std::to_string(check.interval_s) +
                               ")");
  }
  if (enabled && !service_has_port) {
    reader_.error(type_field ? *type_field : field,
                  "a tcp health check connects to the service port, and this service has none "
                  "(fwmark or port 0); use type: none");
  }
  // "none" is the same as no health-check at all: consumers only test presence.
  if (enabled) service.health_check = check;
}

void ServiceConfigParser::parse_real_servers(const YamlField& field, const ServiceConfig& service,
                                             bool key_valid, std::vector<RealServerConfig>& out) {
  auto entries = reader_.list(field);
  if (!entries) return;
  // IP:port → where it was first given, for the duplicate check in O(1) (a scan made 200k real
  // servers take minutes; issue 12, #3).
  std::unordered_map<std::uint64_t, std::pair<std::size_t, YamlMark>> first_by_address;
  out.reserve(entries->size());
  for (const YamlField& entry : *entries) {
    std::optional<YamlField> address_field;
    RealServerConfig server = parse_real_server(entry, service, key_valid, address_field);
    if (address_field) {
      const std::uint64_t id =
          (static_cast<std::uint64_t>(server.address.addr) << 16) | server.address.port;
      auto [first, inserted] = first_by_address.try_emplace(id, out.size(), address_field->mark);
      if (!inserted) {
        // as ip_vs_add_dest(): -EEXIST for the same IP:port twice in one service.
        reader_.error(*address_field,
                      "duplicate real server " + format_endpoint(server.address) +
                          " in this service (first at " +
                          child_path(item_path(field.path, first->second.first), "real-server") +
                          ", " + line_of(first->second.second) + ")");
      }
    }
    out.push_back(server);
  }
}

RealServerConfig ServiceConfigParser::parse_real_server(const YamlField& entry,
                                                        const ServiceConfig& service,
                                                        bool key_valid,
                                                        std::optional<YamlField>& address_field) {
  RealServerConfig server;
  MapFields fields(reader_, entry,
                   {"real-server", "weight", "forwarding", "mac", "u-threshold", "l-threshold"});
  if (!fields.is_map()) return server;

  if (auto field = fields.require("real-server")) {
    address_field = field;
    auto text = reader_.text(*field);
    const bool port_written = text && text->find(':') != std::string::npos;
    auto endpoint = text ? parse_endpoint(*text, /*port_optional=*/true) : std::nullopt;
    const bool is_fwmark = service.key.protocol == ServiceProtocol::Fwmark;
    if (!text) {
      address_field.reset();
    } else if (!endpoint) {
      reader_.error(*field, "must be IP or IP:PORT like 10.200.0.11:80, got " +
                                ConfigReader::describe(field->value));
      address_field.reset();
    } else if ((endpoint->addr >> 24) == 0 || (endpoint->addr >> 28) >= 0xe) {
      reader_.error(*field,
                    "must be a unicast IPv4 address (not 0.0.0.0/8, multicast or "
                    "broadcast), got " +
                        ConfigReader::describe(field->value));
      address_field.reset();
    } else if (key_valid && is_fwmark && endpoint->port != 0) {
      reader_.error(*field, "a fwmark service has no port: write the address alone (" +
                                format_ipv4(endpoint->addr) + ") or with :0");
      address_field.reset();
    } else if (key_valid && !is_fwmark && port_written && endpoint->port != service.key.vip.port) {
      // Direct routing only rewrites the MAC address: the packet keeps the VIP's port, so a
      // real server on another port would never see it.
      reader_.error(*field, "port " + std::to_string(endpoint->port) +
                                " differs from the service port " +
                                std::to_string(service.key.vip.port) +
                                "; gatewaying (direct routing) cannot change the port: write " +
                                format_ipv4(endpoint->addr) + ":" +
                                std::to_string(service.key.vip.port) + " or omit the port");
      address_field.reset();
    } else {
      server.address = *endpoint;
      // An omitted port is the service port (ipvsadm -r without :port); fwmark services use 0.
      if (!port_written && !is_fwmark) server.address.port = service.key.vip.port;
    }
  }

  reader_.integer_into(fields.get("weight"), server.weight, 0, 65535);
  if (auto field = fields.get("forwarding")) {
    auto text = reader_.text(*field);
    if (text && *text != "gatewaying") {
      const bool other_method =
          *text == "masquerading" || *text == "ipip" || *text == "tunneling" || *text == "tunnel";
      std::string message = other_method ? "only gatewaying (direct routing) is supported, got " +
                                               ConfigReader::describe(field->value)
                                         : "must be gatewaying (direct routing), got " +
                                               ConfigReader::describe(field->value);
      if (!other_method && closest_key(*text, {"gatewaying"})) {
        message += "; did you mean 'gatewaying'?";
      }
      reader_.error(*field, std::move(message));
    }
  }
  if (auto field = fields.get("mac")) {
    if (auto mac = reader_.unicast_mac(*field)) {
      server.mac = *mac;
      // A PERMANENT neighbour entry: the same check as `lvsadm neigh add` (neighbour_entry.h).
      const std::vector<Ipv4> vips = service.key.protocol == ServiceProtocol::Fwmark
                                         ? std::vector<Ipv4>{}
                                         : std::vector<Ipv4>{service.key.vip.addr};
      if (address_field) {
        if (auto problem = neighbour_ip_problem(server.address.addr, vips); !problem.empty()) {
          reader_.error(*field, "cannot be a PERMANENT neighbour entry: " + problem);
        }
      }
    }
  }
  reader_.integer_into(fields.get("u-threshold"), server.u_threshold, 0, kMaxThreshold);
  reader_.integer_into(fields.get("l-threshold"), server.l_threshold, 0, kMaxThreshold);
  if (server.l_threshold > server.u_threshold) {
    // as ip_vs_add_dest() / ip_vs_edit_dest(): -ERANGE "lower threshold is higher than upper
    // threshold", checked even when u-threshold is 0 (no limit).
    reader_.error(*fields.get("l-threshold"),
                  "l-threshold (" + std::to_string(server.l_threshold) +
                      ") must not exceed u-threshold (" + std::to_string(server.u_threshold) +
                      (server.u_threshold == 0 ? ", i.e. no limit: leave l-threshold at 0)" : ")"));
  }
  return server;
}

}  // namespace lvs::config
