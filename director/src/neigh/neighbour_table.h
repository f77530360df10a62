// The director's own neighbour table: real server IPv4 → link-layer address, keyed like the
// kernel's arp_tbl. Pure (no sockets, no clock of its own). Today it holds only PERMANENT
// entries from the config's `mac:` keys; the ARP resolver (issue 5) adds the NUD state machine
// (INCOMPLETE → REACHABLE → STALE → DELAY → PROBE → FAILED) on top of the same entries, so the
// packet path's lookup() and the config refresh below stay as they are.
//
// Why the director keeps its own table instead of asking the kernel's: it sends through
// AF_PACKET, which bypasses the kernel's neighbour layer, and it must be able to count and drop
// (or later queue) packets for an unresolved server without a syscall per packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/model.h"
#include "config/net_address.h"
#include "neigh/nud_state.h"

namespace lvs {

struct NeighbourEntry {
  MacAddress lladdr{};
  NudState state = NudState::None;
};

// A PERMANENT entry wanted by the configuration.
struct PermanentNeighbour {
  Ipv4 ip = 0;
  MacAddress lladdr{};
};

// Counters with the kernel's names (struct neigh_statistics), for lvs_neighbour_*_total.
struct NeighbourStats {
  std::uint64_t allocs = 0;
  std::uint64_t destroys = 0;
  std::uint64_t lookups = 0;
  std::uint64_t hits = 0;
  std::uint64_t lladdr_changes = 0;
};

class NeighbourTable {
 public:
  // The usable MAC for `ip` (an entry in a NUD_VALID state), or nullptr. Hot path: one hash
  // lookup, no allocation. The pointer is valid until the table is next modified.
  const MacAddress* lookup(Ipv4 ip);

  // Adds or overwrites a PERMANENT entry (`ip neigh replace ... nud permanent`).
  void set_permanent(Ipv4 ip, const MacAddress& lladdr);
  // Removes the entry; false if there was none.
  bool remove(Ipv4 ip);

  // Makes the PERMANENT entries exactly `wanted`: adds and updates those listed, removes
  // PERMANENT entries no longer listed. Entries in other states (learned by ARP) are left
  // alone unless `wanted` names their IP, which pins them. Returns the number of changes.
  std::size_t replace_permanent(const std::vector<PermanentNeighbour>& wanted);

  const NeighbourEntry* find(Ipv4 ip) const;
  std::size_t size() const { return entries_.size(); }
  const NeighbourStats& stats() const { return stats_; }
  // Entries sorted by IP (for listings; not for the packet path).
  std::vector<std::pair<Ipv4, NeighbourEntry>> entries() const;

 private:
  std::unordered_map<Ipv4, NeighbourEntry> entries_;
  NeighbourStats stats_;
};

// The PERMANENT entries a configuration asks for: every real server with `mac:`, once per IP.
// The same IP with two different MACs is a conflict: the first (in file order) is kept and a
// warning naming both is appended to `warnings`.
std::vector<PermanentNeighbour> permanent_neighbours(const config::DirectorConfig& config,
                                                     std::vector<std::string>& warnings);

}  // namespace lvs
