#include "ctl/ipvsadm_format.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <tuple>

#include "sched/scheduler_flags.h"

namespace lvs::ctl {
namespace {

// printf into a std::string, so the formats below can be the ones ipvsadm.c uses, verbatim.
__attribute__((format(printf, 2, 3))) void appendf(std::string& out, const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  if (n < 0) return;
  if (static_cast<std::size_t>(n) < sizeof buf) {
    out.append(buf, static_cast<std::size_t>(n));
    return;
  }
  std::string big(static_cast<std::size_t>(n) + 1, '\0');
  va_start(args, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, args);
  va_end(args);
  big.resize(static_cast<std::size_t>(n));
  out += big;
}

using ull = unsigned long long;

// The protocol numbers ipvs_cmp_services() compares (IPPROTO_TCP 6 < IPPROTO_UDP 17); fwmark
// services carry protocol 0 in the kernel's table but are ordered by fwmark first anyway.
int protocol_number(config::ServiceProtocol kind) {
  switch (kind) {
    case config::ServiceProtocol::Tcp:
      return 6;
    case config::ServiceProtocol::Udp:
      return 17;
    case config::ServiceProtocol::Fwmark:
      return 0;
  }
  return 0;
}

// svc_name as print_service_entry() builds it in listing mode.
std::string service_name(const config::ServiceKey& key) {
  std::string name;
  switch (key.protocol) {
    case config::ServiceProtocol::Fwmark:
      appendf(name, "FWM  %u", key.fwmark);
      return name;
    case config::ServiceProtocol::Tcp:
      name = "TCP  ";
      break;
    case config::ServiceProtocol::Udp:
      name = "UDP  ";
      break;
  }
  name += format_endpoint(key.vip);
  // ipvsadm cuts the IPv4 service name at 33 columns (svc_name[33] = '\0'); an IPv4 name is at
  // most 26, so this only matters if the key ever grows.
  if (name.size() > 33) name.resize(33);
  return name;
}

std::string destination_name(const Endpoint& ep) {
  std::string name = format_endpoint(ep);
  if (name.size() > 28) name.resize(28);  // dname[28] = '\0', as ipvsadm
  return name;
}

// print_sched_flags(): the scheduler's own names for IP_VS_SVC_F_SCHED1 and _SCHED2,
// comma-separated: "(sh-fallback,sh-port)", "(mh-port)", "(flag-1)" under any other scheduler.
std::string scheduler_flags(const ServiceSnapshot& s) {
  return scheduler_flags_text(s.scheduler, SchedulerFlags{s.sched_fallback, s.sched_port});
}

void append_title(std::string& out, ListView view) {
  switch (view) {
    case ListView::stats:
      appendf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
              "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes");
      return;
    case ListView::rate:
      appendf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
              "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS");
      return;
    case ListView::thresholds:
      appendf(out, "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
              "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn", "InActConn");
      return;
    case ListView::persistent_conn:
      appendf(out, "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
              "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn");
      return;
    case ListView::plain:
      out +=
          "Prot LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
      return;
  }
}

void append_stats(std::string& out, const TrafficStats& s, bool exact) {
  out += format_largenum(s.conns, exact);
  out += format_largenum(s.inpkts, exact);
  out += format_largenum(s.outpkts, exact);
  out += format_largenum(s.inbytes, exact);
  out += format_largenum(s.outbytes, exact);
}

// ipvsadm >= 1.27 prints every rate column through print_largenum (64-bit estimator values);
// below 100 million that is the same text as the older "%8u" columns.
void append_rates(std::string& out, const EstimatedRates& r, bool exact) {
  out += format_largenum(r.cps, exact);
  out += format_largenum(r.inpps, exact);
  out += format_largenum(r.outpps, exact);
  out += format_largenum(r.inbps, exact);
  out += format_largenum(r.outbps, exact);
}

void append_service(std::string& out, const ServiceSnapshot& s, const ListFormat& format) {
  const std::string name = service_name(s.key);
  switch (format.view) {
    case ListView::stats:
      appendf(out, "%-33s", name.c_str());
      append_stats(out, s.stats, format.exact);
      break;
    case ListView::rate:
      appendf(out, "%-33s", name.c_str());
      append_rates(out, s.rates, format.exact);
      break;
    default: {
      // The thresholds and persistent-conn views share the plain service line, as in ipvsadm.
      appendf(out, "%s %s", name.c_str(), s.scheduler.c_str());
      std::string flags = scheduler_flags(s);
      if (!flags.empty()) appendf(out, " (%s)", flags.c_str());
      if (s.persistent) {
        appendf(out, " persistent %u", s.persistent_timeout_s);
        if (s.netmask != 0xffffffffu) appendf(out, " mask %s", format_ipv4(s.netmask).c_str());
      }
      if (s.one_packet) out += " ops";
      break;
    }
  }
  out += '\n';

  const std::vector<DestinationSnapshot> dests =
      format.sort ? sorted_destinations(s.destinations) : s.destinations;
  for (const DestinationSnapshot& d : dests) {
    const std::string dname = destination_name(d.address);
    switch (format.view) {
      case ListView::stats:
        appendf(out, "  -> %-28s", dname.c_str());
        append_stats(out, d.stats, format.exact);
        out += '\n';
        break;
      case ListView::rate:
        appendf(out, "  -> %-28s", dname.c_str());
        append_rates(out, d.rates, format.exact);
        out += '\n';
        break;
      case ListView::thresholds:
        appendf(out, "  -> %-28s %-10u %-10u %-10u %-10u\n", dname.c_str(), d.u_threshold,
                d.l_threshold, d.active_conns, d.inactive_conns);
        break;
      case ListView::persistent_conn:
        appendf(out, "  -> %-28s %-9d %-11u %-10u %-10u\n", dname.c_str(), d.weight,
                d.persistent_conns, d.active_conns, d.inactive_conns);
        break;
      case ListView::plain:
        appendf(out, "  -> %-28s %-7s %-6d %-10u %-10u", dname.c_str(), d.forwarding.c_str(),
                d.weight, d.active_conns, d.inactive_conns);
        // Not ipvsadm's: a dead host (neighbour FAILED) gets a trailing marker, columns unchanged.
        if (d.dead) out += " dead";
        out += '\n';
        break;
    }
  }
}

}  // namespace

std::string format_largenum(std::uint64_t value, bool exact) {
  std::string out;
  const ull i = value;
  if (exact) {
    std::string digits = std::to_string(value);
    const int width = digits.size() <= 8 ? 9 : static_cast<int>(digits.size()) + 1;
    appendf(out, "%*llu", width, i);
  } else if (i < 100000000ULL) {  // below 100 million: as is
    appendf(out, "%9llu", i);
  } else if (i < 1000000000ULL) {  // below 1 billion: thousands
    appendf(out, "%8lluK", i / 1000ULL);
  } else if (i < 100000000000ULL) {  // below 100 billion: millions
    appendf(out, "%8lluM", i / 1000000ULL);
  } else if (i < 100000000000000ULL) {  // below 100 trillion: billions
    appendf(out, "%8lluG", i / 1000000000ULL);
  } else {
    appendf(out, "%8lluT", i / 1000000000000ULL);
  }
  return out;
}

// ipvs_cmp_services() subtracts the host-order addresses as unsigned and reads the difference
// as int, which misorders addresses more than 2^31 apart (e.g. 10/8 after 200/8) and is not a
// strict weak ordering. We compare the numbers properly: the same order for every pair that
// ipvsadm orders consistently (any two addresses in one /1, so every lab and most sites).
std::vector<ServiceSnapshot> sorted_services(const std::vector<ServiceSnapshot>& services) {
  std::vector<ServiceSnapshot> out = services;
  std::stable_sort(out.begin(), out.end(), [](const ServiceSnapshot& a, const ServiceSnapshot& b) {
    auto key = [](const ServiceSnapshot& s) {
      const bool mark = s.key.protocol == config::ServiceProtocol::Fwmark;
      return std::make_tuple(mark ? s.key.fwmark : 0u, protocol_number(s.key.protocol),
                             mark ? 0u : s.key.vip.addr, mark ? 0 : s.key.vip.port);
    };
    return key(a) < key(b);
  });
  return out;
}

std::vector<DestinationSnapshot> sorted_destinations(
    const std::vector<DestinationSnapshot>& destinations) {
  std::vector<DestinationSnapshot> out = destinations;
  std::stable_sort(
      out.begin(), out.end(), [](const DestinationSnapshot& a, const DestinationSnapshot& b) {
        return std::tie(a.address.addr, a.address.port) < std::tie(b.address.addr, b.address.port);
      });
  return out;
}

std::string format_listing(const Snapshot& snapshot, const ListFormat& format) {
  std::string out;
  appendf(out, "IP Virtual Server version %s (size=%u)\n", snapshot.version.c_str(),
          snapshot.table_size);
  append_title(out, format.view);
  const std::vector<ServiceSnapshot> services =
      format.sort ? sorted_services(snapshot.services) : snapshot.services;
  for (const ServiceSnapshot& s : services) append_service(out, s, format);
  return out;
}

std::string format_service(const ServiceSnapshot& service, const ListFormat& format) {
  std::string out;
  append_title(out, format.view);
  append_service(out, service, format);
  return out;
}

std::string format_connections(const std::vector<ConnectionSnapshot>& connections) {
  std::string out = "IPVS connection entries\n";
  appendf(out, "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination");
  for (const ConnectionSnapshot& c : connections) {
    // /proc/net/ip_vs_conn reports whole seconds left, truncated; ipvsadm prints them as mm:ss
    // with minutes unbounded ("125:00" for a fresh 7500 s entry).
    const ull seconds = c.expires_ms / 1000;
    std::string expire;
    appendf(expire, "%02llu:%02llu", seconds / 60, seconds % 60);
    appendf(out, "%-3s %-6s %-11s %-18s %-18s %s\n",
            c.protocol == ConnProtocol::tcp ? "TCP" : "UDP", expire.c_str(), c.state.c_str(),
            format_endpoint(c.client).c_str(), format_endpoint(c.vip).c_str(),
            format_endpoint(c.destination).c_str());
  }
  return out;
}

std::string format_timeouts(const Timeouts& timeouts) {
  std::string out;
  appendf(out, "Timeout (tcp tcpfin udp): %u %u %u\n", timeouts.tcp_s, timeouts.tcpfin_s,
          timeouts.udp_s);
  return out;
}

}  // namespace lvs::ctl
