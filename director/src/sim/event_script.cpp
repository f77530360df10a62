#include "sim/event_script.h"

#include <charconv>
#include <sstream>
#include <string>
#include <vector>

namespace lvs::sim {
namespace {

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

std::optional<std::uint64_t> parse_unsigned(const std::string& text, std::uint64_t max) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

// The longest single `tick`: 31 days, the largest timeout there is (persistence's maximum).
// Longer spans are several ticks; the bound keeps one event from stepping the clock for hours.
constexpr std::uint64_t kMaxTickSeconds = 2678400;

// "12", "0.5", "1.250" → milliseconds; at most three decimals.
std::optional<TimeMs> parse_seconds(const std::string& text) {
  auto dot = text.find('.');
  auto whole = parse_unsigned(text.substr(0, dot), kMaxTickSeconds);
  if (!whole) return std::nullopt;
  TimeMs ms = *whole * 1000;
  if (dot != std::string::npos) {
    std::string frac = text.substr(dot + 1);
    if (frac.empty() || frac.size() > 3) return std::nullopt;
    auto f = parse_unsigned(frac, 999);
    if (!f) return std::nullopt;
    for (std::size_t i = frac.size(); i < 3; ++i) *f *= 10;
    ms += *f;
  }
  if (ms > kMaxTickSeconds * 1000) return std::nullopt;
  return ms;
}

// ipvsadm's -x/-y range (string_to_number(optarg, 0, INT_MAX)), as the config file's.
constexpr std::uint64_t kMaxThreshold = 2147483647;

// The options after `add|edit SERVICE RS WEIGHT`: -x/--u-threshold N, -y/--l-threshold N, each
// at most once (ipvsadm: "multiple '-x' options specified"). Empty, or what is wrong.
std::string parse_thresholds(const std::vector<std::string>& words, std::size_t first,
                             ChangeRealServer& ev) {
  bool have_u = false;
  bool have_l = false;
  for (std::size_t i = first; i < words.size(); i += 2) {
    const std::string& option = words[i];
    const bool upper = option == "-x" || option == "--u-threshold";
    const bool lower = option == "-y" || option == "--l-threshold";
    if (!upper && !lower) {
      return "unexpected '" + option + "' (options: -x|--u-threshold N, -y|--l-threshold N)";
    }
    bool& seen = upper ? have_u : have_l;
    if (seen) return option + " given twice";
    seen = true;
    const std::string name = upper ? "u-threshold" : "l-threshold";
    if (i + 1 >= words.size()) return name + " (" + option + ") needs a value";
    auto n = parse_unsigned(words[i + 1], kMaxThreshold);
    if (!n) return name + " '" + words[i + 1] + "' must be an integer 0..2147483647";
    (upper ? ev.u_threshold : ev.l_threshold) = static_cast<std::uint32_t>(*n);
  }
  if (ev.l_threshold > ev.u_threshold) {
    // as ip_vs_add_dest() / ip_vs_edit_dest(): -ERANGE, even when u-threshold is 0 (no limit).
    return "l-threshold (" + std::to_string(ev.l_threshold) + ") must not exceed u-threshold (" +
           std::to_string(ev.u_threshold) + (ev.u_threshold == 0 ? ", i.e. no limit)" : ")");
  }
  return {};
}

}  // namespace

ParseResult parse_event_script(std::istream& in) {
  std::vector<ScriptEvent> events;
  std::vector<ScriptError> errors;
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    auto hash = raw.find('#');
    auto words = split_words(hash == std::string::npos ? raw : raw.substr(0, hash));
    if (words.empty()) continue;
    const std::string& verb = words[0];
    auto fail = [&](const std::string& message) { errors.push_back({line_no, message}); };
    auto service_at = [&](std::size_t i) -> std::optional<config::ServiceKey> {
      auto key = config::parse_service_key(words[i]);
      if (!key)
        fail("'" + words[i] + "' is not a service (tcp/VIP:PORT, udp/VIP:PORT or fwm/MARK)");
      return key;
    };
    auto endpoint_at = [&](std::size_t i, const char* what) -> std::optional<Endpoint> {
      auto ep = parse_endpoint(words[i]);
      if (!ep) fail("'" + words[i] + "' is not " + what + " (IP:PORT)");
      return ep;
    };

    if (verb == "new") {
      if (words.size() < 2 || words.size() > 4) {
        fail("usage: new CLIENT_IP:PORT [SERVICE [DEST_IP:PORT]]");
        continue;
      }
      NewConnection ev;
      auto client = endpoint_at(1, "a client address");
      if (!client) continue;
      ev.client = *client;
      if (words.size() >= 3) {
        ev.service = service_at(2);
        if (!ev.service) continue;
      }
      if (words.size() == 4) {
        if (ev.service->protocol != config::ServiceProtocol::Fwmark) {
          fail("a destination address is only given for fwmark services");
          continue;
        }
        ev.destination = endpoint_at(3, "a destination address");
        if (!ev.destination) continue;
      }
      events.push_back({line_no, ev});
    } else if (verb == "fin" || verb == "close") {
      std::optional<std::uint64_t> n;
      if (words.size() == 2) n = parse_unsigned(words[1], 0xffffffffu);
      if (!n || *n == 0) {
        fail("usage: " + verb + " N (N = 1-based number of a `new` event)");
        continue;
      }
      if (verb == "fin") {
        events.push_back({line_no, FinConnection{static_cast<std::uint32_t>(*n)}});
      } else {
        events.push_back({line_no, CloseConnection{static_cast<std::uint32_t>(*n)}});
      }
    } else if (verb == "add" || verb == "edit" || verb == "del") {
      const bool with_weight = verb != "del";
      const std::size_t fixed_words = with_weight ? 4u : 3u;
      if (words.size() < fixed_words || (!with_weight && words.size() > fixed_words)) {
        fail(with_weight ? "usage: " + verb + " SERVICE RS_IP:PORT WEIGHT [-x N] [-y N]"
                         : "usage: del SERVICE RS_IP:PORT");
        continue;
      }
      ChangeRealServer ev;
      ev.kind = verb == "add"    ? ChangeRealServer::Kind::Add
                : verb == "edit" ? ChangeRealServer::Kind::Edit
                                 : ChangeRealServer::Kind::Delete;
      auto key = service_at(1);
      if (!key) continue;
      ev.service = *key;
      auto ep = parse_endpoint(words[2], true);
      if (!ep) {
        fail("'" + words[2] + "' is not a real server (IP:PORT)");
        continue;
      }
      ev.address = *ep;
      if (with_weight) {
        auto w = parse_unsigned(words[3], 65535);
        if (!w) {
          fail("weight '" + words[3] + "' must be an integer 0..65535");
          continue;
        }
        ev.weight = static_cast<std::int32_t>(*w);
        if (auto problem = parse_thresholds(words, fixed_words, ev); !problem.empty()) {
          fail(verb + ": " + problem);
          continue;
        }
      }
      events.push_back({line_no, ev});
    } else if (verb == "tick") {
      std::optional<TimeMs> ms;
      if (words.size() == 2) ms = parse_seconds(words[1]);
      if (!ms) {
        fail("usage: tick SECONDS (0..2678400, i.e. at most 31 days; at most 3 decimals)");
        continue;
      }
      events.push_back({line_no, AdvanceClock{*ms}});
    } else {
      fail("unknown event '" + verb + "' (expected new, fin, close, add, edit, del or tick)");
    }
  }
  if (!errors.empty()) return errors;
  return events;
}

}  // namespace lvs::sim
