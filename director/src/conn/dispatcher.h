// The ip_vs_in() decision for a packet from a client (ip_vs_core.c), shared by the daemon's
// packet path and `lvsadm simulate`: find the connection or schedule a new one (with
// persistence templates), advance its TCP state, re-arm its timer and count the packet.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config/model.h"
#include "conn/connection_table.h"
#include "conn/state_timeouts.h"
#include "conn/tcp_state.h"
#include "sched/scheduler.h"
#include "service/virtual_service.h"

namespace lvs {

// The net.ipv4.vs.* sysctls that change these decisions, with the kernel's defaults.
struct IpvsSysctls {
  // conn_reuse_mode: bit 0 = a SYN on a TIME_WAIT/CLOSE connection that nothing controls
  // reschedules it; bit 1 = also FIN_WAIT of a DR (no-output) connection.
  int conn_reuse_mode = 1;
  // expire_nodest_conn: a packet for a connection whose server was deleted (or, on a SYN, has
  // weight 0) expires it and is scheduled anew instead of being dropped.
  bool expire_nodest_conn = false;
  // expire_quiescent_template: a template whose server has weight 0 is invalid.
  bool expire_quiescent_template = false;
  // sloppy_tcp: schedule TCP on any packet but RST, not only on SYN.
  bool sloppy_tcp = false;
};

// What to do with the packet.
enum class Verdict : std::uint8_t {
  Forward,  // send it to `destination` (NF_ACCEPT after packet_xmit)
  Drop,     // no usable server, or the connection's server is gone (NF_DROP, ICMP unreachable)
  Pass,     // not IPVS traffic to schedule (TCP without SYN and no connection): NF_ACCEPT
};

struct DispatchResult {
  Verdict verdict = Verdict::Pass;
  Destination* destination = nullptr;  // set only for Forward
  ConnHandle connection;               // the connection the packet belongs to, if any
  bool created = false;                // the connection was created by this packet
  bool over_limit = false;  // Drop: a new connection refused because the table is at its limit
};

class Dispatcher {
 public:
  explicit Dispatcher(std::size_t expected_connections = 0, IpvsSysctls sysctls = {},
                      TimeMs now = 0);

  // ip_vs_in() for one client->server packet of `svc` (the service the daemon matched by VIP,
  // port or mark). `bytes` is the IP packet length (skb->len) for the --stats byte counters.
  DispatchResult dispatch(VirtualService& svc, const PacketInfo& packet, TcpFlags flags,
                          std::uint32_t bytes, TimeMs now);

  // Removes the connection now and unbinds it (`lvsadm simulate` close N). False if stale.
  bool remove(ConnHandle connection, TimeMs now) { return table_.expire_now(connection, now); }
  // Expires everything due; returns how many records fired.
  std::size_t expire(TimeMs now) { return table_.expire(now); }
  // ipvsadm --set: applies to the timeouts set from now on (running timers keep theirs).
  void set_timeouts(const config::Timeouts& timeouts) { timeouts_.apply(timeouts); }
  const StateTimeouts& timeouts() const { return timeouts_; }
  void set_sysctls(const IpvsSysctls& sysctls) { sysctls_ = sysctls; }

  // The most records (connections + templates) the table may hold; 0: no limit. At the limit a
  // new connection first makes room as IPVS's drop_entry defense does (ip_vs_random_dropentry():
  // a half-open TCP connection, SYN_RECV, found by probing kEvictionProbes records from a random
  // place, is removed and counted in evictions_total()), so a SYN flood that fills the table
  // cannot lock new clients out for the 60 s SYN_RECV timeout. When no such entry is found (the
  // table is full of established flows) the packet is dropped before the scheduler is asked (so
  // no scheduler state moves for it) and counted in limit_drops_total(). Packets of existing
  // connections are untouched; a persistent client whose template exists needs one record, a new
  // one two. Lowering the limit below the table's size removes nothing: new connections are
  // refused (nothing evicted) until expiry brings the table below it. See conn/connection_limit.h
  // for the default.
  void set_connection_limit(std::size_t limit) { connection_limit_ = limit; }
  std::size_t connection_limit() const { return connection_limit_; }
  // New connections refused at the limit, and half-open ones removed to admit new ones.
  std::uint64_t limit_drops_total() const { return limit_drops_total_; }
  std::uint64_t evictions_total() const { return evictions_total_; }
  static constexpr std::uint32_t kEvictionProbes = 64;

  std::size_t size() const { return table_.size(); }  // connections + templates
  std::size_t templates() const { return table_.templates(); }
  const ConnectionTable& table() const { return table_; }
  ConnectionTable& table() { return table_; }

  // Packets without a connection that the protocol would not schedule (TCP without SYN).
  std::uint64_t unscheduled_total() const { return unscheduled_total_; }

 private:
  // ip_vs_schedule() / ip_vs_sched_persist(): a new connection, or an invalid handle with the
  // verdict to return.
  ConnHandle schedule(VirtualService& svc, const PacketInfo& packet, TimeMs now, Verdict& verdict);
  // False (and the refusal counted) when `records` more would pass the connection limit.
  bool room_for(std::size_t records, TimeMs now);
  ConnHandle schedule_persistent(VirtualService& svc, const PacketInfo& packet, TimeMs now);
  bool is_new_conn_expected(ConnHandle conn) const;
  void apply_state(ConnHandle conn, TcpFlags flags, TimeMs now);

  ConnectionTable table_;
  StateTimeouts timeouts_;
  IpvsSysctls sysctls_;
  std::uint64_t unscheduled_total_ = 0;
  std::size_t connection_limit_ = 0;
  std::uint64_t limit_drops_total_ = 0;
  std::uint64_t evictions_total_ = 0;
  std::uint64_t random_state_ = 0x9e3779b97f4a7c15ull;  // xorshift64: where eviction probes start
};

}  // namespace lvs
