// IPVS connection states and the TCP state machine a direct-routing director runs
// (net/netfilter/ipvs/ip_vs_proto_tcp.c). Under DR the director sees only client->server
// packets, so every connection carries IP_VS_CONN_F_NOOUTPUT and set_tcp_state() always reads
// the INPUT-ONLY rows of tcp_states[]. Pure functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sched/scheduler.h"  // kProtoTcp, kProtoUdp, kProtoIp

namespace lvs {

// IP_VS_TCP_S_* in the kernel's numbering (the table columns depend on it), plus Udp: the single
// state of a UDP connection (IP_VS_UDP_S_NORMAL, which ipvsadm prints as "UDP").
enum class ConnState : std::uint8_t {
  None = 0,
  Established,
  SynSent,
  SynRecv,
  FinWait,
  TimeWait,
  Close,
  CloseWait,
  LastAck,
  Listen,
  SynAck,
  Udp,
};
inline constexpr std::size_t kConnStateCount = 12;

// The TCP header flags the state machine looks at.
struct TcpFlags {
  bool syn = false;
  bool ack = false;
  bool fin = false;
  bool rst = false;
};

// tcp_state_idx(): the row chosen by a packet, RST before SYN before FIN before ACK:
// 0 = syn, 1 = fin, 2 = ack, 3 = rst, -1 = none of them.
int tcp_state_index(TcpFlags flags);

// set_tcp_state() with the INPUT-ONLY rows (mainline tcp_states[], not the secure_tcp table).
// A packet with none of the four flags moves the connection to CLOSE: set_tcp_state() starts
// from new_state = IP_VS_TCP_S_CLOSE and skips the table lookup when tcp_state_idx() < 0.
ConnState tcp_input_only_transition(ConnState from, TcpFlags flags);

// tcp_state_active(): the states counted in activeconns. Mainline (since "ipvs: count
// pre-established TCP states as active", 4.10) counts SYN_SENT, SYN_RECV and SYNACK as active
// as well as ESTABLISHED; older trees counted ESTABLISHED only.
bool tcp_state_is_active(ConnState state);

// The names ipvsadm -Lnc prints (tcp_state_name_table[], "UDP" for UDP connections).
std::string_view conn_state_name(ConnState state);

}  // namespace lvs
