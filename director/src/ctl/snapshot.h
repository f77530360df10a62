// A plain, copyable picture of the director's state as `lvsadm -L` shows it: what the daemon
// hands to the control protocol and what the ipvsadm formatters read. No behaviour, no kernel
// types: the daemon fills it from its ServiceTable / ConnectionTable, the tests write it by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/net_address.h"
#include "config/service_key.h"
#include "model/traffic_stats.h"

namespace lvs::ctl {

// Counters (--stats) and rates (--rate) are model/traffic_stats.h's TrafficStats and
// EstimatedRates; a service is named by config::ServiceKey, as everywhere else.

struct DestinationSnapshot {
  Endpoint address;
  std::string forwarding = "Route";  // ipvsadm's fwd_name(): Route (DR), Masq, Tunnel, Local
  std::int32_t weight = 1;
  std::uint32_t active_conns = 0;
  std::uint32_t inactive_conns = 0;
  std::uint32_t persistent_conns = 0;  // connection templates pointing here (--persistent-conn)
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
  // A dead host (its neighbour entry FAILED): no new connections. Not an ipvsadm notion; `-Ln`
  // marks the line with a trailing "dead".
  bool dead = false;
  TrafficStats stats;
  EstimatedRates rates;
  friend bool operator==(const DestinationSnapshot&, const DestinationSnapshot&) = default;
};

struct ServiceSnapshot {
  config::ServiceKey key;
  std::string scheduler = "wlc";
  bool persistent = false;
  std::uint32_t persistent_timeout_s = 0;  // meaningful when persistent
  Ipv4 netmask = 0xffffffffu;              // persistence granularity (ipvsadm -M)
  bool sched_fallback = false;  // IP_VS_SVC_F_SCHED1 (ipvsadm -b sh-fallback/mh-fallback)
  bool sched_port = false;      // IP_VS_SVC_F_SCHED2 (sh-port/mh-port)
  bool one_packet = false;      // IP_VS_SVC_F_ONEPACKET (--ops)
  TrafficStats stats;
  EstimatedRates rates;
  // In the daemon's list order; the formatter sorts them as ipvsadm does unless --nosort.
  std::vector<DestinationSnapshot> destinations;
  friend bool operator==(const ServiceSnapshot&, const ServiceSnapshot&) = default;
};

enum class ConnProtocol : std::uint8_t { tcp, udp };

// One entry of the connection table, as /proc/net/ip_vs_conn shows it.
struct ConnectionSnapshot {
  ConnProtocol protocol = ConnProtocol::tcp;
  Endpoint client;
  Endpoint vip;
  Endpoint destination;
  std::string state;             // the IPVS state name: ESTABLISHED, SYN_RECV, FIN_WAIT, UDP, ...
  std::uint64_t expires_ms = 0;  // time left before the entry expires
  friend bool operator==(const ConnectionSnapshot&, const ConnectionSnapshot&) = default;
};

struct Timeouts {
  std::uint32_t tcp_s = 900;
  std::uint32_t tcpfin_s = 120;
  std::uint32_t udp_s = 300;
  friend bool operator==(const Timeouts&, const Timeouts&) = default;
};

// One entry of the director's neighbour table as `lvsadm neigh show` prints it (`ip neigh show`).
struct NeighbourSnapshot {
  Ipv4 ip = 0;
  std::string device;                // the director's interface
  std::optional<MacAddress> lladdr;  // only for NUD_VALID states, as neigh_fill_info() reports it
  std::string state = "NONE";        // "REACHABLE", "PERMANENT", ... (neigh/nud_state.h names)
  friend bool operator==(const NeighbourSnapshot&, const NeighbourSnapshot&) = default;
};

struct Snapshot {
  // The IPVS version and connection hash table size ipvsadm's first line reports; we mirror the
  // kernel's values so scripts that parse that line keep working.
  std::string version = "1.2.1";
  std::uint32_t table_size = 4096;
  Timeouts timeouts;
  std::vector<ServiceSnapshot> services;        // in the daemon's order; sorted when printed
  std::vector<ConnectionSnapshot> connections;  // in table order (ipvsadm prints them unsorted)
  std::vector<NeighbourSnapshot> neighbours;    // NEIGH-SHOW only; sorted by IP
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

}  // namespace lvs::ctl
