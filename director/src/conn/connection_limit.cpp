#include "conn/connection_limit.h"

#include <algorithm>
#include <bit>

#include "conn/connection_table.h"

namespace lvs {

std::size_t default_connection_limit(std::uint64_t mem_total_bytes) {
  const std::uint64_t entries = mem_total_bytes / kConnectionMemoryShare / kConnectionBytesPerEntry;
  return static_cast<std::size_t>(
      std::clamp<std::uint64_t>(entries, kConnectionLimitFloor, kConnectionLimitCeiling));
}

std::size_t effective_connection_limit(std::uint32_t configured, std::uint64_t mem_total_bytes) {
  return configured != 0 ? configured : default_connection_limit(mem_total_bytes);
}

std::uint64_t connection_table_bytes_bound(std::size_t limit) {
  const std::uint64_t chunk = ConnectionTable::kChunkRecords;
  const std::uint64_t chunks = (std::uint64_t{limit} + chunk - 1) / chunk;
  const std::uint64_t records = chunks * chunk * ConnectionTable::kRecordBytes;
  const std::uint64_t buckets = std::bit_ceil(std::max<std::uint64_t>(limit, 1024)) * 2 * 4;
  return records + buckets + ConnectionTable::kWheelBytes;
}

}  // namespace lvs
