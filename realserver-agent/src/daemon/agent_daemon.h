// The agent daemon: wires the pure cores (desired state, drift plan, metrics) to the adapters
// (rtnetlink, sysctl files, nftables, HTTP) and runs the loop. Start-up refusals and run-time
// errors are one line on stderr; the functions return the process exit code.
//
// The loop (single thread, epoll): a periodic timer (check-interval-s) and every rtnetlink
// address/link notification trigger a check: observe → plan → repair → publish metrics and
// health. A VIP someone deletes is therefore back within milliseconds; a sysctl or nft change
// (no notification exists for those) within check-interval-s.
#pragma once

#include "config/model.h"

namespace lvs::agent {

// Holds the state until SIGTERM/SIGINT, then exits 0 leaving everything in place: a real server
// whose agent stopped must keep ignoring ARP for the VIP (removing suppression while the VIP is
// still local would let it answer for the VIP and take the director's traffic).
int run_agent(const config::AgentConfig& config);

// --cleanup: removes what the agent's ownership record says it added (VIPs, sysctl values,
// dummy device) and its nftables table. Stop the daemon first, or it repairs it all again.
int run_cleanup(const config::AgentConfig& config);

}  // namespace lvs::agent
