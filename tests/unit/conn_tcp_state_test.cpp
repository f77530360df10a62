// The INPUT-ONLY TCP state machine, flag precedence, active states, names and timeouts, each
// written down from mainline ip_vs_proto_tcp.c (tcp_states[] rows 8..11, tcp_state_idx(),
// tcp_state_active_table[], tcp_state_name_table[], tcp_timeouts[]).
#include "conn/tcp_state.h"

#include <gtest/gtest.h>

#include "conn/state_timeouts.h"

namespace lvs {
namespace {

using S = ConnState;

constexpr TcpFlags kSyn{.syn = true};
constexpr TcpFlags kFin{.fin = true};
constexpr TcpFlags kAck{.ack = true};
constexpr TcpFlags kRst{.rst = true};

const S kFrom[11] = {S::None,     S::Established, S::SynSent,   S::SynRecv,
                     S::FinWait,  S::TimeWait,    S::Close,     S::CloseWait,
                     S::LastAck,  S::Listen,      S::SynAck};

// Copied by hand from the INPUT-ONLY block of mainline tcp_states[].
const S kSynRow[11] = {S::SynRecv, S::Established, S::Established, S::SynRecv,
                       S::SynRecv, S::SynRecv,     S::SynRecv,     S::SynRecv,
                       S::SynRecv, S::SynRecv,     S::SynRecv};
const S kFinRow[11] = {S::Close,    S::FinWait,   S::SynSent, S::TimeWait, S::FinWait, S::TimeWait,
                       S::Close,    S::CloseWait, S::LastAck, S::Listen,   S::TimeWait};
const S kAckRow[11] = {S::Established, S::Established, S::SynSent, S::Established,
                       S::FinWait,     S::TimeWait,    S::Close,   S::CloseWait,
                       S::Close,       S::Listen,      S::Established};
const S kRstRow[11] = {S::Close,   S::Close,   S::Close,   S::SynRecv, S::Close, S::Close,
                       S::Close,   S::Close,   S::LastAck, S::Listen,  S::Close};

TEST(ConnTcpState, EverySynCell) {
  for (int i = 0; i < 11; ++i) {
    EXPECT_EQ(tcp_input_only_transition(kFrom[i], kSyn), kSynRow[i]) << conn_state_name(kFrom[i]);
  }
}
TEST(ConnTcpState, EveryFinCell) {
  for (int i = 0; i < 11; ++i) {
    EXPECT_EQ(tcp_input_only_transition(kFrom[i], kFin), kFinRow[i]) << conn_state_name(kFrom[i]);
  }
}
TEST(ConnTcpState, EveryAckCell) {
  for (int i = 0; i < 11; ++i) {
    EXPECT_EQ(tcp_input_only_transition(kFrom[i], kAck), kAckRow[i]) << conn_state_name(kFrom[i]);
  }
}
TEST(ConnTcpState, EveryRstCell) {
  for (int i = 0; i < 11; ++i) {
    EXPECT_EQ(tcp_input_only_transition(kFrom[i], kRst), kRstRow[i]) << conn_state_name(kFrom[i]);
  }
}

TEST(ConnTcpState, AckFromNoneIsEstablishedInMainline) {
  // Old trees (2.6.x) had sCL here; mainline has sES.
  EXPECT_EQ(tcp_input_only_transition(S::None, kAck), S::Established);
}

TEST(ConnTcpState, FlagPrecedenceRstSynFinAck) {
  EXPECT_EQ(tcp_state_index({.syn = true, .ack = true, .fin = true, .rst = true}), 3);
  EXPECT_EQ(tcp_state_index({.syn = true, .ack = true, .fin = true}), 0);
  EXPECT_EQ(tcp_state_index({.ack = true, .fin = true}), 1);
  EXPECT_EQ(tcp_state_index({.ack = true}), 2);
  EXPECT_EQ(tcp_state_index({}), -1);
  // SYN+ACK on ESTABLISHED follows the syn row (ES), FIN+ACK on ES the fin row (FIN_WAIT).
  EXPECT_EQ(tcp_input_only_transition(S::Established, {.ack = true, .fin = true}), S::FinWait);
  // RST+SYN from NONE: rst row -> CLOSE, not SYN_RECV.
  EXPECT_EQ(tcp_input_only_transition(S::None, {.syn = true, .rst = true}), S::Close);
}

TEST(ConnTcpState, NoFlagsMovesToClose) {
  // set_tcp_state() starts from new_state = CLOSE and skips the lookup for idx < 0.
  EXPECT_EQ(tcp_input_only_transition(S::Established, {}), S::Close);
  EXPECT_EQ(tcp_input_only_transition(S::SynRecv, {}), S::Close);
}

TEST(ConnTcpState, ActiveStatesAreMainlineTable) {
  EXPECT_TRUE(tcp_state_is_active(S::Established));
  EXPECT_TRUE(tcp_state_is_active(S::SynSent));
  EXPECT_TRUE(tcp_state_is_active(S::SynRecv));
  EXPECT_TRUE(tcp_state_is_active(S::SynAck));
  for (S s : {S::None, S::FinWait, S::TimeWait, S::Close, S::CloseWait, S::LastAck, S::Listen,
              S::Udp}) {
    EXPECT_FALSE(tcp_state_is_active(s)) << conn_state_name(s);
  }
}

TEST(ConnTcpState, NamesAsIpvsadmPrintsThem) {
  const char* names[] = {"NONE",  "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
                         "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "SYNACK",   "UDP"};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(conn_state_name(static_cast<S>(i)), names[i]);
}

TEST(ConnStateTimeouts, Defaults) {
  StateTimeouts t;
  EXPECT_EQ(t.seconds(S::None), 2u);
  EXPECT_EQ(t.seconds(S::Established), 900u);
  EXPECT_EQ(t.seconds(S::SynSent), 120u);
  EXPECT_EQ(t.seconds(S::SynRecv), 60u);
  EXPECT_EQ(t.seconds(S::FinWait), 120u);
  EXPECT_EQ(t.seconds(S::TimeWait), 120u);
  EXPECT_EQ(t.seconds(S::Close), 10u);
  EXPECT_EQ(t.seconds(S::CloseWait), 60u);
  EXPECT_EQ(t.seconds(S::LastAck), 30u);
  EXPECT_EQ(t.seconds(S::Listen), 120u);
  EXPECT_EQ(t.seconds(S::SynAck), 120u);
  EXPECT_EQ(t.seconds(S::Udp), 300u);
  EXPECT_EQ(t.milliseconds(S::Close), 10000u);
}

TEST(ConnStateTimeouts, SetOverridesEstablishedFinWaitUdpOnly) {
  StateTimeouts t(config::Timeouts{.tcp = 3600, .tcpfin = 30, .udp = 5});
  EXPECT_EQ(t.seconds(S::Established), 3600u);
  EXPECT_EQ(t.seconds(S::FinWait), 30u);
  EXPECT_EQ(t.seconds(S::Udp), 5u);
  EXPECT_EQ(t.seconds(S::TimeWait), 120u);
  EXPECT_EQ(t.seconds(S::SynRecv), 60u);
  // ipvsadm --set 0 0 0 changes nothing.
  t.apply({.tcp = 0, .tcpfin = 0, .udp = 0});
  EXPECT_EQ(t.seconds(S::Established), 3600u);
  EXPECT_EQ(t.seconds(S::FinWait), 30u);
  EXPECT_EQ(t.seconds(S::Udp), 5u);
}

}  // namespace
}  // namespace lvs
