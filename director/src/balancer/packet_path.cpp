#include "balancer/packet_path.h"

#include "packet/ipv4_header.h"
#include "packet/ipv4_parser.h"

namespace lvs {

PacketDecision PacketPath::decide(std::span<const std::uint8_t> bytes, std::uint32_t mark,
                                  TimeMs now, NeighbourEvents& events) {
  ++counters_.packets;
  PacketDecision drop;  // Drop by default
  const ParseResult parsed = parse_ipv4_packet(bytes);
  if (!parsed.ok()) {
    ++counters_.parse_errors[static_cast<std::size_t>(*parsed.error)];
    return drop;
  }
  const ParsedPacket& p = parsed.packet;
  // ip_vs_service_find(): a marked packet is looked up by mark first.
  VirtualService* svc = mark != 0 ? services_.find_fwmark(mark) : nullptr;
  if (svc == nullptr) svc = services_.find(p.info.protocol, p.info.daddr, p.info.dport);
  if (svc == nullptr) {
    ++counters_.no_service;
    return drop;
  }
  // ip_vs_xmit.c ensure_mtu_is_adequate(): too big with DF set -> ICMP, never sent (see header).
  if (link_mtu_ != 0 && p.ip_total_length > link_mtu_ && ipv4_dont_fragment(bytes)) {
    ++counters_.fragmentation_needed;
    if (!icmp_limit_.allow(now)) {
      ++counters_.icmp_rate_limited;
      return drop;
    }
    PacketDecision d{PacketAction::FragmentationNeeded, nullptr, bytes.first(p.ip_total_length)};
    d.mtu = static_cast<std::uint16_t>(link_mtu_);
    return d;
  }
  const DispatchResult result =
      dispatcher_.dispatch(*svc, p.info, p.tcp_flags, p.ip_total_length, now);
  switch (result.verdict) {
    case Verdict::Pass:
      ++counters_.accepted;
      return {PacketAction::Accept, nullptr, {}};
    case Verdict::Drop:
      ++(result.over_limit ? counters_.connection_limit : counters_.no_destination);
      return drop;
    case Verdict::Forward:
      break;
  }
  // Under DR the frame goes to the real server's own address on the segment. Link padding
  // beyond the IP total length is not part of the packet (nor of a queued copy).
  const auto packet = bytes.first(p.ip_total_length);
  const Resolution r = neighbours_.resolve(result.destination->address.addr, now, events, packet);
  switch (r.status) {
    case ResolveStatus::Usable:
      ++counters_.forwarded;
      return {PacketAction::Send, r.lladdr, packet};
    case ResolveStatus::Pending:
      ++counters_.neighbour_queued;
      return drop;
    case ResolveStatus::Failed:
    case ResolveStatus::TableFull:
      break;
  }
  ++counters_.neighbour_unresolved;
  return drop;
}

std::vector<std::pair<std::string_view, std::uint64_t>> PacketPath::drop_reasons() const {
  std::vector<std::pair<std::string_view, std::uint64_t>> out;
  for (ParseError e : parse_errors()) {
    out.emplace_back(parse_error_name(e), counters_.parse_errors[static_cast<std::size_t>(e)]);
  }
  out.emplace_back("no_service", counters_.no_service);
  out.emplace_back("no_destination", counters_.no_destination);
  out.emplace_back("neighbour_unresolved", counters_.neighbour_unresolved);
  out.emplace_back("fragmentation_needed", counters_.fragmentation_needed);
  out.emplace_back("connection_limit", counters_.connection_limit);
  return out;
}

}  // namespace lvs
