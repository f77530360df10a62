#include <optional>
#include <vector>

#include "ctl/control_protocol.h"
#include "ctl/protocol_text.h"
#include "sched/scheduler_flags.h"

namespace lvs::ctl {
namespace {

using protocol_text::parse_number;
using protocol_text::split_words;
using protocol_text::strip_line_end;

// Decoding state for one response: the line number for messages, the record being filled.
class ResponseDecoder {
 public:
  std::optional<ProtocolError> record(std::size_t line_no, std::string_view line) {
    line_no_ = line_no;
    std::vector<std::string_view> words = split_words(line);
    if (words.empty()) return fail("empty record");
    const std::string_view kind = words[0];
    if (kind == "info") return info(words);
    if (kind == "service") return service(words);
    if (kind == "dest") return dest(words);
    if (kind == "conn") return conn(words);
    if (kind == "neigh") return neigh(words);
    return std::nullopt;  // a record kind from a newer daemon: skipped (see the header)
  }

  Snapshot take() { return std::move(snapshot_); }

 private:
  ProtocolError fail(const std::string& what) const {
    return ProtocolError{"response line " + std::to_string(line_no_) + ": " + what};
  }

  // Applies each key=value word after the first `fixed` words through `apply`, which returns
  // false for a value it cannot read. Unknown keys are ignored.
  template <typename Apply>
  std::optional<ProtocolError> fields(const std::vector<std::string_view>& words, std::size_t fixed,
                                      Apply apply) {
    for (std::size_t i = fixed; i < words.size(); ++i) {
      std::size_t eq = words[i].find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return fail("expected key=value, got '" + std::string(words[i]) + "'");
      }
      std::string_view key = words[i].substr(0, eq);
      std::string_view value = words[i].substr(eq + 1);
      if (!apply(key, value)) {
        return fail("bad value for " + std::string(key) + ": '" + std::string(value) + "'");
      }
    }
    return std::nullopt;
  }

  static bool counter(std::string_view key, std::string_view value, TrafficStats& s,
                      EstimatedRates& r, bool& known) {
    struct Field {
      std::string_view key;
      std::uint64_t* target;
    };
    const Field table[] = {{"conns", &s.conns},       {"inpkts", &s.inpkts},
                           {"outpkts", &s.outpkts},   {"inbytes", &s.inbytes},
                           {"outbytes", &s.outbytes}, {"cps", &r.cps},
                           {"inpps", &r.inpps},       {"outpps", &r.outpps},
                           {"inbps", &r.inbps},       {"outbps", &r.outbps}};
    std::uint64_t* target = nullptr;
    for (const Field& f : table) {
      if (f.key == key) target = f.target;
    }
    known = target != nullptr;
    if (!target) return true;
    auto v = parse_number<std::uint64_t>(value);
    if (!v) return false;
    *target = *v;
    return true;
  }

  template <typename T>
  static bool set(std::string_view value, T& target) {
    auto v = parse_number<T>(value);
    if (!v) return false;
    target = *v;
    return true;
  }

  std::optional<ProtocolError> info(const std::vector<std::string_view>& words) {
    return fields(words, 1, [&](std::string_view key, std::string_view value) {
      if (key == "version") {
        if (value.empty()) return false;
        snapshot_.version = std::string(value);
        return true;
      }
      if (key == "size") return set(value, snapshot_.table_size);
      if (key == "tcp") return set(value, snapshot_.timeouts.tcp_s);
      if (key == "tcpfin") return set(value, snapshot_.timeouts.tcpfin_s);
      if (key == "udp") return set(value, snapshot_.timeouts.udp_s);
      return true;
    });
  }

  std::optional<ProtocolError> service(const std::vector<std::string_view>& words) {
    if (words.size() < 2) return fail("service record without a service key");
    auto key = config::parse_service_key(words[1]);
    if (!key) {
      return fail("bad service key '" + std::string(words[1]) +
                  "' (expected tcp/IP:PORT, udp/IP:PORT or fwm/MARK)");
    }
    ServiceSnapshot s;
    s.key = *key;
    bool have_scheduler = false;
    auto err = fields(words, 2, [&](std::string_view k, std::string_view value) {
      bool known = false;
      if (!counter(k, value, s.stats, s.rates, known)) return false;
      if (known) return true;
      if (k == "scheduler") {
        if (value.empty()) return false;
        s.scheduler = std::string(value);
        have_scheduler = true;
        return true;
      }
      if (k == "persistent") {
        s.persistent = true;
        return set(value, s.persistent_timeout_s);
      }
      if (k == "netmask") {
        auto mask = parse_ipv4(value);
        if (!mask) return false;
        s.netmask = *mask;
        return true;
      }
      if (k == "flags") {
        for (std::string_view rest = value; !rest.empty();) {
          std::size_t comma = rest.find(',');
          std::string_view flag = rest.substr(0, comma);
          SchedulerFlags bits{s.sched_fallback, s.sched_port};
          if (set_scheduler_flag(flag, bits)) {
            s.sched_fallback = bits.fallback;
            s.sched_port = bits.port;
          } else if (flag == "ops") {
            s.one_packet = true;
          }
          rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        return true;
      }
      return true;
    });
    if (err) return err;
    if (!have_scheduler) return fail("service " + std::string(words[1]) + " has no scheduler");
    snapshot_.services.push_back(std::move(s));
    return std::nullopt;
  }

  std::optional<ProtocolError> dest(const std::vector<std::string_view>& words) {
    if (snapshot_.services.empty()) return fail("dest record before any service record");
    if (words.size() < 2) return fail("dest record without an address");
    auto ep = parse_endpoint(words[1]);
    if (!ep) return fail("bad destination address '" + std::string(words[1]) + "'");
    DestinationSnapshot d;
    d.address = *ep;
    auto err = fields(words, 2, [&](std::string_view k, std::string_view value) {
      bool known = false;
      if (!counter(k, value, d.stats, d.rates, known)) return false;
      if (known) return true;
      if (k == "forward") {
        if (value.empty()) return false;
        d.forwarding = std::string(value);
        return true;
      }
      if (k == "weight") return set(value, d.weight);
      if (k == "active") return set(value, d.active_conns);
      if (k == "inactive") return set(value, d.inactive_conns);
      if (k == "persistent") return set(value, d.persistent_conns);
      if (k == "uthreshold") return set(value, d.u_threshold);
      if (k == "lthreshold") return set(value, d.l_threshold);
      if (k == "dead") {
        d.dead = value == "1";
        return value == "0" || value == "1";
      }
      return true;
    });
    if (err) return err;
    snapshot_.services.back().destinations.push_back(std::move(d));
    return std::nullopt;
  }

  std::optional<ProtocolError> conn(const std::vector<std::string_view>& words) {
    if (words.size() < 7) {
      return fail("conn record needs: conn PROTO CLIENT VIRTUAL DEST STATE EXPIRES_MS");
    }
    ConnectionSnapshot c;
    if (words[1] == "tcp")
      c.protocol = ConnProtocol::tcp;
    else if (words[1] == "udp")
      c.protocol = ConnProtocol::udp;
    else
      return fail("bad connection protocol '" + std::string(words[1]) + "'");
    auto client = parse_endpoint(words[2]);
    auto vip = parse_endpoint(words[3]);
    auto dst = parse_endpoint(words[4]);
    if (!client || !vip || !dst) return fail("bad address in conn record");
    c.client = *client;
    c.vip = *vip;
    c.destination = *dst;
    c.state = std::string(words[5]);
    auto expires = parse_number<std::uint64_t>(words[6]);
    if (!expires) return fail("bad expiry '" + std::string(words[6]) + "'");
    c.expires_ms = *expires;
    snapshot_.connections.push_back(std::move(c));
    return std::nullopt;
  }

  std::optional<ProtocolError> neigh(const std::vector<std::string_view>& words) {
    if (words.size() < 2) return fail("neigh record without an address");
    auto ip = parse_ipv4(words[1]);
    if (!ip) return fail("bad neighbour address '" + std::string(words[1]) + "'");
    NeighbourSnapshot n;
    n.ip = *ip;
    auto err = fields(words, 2, [&](std::string_view k, std::string_view value) {
      if (k == "dev") {
        n.device = std::string(value);
        return !value.empty();
      }
      if (k == "state") {
        n.state = std::string(value);
        return !value.empty();
      }
      if (k == "lladdr") {
        n.lladdr = parse_mac(value);
        return n.lladdr.has_value();
      }
      return true;
    });
    if (err) return err;
    snapshot_.neighbours.push_back(std::move(n));
    return std::nullopt;
  }

  Snapshot snapshot_;
  std::size_t line_no_ = 0;
};

}  // namespace

std::variant<Snapshot, ProtocolError> decode_response(std::string_view text) {
  if (text.empty()) {
    return ProtocolError{"empty response (the director closed the connection without answering)"};
  }
  std::size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return ProtocolError{"response has no complete first line"};
  std::string_view status = strip_line_end(text.substr(0, eol + 1));
  std::string_view body = text.substr(eol + 1);

  if (!status.starts_with(kProtocolTag) || status.size() == kProtocolTag.size() ||
      status[kProtocolTag.size()] != ' ') {
    if (status.starts_with("LVSCTL/")) {
      return ProtocolError{"the director speaks " +
                           std::string(status.substr(0, status.find(' '))) + ", this lvsadm " +
                           std::string(kProtocolTag) + " (use the lvsadm built with it)"};
    }
    return ProtocolError{"not an lvs-director response (first line does not start with " +
                         std::string(kProtocolTag) + ")"};
  }
  std::string_view rest = status.substr(kProtocolTag.size() + 1);
  if (rest.starts_with("ERROR")) {
    std::string_view message = rest.substr(5);
    if (message.starts_with(' ')) message.remove_prefix(1);
    return ProtocolError{"lvs-director: " + std::string(message)};
  }
  if (!rest.starts_with("OK ")) {
    return ProtocolError{"bad response status '" + std::string(rest) + "' (expected OK or ERROR)"};
  }
  auto count = parse_number<std::size_t>(rest.substr(3));
  if (!count) return ProtocolError{"bad record count '" + std::string(rest.substr(3)) + "'"};

  ResponseDecoder decoder;
  std::size_t seen = 0;
  std::size_t line_no = 1;
  while (!body.empty()) {
    ++line_no;
    std::size_t end = body.find('\n');
    if (end == std::string_view::npos) {
      return ProtocolError{"response line " + std::to_string(line_no) +
                           ": truncated (no newline at the end)"};
    }
    std::string_view line = strip_line_end(body.substr(0, end + 1));
    body.remove_prefix(end + 1);
    if (++seen > *count) {
      return ProtocolError{"response has more records than the " + std::to_string(*count) +
                           " announced"};
    }
    if (auto err = decoder.record(line_no, line)) return *err;
  }
  if (seen < *count) {
    return ProtocolError{"response truncated: " + std::to_string(seen) + " of " +
                         std::to_string(*count) + " records"};
  }
  return decoder.take();
}

}  // namespace lvs::ctl
