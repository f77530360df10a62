// How many records (connections + persistence templates) the connection table may hold: the
// `director.connection-limit` key, or a default derived from the machine's memory.
//
// IPVS has no hard cap: its table grows until memory runs low and then its defense strategies
// (ip_vs_ctl.c: update_defense_level() against amemthresh) start dropping entries or packets.
// A userspace table has no such pressure signal before the OOM killer, so the director takes a
// fixed cap instead, sized from memory the same way: by default 1/16 of MemTotal divided by
// kConnectionBytesPerEntry, within [kConnectionLimitFloor, kConnectionLimitCeiling]. Examples:
// 1 GiB -> 1,048,576 entries (64 MiB); 8 GiB -> 8,388,608 (512 MiB); 16 GiB and more -> the
// ceiling, 16,777,216 entries (1 GiB).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lvs {

// A record is 56 bytes (connection_table.h), its hash bucket 4 to 8 (load factor 0.5..1): 64
// bytes per entry is what the table costs in steady state.
inline constexpr std::uint64_t kConnectionBytesPerEntry = 64;
inline constexpr std::uint64_t kConnectionMemoryShare = 16;  // 1/16 of MemTotal by default
inline constexpr std::size_t kConnectionLimitFloor = 65536;
inline constexpr std::size_t kConnectionLimitCeiling = std::size_t{1} << 24;

// The default for a machine with `mem_total_bytes` of memory (0 when unknown: the floor).
std::size_t default_connection_limit(std::uint64_t mem_total_bytes);

// `configured` (the key; 0 when absent) if set, else the default.
std::size_t effective_connection_limit(std::uint32_t configured, std::uint64_t mem_total_bytes);

// The most memory a table of `limit` entries takes: whole 64Ki-record chunks of 56 bytes, a bucket
// array of at most twice the entries' power of two, the timer wheel. What the lab's flood test
// holds the director's RSS growth to.
std::uint64_t connection_table_bytes_bound(std::size_t limit);

}  // namespace lvs
