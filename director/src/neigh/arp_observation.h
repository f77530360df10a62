// From a parsed ARP frame to what NeighbourTable::receive_arp() reads: the packet's fields plus
// the three facts only the receiver knows (was it unicast to our MAC, is the target one of our
// addresses, does the sender claim one of them). Kept apart from the table so the table does not
// depend on the wire format.
#pragma once

#include <algorithm>
#include <span>

#include "neigh/neighbour_table.h"
#include "packet/arp_frame.h"

namespace lvs {

// `our_addresses`: the receiving interface's IPv4 addresses and the VIPs the director holds.
inline ArpObservation arp_observation(const ArpPacket& packet, const MacAddress& our_mac,
                                      std::span<const Ipv4> our_addresses) {
  auto ours = [&](Ipv4 ip) {
    return std::find(our_addresses.begin(), our_addresses.end(), ip) != our_addresses.end();
  };
  ArpObservation o;
  o.is_reply = packet.op == ArpOp::Reply;
  o.sender_mac = packet.sender_mac;
  o.sender_ip = packet.sender_ip;
  o.target_mac = packet.target_mac;
  o.target_ip = packet.target_ip;
  o.to_us = packet.eth_destination == our_mac;  // PACKET_HOST
  o.target_is_ours = ours(packet.target_ip);
  o.sender_is_ours = packet.sender_ip != 0 && ours(packet.sender_ip);
  return o;
}

}  // namespace lvs
