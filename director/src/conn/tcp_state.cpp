#include "conn/tcp_state.h"

#include <array>

namespace lvs {
namespace {

using S = ConnState;
constexpr S sNO = S::None, sES = S::Established, sSS = S::SynSent, sSR = S::SynRecv,
            sFW = S::FinWait, sTW = S::TimeWait, sCL = S::Close, sCW = S::CloseWait,
            sLA = S::LastAck, sLI = S::Listen;
// SA names the last column of the legend; no INPUT-ONLY transition leads to it.
[[maybe_unused]] constexpr S sSA = S::SynAck;

// tcp_states[] INPUT-ONLY rows (TCP_DIR_INPUT_ONLY), mainline. Columns are the current state in
// IP_VS_TCP_S_* order: NONE ES SS SR FW TW CL CW LA LI SA.
constexpr std::array<std::array<S, 11>, 4> kInputOnly = {{
    /*syn*/ {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
    /*fin*/ {sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW},
    /*ack*/ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
    /*rst*/ {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL},
}};

constexpr std::array<std::string_view, kConnStateCount> kNames = {
    "NONE",  "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "SYNACK",   "UDP"};

static_assert(sNO == S::None);

}  // namespace

int tcp_state_index(TcpFlags flags) {
  if (flags.rst) return 3;
  if (flags.syn) return 0;
  if (flags.fin) return 1;
  if (flags.ack) return 2;
  return -1;
}

ConnState tcp_input_only_transition(ConnState from, TcpFlags flags) {
  const int row = tcp_state_index(flags);
  const auto column = static_cast<std::size_t>(from);
  // as set_tcp_state(): new_state starts as CLOSE and keeps it when no flag selects a row (or
  // the state is outside the TCP table, which the kernel never has).
  if (row < 0 || column >= kInputOnly[0].size()) return ConnState::Close;
  return kInputOnly[static_cast<std::size_t>(row)][column];
}

bool tcp_state_is_active(ConnState state) {
  // as tcp_state_active_table[]
  switch (state) {
    case ConnState::Established:
    case ConnState::SynSent:
    case ConnState::SynRecv:
    case ConnState::SynAck:
      return true;
    default:
      return false;
  }
}

std::string_view conn_state_name(ConnState state) {
  const auto i = static_cast<std::size_t>(state);
  return i < kNames.size() ? kNames[i] : std::string_view("ERR!");
}

}  // namespace lvs
