// The director's per-packet decision (DESIGN.md §1), pure: IPv4 bytes in, one of "send this IP
// packet to that MAC", "drop it" or "accept it" out. parse → service lookup (fwmark first, as
// ip_vs_service_find()) → Dispatcher (connection table, scheduler) → neighbour resolution
// (neigh_event_send()). No sockets, no clock, no allocation on the resolved path. The director
// feeds it queued packets (daemon/director.h), hands each Send to the Forwarder
// (balancer/forwarder.h) and each verdict to the NFQUEUE verdict batch (io/verdict_batch.h);
// what resolution asked for (ARP requests) goes into the caller's NeighbourEvents.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "config/net_address.h"
#include "conn/dispatcher.h"
#include "neigh/neighbour_table.h"
#include "packet/icmp_rate_limit.h"
#include "packet/parse_error.h"
#include "service/service_table.h"

namespace lvs {

enum class PacketAction : std::uint8_t {
  Send,    // send `ip_packet` in a frame to `destination_mac`, then NF_DROP the original
  Drop,    // NF_DROP (counted by reason)
  Accept,  // NF_ACCEPT: not ours to schedule (Verdict::Pass), the local stack gets it
  // The packet exceeds the link MTU and has DF set: send the client ICMP "fragmentation needed"
  // with `mtu` (quoting `ip_packet`), then NF_DROP it.
  FragmentationNeeded,
};

struct PacketDecision {
  PacketAction action = PacketAction::Drop;
  const MacAddress* destination_mac = nullptr;  // Send only
  std::span<const std::uint8_t> ip_packet;      // Send, FragmentationNeeded: the packet
  std::uint16_t mtu = 0;                        // FragmentationNeeded: the next-hop MTU
};

// Forward-path drop reasons beyond the parser's (lvs_forward_errors_total{reason}).
struct ForwardCounters {
  std::uint64_t packets = 0;    // decisions made
  std::uint64_t forwarded = 0;  // Send
  std::uint64_t accepted = 0;   // Accept
  std::array<std::uint64_t, kParseErrorCount> parse_errors{};
  std::uint64_t no_service = 0;            // no service for VIP:port or mark (e.g. just deleted)
  std::uint64_t no_destination = 0;        // Dispatcher said Drop (no usable server)
  std::uint64_t neighbour_unresolved = 0;  // no MAC and none coming (FAILED, table full)
  std::uint64_t fragmentation_needed = 0;  // larger than the link MTU with DF set (ICMP asked)
  std::uint64_t connection_limit = 0;      // a new connection refused: the table is at its limit
  // Not drop reasons: of the fragmentation_needed packets, those the ICMP rate limit kept from
  // being answered.
  std::uint64_t icmp_rate_limited = 0;
  // Not a drop reason: the packet waits in the neighbour table's queue (a copy) and is sent
  // when ARP answers; the original gets NF_DROP. Overflow and failure are the table's counters.
  std::uint64_t neighbour_queued = 0;
};

class PacketPath {
 public:
  PacketPath(ServiceTable& services, Dispatcher& dispatcher, NeighbourTable& neighbours)
      : services_(services), dispatcher_(dispatcher), neighbours_(neighbours) {}

  // `mark` is the packet's skb mark (0 if none). What resolution asks for (an ARP request for a
  // server not yet resolved) is appended to `events`, for the caller to carry out.
  PacketDecision decide(std::span<const std::uint8_t> bytes, std::uint32_t mark, TimeMs now,
                        NeighbourEvents& events);

  // The MTU of the link packets leave by (the director's interface, read from the kernel); 0:
  // unknown, nothing is refused for its size. A packet larger than it leaves fragmented (by the
  // Forwarder) unless DF is set: then it is refused *before* the connection table sees it, with
  // an ICMP "fragmentation needed" (rate-limited as icmp_global_allow()). Unlike IPVS, whose
  // ensure_mtu_is_adequate() runs in the transmitter after the connection was scheduled, such a
  // packet creates no connection, moves no scheduler and refreshes no timer: no server ever sees
  // it, so binding one would only count a phantom connection against it (lc/wlc) and spend the
  // connection limit on traffic that goes nowhere. The client's retry at the MTU it learned is
  // then scheduled as the first packet of the flow.
  void set_link_mtu(std::uint32_t mtu) { link_mtu_ = mtu; }
  std::uint32_t link_mtu() const { return link_mtu_; }

  const ForwardCounters& counters() const { return counters_; }
  // Every drop reason with its count, in a stable order: the parser's reasons, then
  // "no_service", "no_destination", "neighbour_unresolved", "fragmentation_needed",
  // "connection_limit".
  std::vector<std::pair<std::string_view, std::uint64_t>> drop_reasons() const;

 private:
  ServiceTable& services_;
  Dispatcher& dispatcher_;
  NeighbourTable& neighbours_;
  ForwardCounters counters_;
  std::uint32_t link_mtu_ = 0;
  IcmpRateLimit icmp_limit_;
};

}  // namespace lvs
