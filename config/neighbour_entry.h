// What may be a neighbour entry the director sends frames to: the one check shared by the
// config's PERMANENT entries (a real server's `mac:`) and `lvsadm neigh add`, so that the socket
// accepts exactly what the file does. Pure: no I/O.
#pragma once

#include <span>
#include <string>

#include "config/net_address.h"

namespace lvs::config {

// Why `ip` cannot be a neighbour the director forwards to, or "" if it can. Refused: 0.0.0.0/8
// ("this network"), 127/8 (loopback: never on the wire), 224/4 (multicast), 240/4 (reserved,
// including 255.255.255.255) — none of them is ever resolved by ARP in the kernel either
// (arp_constructor() makes broadcast and multicast NUD_NOARP with a computed address) — and the
// director's own VIPs (frames for a VIP are the director's to take, not to forward).
std::string neighbour_ip_problem(Ipv4 ip, std::span<const Ipv4> vips);

// Why `mac` cannot be a neighbour's link-layer address, or "" if it can: all-zero, or the
// group bit set (multicast, including ff:ff:ff:ff:ff:ff) — is_valid_ether_addr() in the kernel.
std::string neighbour_mac_problem(const MacAddress& mac);

// Both, the address first.
std::string neighbour_entry_problem(Ipv4 ip, const MacAddress& mac, std::span<const Ipv4> vips);

}  // namespace lvs::config
