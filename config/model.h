// The configuration model shared by both daemons: one plain struct per daemon, every field
// documented with its meaning and default (DESIGN.md §3; keys are ipvsadm's long options).
// The YAML loader (config/loader.h) is the only producer; nothing here does I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/net_address.h"
#include "config/service_key.h"

namespace lvs::config {

// ipvsadm -g/-i/-m. Only gatewaying (direct routing) is supported by the director.
enum class Forwarding : std::uint8_t { Gatewaying };

struct RealServerConfig {
  // real-server: "IP:PORT". Under gatewaying the port cannot be rewritten, so it must equal the
  // service port (tcp/udp) — written or omitted; for fwmark services it is 0 (ipvsadm shows 0).
  Endpoint address;
  // weight: 0..65535 (ipvsadm's range). 0 quiesces the server: no new connections. Default 1.
  std::int32_t weight = 1;
  Forwarding forwarding = Forwarding::Gatewaying;  // forwarding: gatewaying (the default)
  // mac: optional; installs a PERMANENT neighbour entry so no ARP is needed for this server.
  std::optional<MacAddress> mac;
  // u-threshold / l-threshold: connection limits (ipvsadm -x / -y). 0 = no limit. Overloaded when
  // active+inactive >= u-threshold; usable again below l-threshold (or 3/4 of u-threshold when
  // l-threshold is 0). l-threshold must not exceed u-threshold.
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
};

struct HealthCheckConfig {
  std::string type = "tcp";      // type: tcp (connect to the real server's port); none disables
  std::uint32_t interval_s = 2;  // interval-s: seconds between checks, 1..3600
  std::uint32_t timeout_s = 1;   // timeout-s: seconds before a check fails, 1..interval-s
  std::uint32_t rise = 2;        // rise: consecutive successes to mark a server up, 1..100
  std::uint32_t fall = 3;        // fall: consecutive failures to mark a server down, 1..100
};

struct ServiceConfig {
  ServiceKey key;  // tcp-service / udp-service / fwmark-service (exactly one)
  // scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos (ipvsadm -s). Default wlc,
  // as ipvsadm.
  std::string scheduler = "wlc";
  // scheduler-flags (ipvsadm -b): the two bits sh and mh read (IP_VS_SVC_F_SCHED1, _SCHED2):
  // sh-fallback/mh-fallback and sh-port/mh-port, accepted only with their own scheduler.
  bool sched_fallback = false;
  bool sched_port = false;
  // persistent: seconds (ipvsadm -p), 1..2678400 (31 days); absent = no persistence.
  std::optional<std::uint32_t> persistent;
  // netmask: persistence granularity (ipvsadm -M), contiguous; default 255.255.255.255.
  Ipv4 netmask = 0xffffffffu;
  std::optional<HealthCheckConfig> health_check;  // health-check: absent = none
  std::vector<RealServerConfig> real_servers;     // real-servers, in file order
};

// ipvsadm --set tcp tcpfin udp (seconds, 1..2678400).
struct Timeouts {
  std::uint32_t tcp = 900;     // ESTABLISHED
  std::uint32_t tcpfin = 120;  // FIN_WAIT
  std::uint32_t udp = 300;     // UDP
};

// Linux neighbour-table parameters, Linux names and defaults (net.ipv4.neigh.default.*).
struct NeighbourConfig {
  std::uint32_t base_reachable_time_ms = 30000;
  std::uint32_t retrans_time_ms = 1000;
  std::uint32_t delay_first_probe_time_s = 5;
  std::uint32_t ucast_solicit = 3;
  std::uint32_t mcast_solicit = 3;
  std::uint32_t unres_qlen = 3;
  std::uint32_t gc_thresh1 = 128;
  std::uint32_t gc_thresh2 = 512;
  std::uint32_t gc_thresh3 = 1024;
  std::uint32_t gc_stale_time_s = 60;
};

enum class VipMode : std::uint8_t { Managed, External };

struct DirectorSettings {
  std::string interface = "eth0";  // interface: VIP traffic arrives and leaves here
  // queue: NFQUEUE number, or a range "0-3" (flows spread by hash; one thread serves them all).
  std::uint16_t queue_first = 0;
  std::uint16_t queue_last = 0;
  std::string control_socket = "/run/lvs/director.sock";  // control-socket: lvsadm's socket
  std::string metrics = "127.0.0.1:9469";  // metrics: HOST:PORT of the Prometheus endpoint
  VipMode vip_mode = VipMode::Managed;     // vip-mode: managed | external
  Timeouts timeouts;                       // timeouts: {tcp, tcpfin, udp}
  NeighbourConfig neighbour;               // neighbour: {...}
  // connection-limit: most connection-table entries (connections + persistence templates),
  // 1..16777216; 0 (key absent): derived from memory (director/src/conn/connection_limit.h).
  std::uint32_t connection_limit = 0;
};

struct DirectorConfig {
  DirectorSettings director;
  std::vector<ServiceConfig> services;  // services, in file order
};

struct AgentConfig {
  std::vector<Ipv4> vips;         // vips: addresses held locally and never ARPed for
  std::string vip_device = "lo";  // vip-device: lo, or a dummy device the agent creates
  std::vector<std::string> interfaces = {"eth0"};  // interfaces: where arp_* sysctls are set
  std::uint32_t arp_ignore = 1;            // arp-ignore: 0..8 (kernel range); 1 is the LVS choice
  std::uint32_t arp_announce = 2;          // arp-announce: 0..2; 2 is the LVS choice
  std::uint32_t check_interval_s = 5;      // check-interval-s: 1..3600
  std::string metrics = "127.0.0.1:9470";  // metrics: HOST:PORT
};

}  // namespace lvs::config
