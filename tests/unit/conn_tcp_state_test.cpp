// The INPUT-ONLY TCP state machine, flag precedence, active states, names and timeouts, each
// written down from mainline ip_vs_proto_tcp.c (tcp_states[] rows 8..11, tcp_state_idx(),
// tcp_state_active_table[], tcp_state_name_table[], tcp_timeouts[]).
#include <gtest/gtest.h>

#include "conn/state_timeouts.h"
#include "conn/tcp_state.h"

namespace lvs {
namespace {

using S = ConnState;

constexpr TcpFlags kSyn{.syn = true};
constexpr TcpFlags kFin{.fin = true};
constexpr TcpFlags kAck{.ack = true};
constexpr TcpFlags kRst{.rst = true};

const S kFrom[11] = {S::None,  S::Established, S::SynSent, S::SynRecv, S::FinWait, S::TimeWait,
                     S::Close, S::CloseWait,   S::LastAck, S::Listen,  S::SynAck};

// Copied by hand from the INPUT-ONLY block of mainline tcp_states[].
const S kSynRow[11] = {S::SynRecv, S::Established, S::Established, S::SynRecv,
                       S::SynRecv, S::SynRecv,     S::SynRecv,     S::SynRecv,
                       S::SynRecv, S::SynRecv,     S::SynRecv};
const S kFinRow[11] = {S::Close, S::FinWait,   S::SynSent, S::TimeWait, S::FinWait, S::TimeWait,
                       S::Close, S::CloseWait, S::LastAck, S::Listen,   S::TimeWait};
const S kAckRow[11] = {S::Established, S::Established, S::SynSent,    S::Established,
                       S::FinWait,     S::TimeWait,    S::Close,      S::CloseWait,
                       S::Close,       S::Listen,      S::Established};
const S kRstRow[11] = {S::Close, S::Close, S::Close,   S::SynRecv, S::Close, S::Close,
                       S::Close, S::Close, S::LastAck, S::Listen,  S::Close};

// One row of the table: the state each of kFrom moves to on `flags`.
void expect_row(TcpFlags flags, const S (&row)[11]) {
  for (int i = 0; i < 11; ++i) {
    EXPECT_EQ(tcp_input_only_transition(kFrom[i], flags), row[i]) << conn_state_name(kFrom[i]);
  }
}

TEST(ConnTcpState, EverySynCell) { expect_row(kSyn, kSynRow); }
TEST(ConnTcpState, EveryFinCell) { expect_row(kFin, kFinRow); }
TEST(ConnTcpState, EveryAckCell) { expect_row(kAck, kAckRow); }
TEST(ConnTcpState, EveryRstCell) { expect_row(kRst, kRstRow); }

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
  for (S s :
       {S::None, S::FinWait, S::TimeWait, S::Close, S::CloseWait, S::LastAck, S::Listen, S::Udp}) {
    EXPECT_FALSE(tcp_state_is_active(s)) << conn_state_name(s);
  }
}

TEST(ConnTcpState, NamesAsIpvsadmPrintsThem) {
  const char* names[] = {"NONE",  "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
                         "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "SYNACK",   "UDP"};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(conn_state_name(static_cast<S>(i)), names[i]);
}

TEST(ConnStateTimeouts, Defaults) {
  // tcp_timeouts[] in state order (NONE .. SYNACK), then the UDP timeout, in seconds.
  const std::uint32_t seconds[12] = {2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120, 300};
  StateTimeouts t;
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(t.seconds(static_cast<S>(i)), seconds[i]) << conn_state_name(static_cast<S>(i));
  }
  EXPECT_EQ(t.milliseconds(S::Close), 10000u);
}

TEST(ConnStateTimeouts, SetOverridesEstablishedFinWaitUdpOnly) {
  StateTimeouts t(config::Timeouts{.tcp = 3600, .tcpfin = 30, .udp = 5});
  auto expect_set = [&t] {
    EXPECT_EQ(t.seconds(S::Established), 3600u);
    EXPECT_EQ(t.seconds(S::FinWait), 30u);
    EXPECT_EQ(t.seconds(S::Udp), 5u);
  };
  expect_set();
  EXPECT_EQ(t.seconds(S::TimeWait), 120u);
  EXPECT_EQ(t.seconds(S::SynRecv), 60u);
  // ipvsadm --set 0 0 0 changes nothing.
  t.apply({.tcp = 0, .tcpfin = 0, .udp = 0});
  expect_set();
}

}  // namespace
}  // namespace lvs
