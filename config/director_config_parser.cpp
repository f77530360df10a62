#include "config/director_config_parser.h"

#include <charconv>
#include <string>
#include <unordered_map>
#include <utility>

#include "config/map_fields.h"
#include "config/service_config_parser.h"

namespace lvs::config {
namespace {

constexpr std::uint64_t kMaxTimeout = 2678400;  // 31 days, as ipvsadm --set
constexpr std::uint64_t kMaxGcThresh = 1048576;

// "N" (0..65535, plain decimal) → N.
std::optional<std::uint16_t> queue_number(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

DirectorConfig DirectorConfigParser::parse(const YamlField& root) {
  DirectorConfig config;
  MapFields fields(reader_, root, {"director", "services"});
  if (!fields.is_map()) return config;
  // `director` may be omitted: every setting has a default. `services` may not: a director with
  // nothing to balance is a mistake, not a configuration.
  if (auto field = fields.get("director")) parse_settings(*field, config.director);
  if (auto field = fields.require("services")) parse_services(*field, config.services);
  return config;
}

void DirectorConfigParser::parse_settings(const YamlField& field, DirectorSettings& settings) {
  MapFields fields(reader_, field,
                   {"interface", "queue", "control-socket", "metrics", "vip-mode", "timeouts",
                    "neighbour", "connection-limit"});
  if (!fields.is_map()) return;
  if (auto f = fields.get("interface")) {
    if (auto name = reader_.interface_name(*f)) settings.interface = *name;
  }
  if (auto f = fields.get("queue")) parse_queue(*f, settings);
  if (auto f = fields.get("control-socket")) {
    if (auto path = reader_.text(*f)) {
      // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
      if (path->front() != '/' || path->size() > 107) {
        reader_.error(*f,
                      "must be an absolute path of at most 107 bytes (a unix socket path), "
                      "got " +
                          ConfigReader::describe(f->value));
      } else {
        settings.control_socket = *path;
      }
    }
  }
  if (auto f = fields.get("metrics")) {
    if (auto address = reader_.listen_address(*f)) settings.metrics = format_endpoint(*address);
  }
  if (auto f = fields.get("vip-mode")) {
    if (auto mode = reader_.choice(*f, {"managed", "external"})) {
      settings.vip_mode = *mode == 0 ? VipMode::Managed : VipMode::External;
    }
  }
  if (auto f = fields.get("timeouts")) parse_timeouts(*f, settings.timeouts);
  if (auto f = fields.get("neighbour")) parse_neighbour(*f, settings.neighbour);
  // 2^24 entries (1 GiB of table) is the ceiling of the derived default too.
  reader_.integer_into(fields.get("connection-limit"), settings.connection_limit, 1, 16777216);
}

void DirectorConfigParser::parse_queue(const YamlField& field, DirectorSettings& settings) {
  const std::string expected =
      "must be a queue number 0..65535 or a range \"A-B\" with A <= B, got ";
  if (!field.value.IsScalar() || field.value.Scalar().empty()) {
    reader_.error(field, expected + ConfigReader::describe(field.value));
    return;
  }
  const std::string& text = field.value.Scalar();
  const auto dash = text.find('-');
  std::optional<std::uint16_t> first;
  std::optional<std::uint16_t> last;
  if (dash == std::string::npos) {
    first = last = queue_number(text);
  } else {
    first = queue_number(std::string_view(text).substr(0, dash));
    last = queue_number(std::string_view(text).substr(dash + 1));
  }
  if (!first || !last || *first > *last) {
    reader_.error(field, expected + ConfigReader::describe(field.value));
    return;
  }
  settings.queue_first = *first;
  settings.queue_last = *last;
}

void DirectorConfigParser::parse_timeouts(const YamlField& field, Timeouts& timeouts) {
  MapFields fields(reader_, field, {"tcp", "tcpfin", "udp"});
  reader_.integer_into(fields.get("tcp"), timeouts.tcp, 1, kMaxTimeout);
  reader_.integer_into(fields.get("tcpfin"), timeouts.tcpfin, 1, kMaxTimeout);
  reader_.integer_into(fields.get("udp"), timeouts.udp, 1, kMaxTimeout);
}

void DirectorConfigParser::parse_neighbour(const YamlField& field, NeighbourConfig& neighbour) {
  MapFields fields(
      reader_, field,
      {"base-reachable-time-ms", "retrans-time-ms", "delay-first-probe-time-s", "ucast-solicit",
       "mcast-solicit", "unres-qlen", "gc-thresh1", "gc-thresh2", "gc-thresh3", "gc-stale-time-s"});
  if (!fields.is_map()) return;
  reader_.integer_into(fields.get("base-reachable-time-ms"), neighbour.base_reachable_time_ms, 1000,
                       3600000);
  reader_.integer_into(fields.get("retrans-time-ms"), neighbour.retrans_time_ms, 10, 60000);
  reader_.integer_into(fields.get("delay-first-probe-time-s"), neighbour.delay_first_probe_time_s,
                       1, 60);
  reader_.integer_into(fields.get("ucast-solicit"), neighbour.ucast_solicit, 0, 32);
  // At least one broadcast probe, or an unresolved neighbour could never resolve.
  reader_.integer_into(fields.get("mcast-solicit"), neighbour.mcast_solicit, 1, 32);
  reader_.integer_into(fields.get("unres-qlen"), neighbour.unres_qlen, 0, 65535);
  reader_.integer_into(fields.get("gc-thresh1"), neighbour.gc_thresh1, 0, kMaxGcThresh);
  reader_.integer_into(fields.get("gc-thresh2"), neighbour.gc_thresh2, 0, kMaxGcThresh);
  // gc-thresh3 is the hard limit on entries: 0 would forbid every neighbour.
  reader_.integer_into(fields.get("gc-thresh3"), neighbour.gc_thresh3, 1, kMaxGcThresh);
  reader_.integer_into(fields.get("gc-stale-time-s"), neighbour.gc_stale_time_s, 1, 86400);

  // The thresholds are ordered (soft minimum, soft maximum, hard maximum). Blame the later key of
  // a pair if it was written, else the earlier one (a default cannot be wrong by itself).
  auto check_order = [&](std::string_view low_key, std::uint32_t low, std::string_view high_key,
                         std::uint32_t high) {
    if (low <= high) return;
    auto blamed = fields.get(high_key) ? fields.get(high_key) : fields.get(low_key);
    if (!blamed) return;
    reader_.error(*blamed, std::string(low_key) + " (" + std::to_string(low) +
                               ") must not exceed " + std::string(high_key) + " (" +
                               std::to_string(high) +
                               (fields.get(high_key) ? "" : ", the default") + ")");
  };
  check_order("gc-thresh1", neighbour.gc_thresh1, "gc-thresh2", neighbour.gc_thresh2);
  check_order("gc-thresh2", neighbour.gc_thresh2, "gc-thresh3", neighbour.gc_thresh3);
}

void DirectorConfigParser::parse_services(const YamlField& field,
                                          std::vector<ServiceConfig>& services) {
  auto entries = reader_.list(field);
  if (!entries) return;
  if (entries->empty()) {
    reader_.error(field, "must list at least one service");
    return;
  }
  ServiceConfigParser service_parser(reader_);
  // Each valid service key → its index and mark, for the duplicate check in O(1) (a scan of the
  // services so far made 60k services take 7.3 s; issue 12, #3).
  std::unordered_map<std::uint64_t, std::pair<std::size_t, YamlMark>> first_by_key;
  for (const YamlField& entry : *entries) {
    auto parsed = service_parser.parse(entry);
    if (parsed.key_field) {
      const ServiceKey& key = parsed.config.key;
      // protocol (2 bits) | mark, or protocol | address | port: distinct keys, distinct numbers.
      const std::uint64_t id =
          (static_cast<std::uint64_t>(key.protocol) << 48) |
          (key.protocol == ServiceProtocol::Fwmark
               ? key.fwmark
               : (static_cast<std::uint64_t>(key.vip.addr) << 16) | key.vip.port);
      auto [first, inserted] =
          first_by_key.try_emplace(id, services.size(), parsed.key_field->mark);
      if (!inserted) {
        // as do_ip_vs_set_ctl(): a second -A of an existing service fails with -EEXIST.
        reader_.error(*parsed.key_field, "duplicate service " + key.to_string() +
                                             " (first defined at " +
                                             item_path("services", first->second.first) + ", " +
                                             line_of(first->second.second) + ")");
      }
    }
    services.push_back(std::move(parsed.config));
  }
}

}  // namespace lvs::config
