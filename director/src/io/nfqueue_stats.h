// The kernel's own per-queue counters from /proc/net/netfilter/nfnetlink_queue (one line per
// bound queue, written by seq_show() in net/netfilter/nfnetlink_queue.c):
//
//   queue_num portid queue_total copy_mode copy_range queue_dropped user_dropped id_sequence 1
//
// queue_dropped counts packets dropped because the queue was full (queue_maxlen); user_dropped
// those the kernel could not deliver to our socket (receive buffer full — with NO_ENOBUFS this
// is where overload shows). Both feed lvs_queue_dropped_total.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lvs::io {

struct NfqueueKernelStats {
  std::uint32_t queue = 0;
  std::uint32_t portid = 0;
  std::uint32_t queue_total = 0;  // packets waiting for a verdict right now
  std::uint32_t copy_mode = 0;
  std::uint32_t copy_range = 0;
  std::uint32_t queue_dropped = 0;
  std::uint32_t user_dropped = 0;
  std::uint32_t id_sequence = 0;  // the last packet id handed out
};

// Parses the file's text; malformed lines are skipped. Pure.
std::vector<NfqueueKernelStats> parse_nfqueue_proc(std::string_view text);

// Reads the file in the current network namespace; nullopt with `error` set if unreadable.
std::optional<std::vector<NfqueueKernelStats>> read_nfqueue_proc(std::string& error);

}  // namespace lvs::io
