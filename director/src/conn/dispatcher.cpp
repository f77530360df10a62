#include "conn/dispatcher.h"

#include "conn/persistence_template.h"

namespace lvs {
namespace {

// FTPDATA: ip_vs_schedule() never schedules a packet from client port 20 (active FTP data
// comes from the real server side; such packets are left to the local stack).
constexpr std::uint16_t kFtpDataPort = 20;

}  // namespace

Dispatcher::Dispatcher(std::size_t expected_connections, IpvsSysctls sysctls, TimeMs now)
    : table_(expected_connections, now), sysctls_(sysctls) {}

DispatchResult Dispatcher::dispatch(VirtualService& svc, const PacketInfo& packet, TcpFlags flags,
                                    std::uint32_t bytes, TimeMs now) {
  DispatchResult result;
  const bool tcp = packet.protocol == kProtoTcp;
  if (!tcp && packet.protocol != kProtoUdp) return result;  // no ip_vs_protocol: NF_ACCEPT

  const ConnKey key{packet.protocol, packet.saddr, packet.sport, packet.daddr, packet.dport};
  ConnHandle conn = table_.find(key);

  // ip_vs_in(): a SYN (is_new_conn()) on an existing connection may start a new one.
  if (conn.valid() && tcp && flags.syn) {
    const Destination* dest = table_.destination(conn);
    bool resched = false;
    if (sysctls_.expire_nodest_conn && dest != nullptr && dest->weight == 0) {
      resched = true;
    } else if (sysctls_.conn_reuse_mode != 0 && is_new_conn_expected(conn)) {
      // No conntrack here (old_ct is false) and a connection controls nobody (n_control 0).
      resched = true;
    }
    if (resched) {
      table_.expire_now(conn, now);
      conn = {};
    }
  }

  // "Check the server status": the connection's server was deleted.
  if (conn.valid() && !table_.destination(conn)->available) {
    if (!sysctls_.expire_nodest_conn) {
      result.verdict = Verdict::Drop;
      result.connection = conn;
      return result;  // no state change, no re-arm (__ip_vs_conn_put)
    }
    table_.expire_now(conn, now);
    conn = {};
  }

  if (!conn.valid()) {
    // tcp_conn_schedule(): only a SYN without RST (or anything but RST with sloppy_tcp);
    // udp_conn_schedule(): any packet.
    if (tcp && (flags.rst || !(sysctls_.sloppy_tcp || flags.syn))) {
      ++unscheduled_total_;
      return result;  // Pass
    }
    Verdict verdict = Verdict::Drop;
    const std::uint64_t limit_drops = limit_drops_total_;
    conn = schedule(svc, packet, now, verdict);
    if (!conn.valid()) {
      result.verdict = verdict;
      result.over_limit = limit_drops_total_ != limit_drops;
      return result;
    }
    result.created = true;
  }

  Destination* dest = table_.destination(conn);
  // ip_vs_in_stats(): only while the destination is available.
  if (dest->available) {
    ++dest->stats.inpkts;
    dest->stats.inbytes += bytes;
    if (dest->service != nullptr) {
      ++dest->service->stats.inpkts;
      dest->service->stats.inbytes += bytes;
    }
  }
  apply_state(conn, flags, now);
  result.verdict = Verdict::Forward;
  result.destination = dest;
  result.connection = conn;
  return result;
}

ConnHandle Dispatcher::schedule(VirtualService& svc, const PacketInfo& packet, TimeMs now,
                                Verdict& verdict) {
  // as ip_vs_schedule()
  if (packet.sport == kFtpDataPort) {
    verdict = Verdict::Pass;  // *ignored = 1
    return {};
  }
  verdict = Verdict::Drop;
  if (svc.persistent_timeout_s() != 0) return schedule_persistent(svc, packet, now);

  const config::ServiceKey& skey = svc.key();
  // A non-persistent tcp/udp service only schedules its own port ("port zero only supported in
  // persistent services").
  if (skey.protocol != config::ServiceProtocol::Fwmark && packet.dport != skey.vip.port) {
    return {};
  }
  if (!room_for(1, now)) return {};
  Destination* dest = svc.schedule(packet, now);
  if (dest == nullptr) return {};
  const ConnKey key{packet.protocol, packet.saddr, packet.sport, packet.daddr, packet.dport};
  const ConnState initial = packet.protocol == kProtoUdp ? ConnState::Udp : ConnState::None;
  return table_.insert_connection(key, *dest, initial, {}, now);
}

bool Dispatcher::room_for(std::size_t records, TimeMs now) {
  if (connection_limit_ == 0) return true;
  // drop_entry: half-open connections make way, one per record needed (never below the limit
  // lowered by a reload: only what this connection needs is evicted).
  while (table_.size() + records > connection_limit_ &&
         table_.size() + records <= connection_limit_ + records) {
    random_state_ ^= random_state_ << 13;
    random_state_ ^= random_state_ >> 7;
    random_state_ ^= random_state_ << 17;
    if (!table_.evict_half_open(static_cast<std::uint32_t>(random_state_), kEvictionProbes, now)) {
      break;
    }
    ++evictions_total_;
  }
  if (table_.size() + records <= connection_limit_) return true;
  ++limit_drops_total_;
  return false;
}

ConnHandle Dispatcher::schedule_persistent(VirtualService& svc, const PacketInfo& packet,
                                           TimeMs now) {
  // as ip_vs_sched_persist()
  const ConnKey tkey = PersistenceTemplate::key_for(svc, packet);
  ConnHandle tpl = table_.find_template(tkey);
  Destination* dest = nullptr;
  if (!tpl.valid() ||
      !PersistenceTemplate::check(table_, tpl, sysctls_.expire_quiescent_template)) {
    if (!room_for(2, now)) return {};  // the template and its connection
    dest = svc.schedule(packet, now);
    if (dest == nullptr) return {};
    tpl = table_.insert_template(tkey, *dest, svc.persistent_timeout_s(), now);
  } else {
    if (!room_for(1, now)) return {};
    dest = table_.destination(tpl);
  }
  const ConnKey key{packet.protocol, packet.saddr, packet.sport, packet.daddr, packet.dport};
  const ConnState initial = packet.protocol == kProtoUdp ? ConnState::Udp : ConnState::None;
  const ConnHandle conn = table_.insert_connection(key, *dest, initial, tpl, now);
  table_.rearm_template(tpl, now);  // ip_vs_conn_put(ct): restart with ct->timeout
  return conn;
}

bool Dispatcher::is_new_conn_expected(ConnHandle conn) const {
  // as is_new_conn_expected(): never for a connection controlled by a template.
  if (table_.control(conn).valid()) return false;
  const ConnState state = table_.state(conn);
  return state == ConnState::TimeWait || state == ConnState::Close ||
         ((sysctls_.conn_reuse_mode & 2) != 0 && state == ConnState::FinWait);
}

void Dispatcher::apply_state(ConnHandle conn, TcpFlags flags, TimeMs now) {
  ConnState next = ConnState::Udp;  // udp_state_transition(): one state, its timeout re-applied
  if (table_.key(conn).protocol == kProtoTcp) {
    next = tcp_input_only_transition(table_.state(conn), flags);
  }
  table_.set_state(conn, next);
  table_.rearm(conn, now + timeouts_.milliseconds(next));
}

}  // namespace lvs
