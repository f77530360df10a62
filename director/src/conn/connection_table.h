// The IPVS connection table (net/netfilter/ipvs/ip_vs_conn.c) for one director: connections and
// persistence templates, keyed by (protocol, client addr:port, VIP:port), each bound to a
// Destination whose counters change only through VirtualService::bind/unbind/set_active.
//
// Memory layout (the budget is 64 bytes per connection, everything included):
//  - records (56 bytes, static_assert below; the fields a lookup reads come first) in an arena of
//    fixed 64Ki-record chunks, 64-byte aligned, addressed by 32-bit indices; a chunk is never
//    moved, so growth copies nothing and never stalls on the records; freed records are recycled
//    through a free list.
//  - an open hash of 32-bit chain heads (4 bytes per bucket, load factor <= 1), chained
//    intrusively through the records (hlist_add_head order, newest first).
//  - a TimerWheel of 4096 32-bit slot heads shared by all records.
// Growth policy: the bucket array doubles (one O(n) rehash) when the number of records exceeds
// it. Pass the expected size to the constructor to size it up front; at config-time sizes the
// rehash is a few milliseconds per doubling and happens log2(n) times in total.
// A lookup costs the hash, one bucket read and one record read per chain step (about one entry
// at load factor <= 1): two dependent cache misses. find_batch() overlaps those misses across a
// batch of keys (the packet path's NFQUEUE batch). Lookups and re-arming never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <vector>

#include "config/net_address.h"
#include "conn/tcp_state.h"
#include "conn/timer_wheel.h"
#include "model/destination.h"
#include "sched/scheduler.h"
#include "service/virtual_service.h"

namespace lvs {

// What identifies a connection: the packet's protocol and addresses as the client sent them
// (fwmark services still record the packet's VIP:port). Templates use the same shape with
// cport 0 and, for fwmark services, protocol kProtoIp and the mark in place of the VIP.
struct ConnKey {
  std::uint8_t protocol = kProtoTcp;
  Ipv4 caddr = 0;
  std::uint16_t cport = 0;
  Ipv4 vaddr = 0;
  std::uint16_t vport = 0;
  friend bool operator==(const ConnKey&, const ConnKey&) = default;
};

// A connection's identity for callers: its record index and the record's generation, so a stale
// handle (the connection expired and the record was reused) is recognised, not misapplied.
struct ConnHandle {
  std::uint32_t index = kNilIndex;
  std::uint16_t generation = 0;
  bool valid() const { return index != kNilIndex; }
  friend bool operator==(const ConnHandle&, const ConnHandle&) = default;
};

// One connection as `lvsadm -Lnc` lists it.
struct ConnectionView {
  ConnHandle handle;
  ConnKey key;
  const Destination* destination = nullptr;
  ConnState state = ConnState::None;
  bool is_template = false;
  bool kernel_forwarded = false;
  bool controlled = false;         // created through a persistence template
  std::uint32_t n_control = 0;     // templates: connections it controls
  std::uint64_t expires_ms = 0;    // absolute deadline
  std::uint64_t remaining_ms = 0;  // expires_ms - now, 0 if due
};

class ConnectionTable {
 public:
  static constexpr std::uint32_t kChunkShift = 16;
  static constexpr std::uint32_t kChunkRecords = 1u << kChunkShift;
  // Bytes per record, and of the timer wheel's slot array (connection_limit.h's memory bound).
  static constexpr std::size_t kRecordBytes = 56;
  static constexpr std::size_t kWheelBytes = 4096 * sizeof(std::uint32_t);

  // ip_vs_conn_expire(): a connection that still controls others is kept this much longer.
  static constexpr std::uint32_t kExpireLaterSeconds = 60;

  explicit ConnectionTable(std::size_t expected_records = 0, TimeMs now = 0);
  ~ConnectionTable();
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  // The key hash the buckets use (public so benchmarks can give references the same hash).
  static std::uint64_t hash(const ConnKey& key);

  // __ip_vs_conn_in_get(): a connection (never a template) with this key, or an invalid handle.
  ConnHandle find(const ConnKey& key) const { return lookup(key, false); }
  // ip_vs_ct_in_get(): a (valid, hashed) template with this key.
  ConnHandle find_template(const ConnKey& key) const { return lookup(key, true); }
  // find() for each of `keys` into the same position of `out` (out.size() >= keys.size()), for
  // the packet path's batches: it hashes a group of keys and prefetches their buckets, then reads
  // the heads and prefetches the first records, then compares them (prefetching the second chain
  // entry where the first is not the match), then walks the rest of the chains as find() does, so
  // the group's cache misses overlap instead of costing two dependent misses per key. Any batch
  // size (including 0) works.
  void find_batch(std::span<const ConnKey> keys, std::span<ConnHandle> out) const;

  // ip_vs_conn_new() + ip_vs_bind_dest(): a connection bound to `dest`, counted inactive (a new
  // connection starts with IP_VS_CONN_F_INACTIVE from dest->conn_flags), in state `initial`,
  // controlled by `control` if that is a valid template (ip_vs_control_add()). Armed to expire
  // at now + 3 s as ip_vs_conn_new() sets cp->timeout; the caller re-arms after the first packet.
  ConnHandle insert_connection(const ConnKey& key, Destination& dest, ConnState initial,
                               ConnHandle control, TimeMs now);
  // A persistence template (IP_VS_CONN_F_TEMPLATE) bound to `dest` (counted in persistconns),
  // with timeout `timeout_s` (ct->timeout = svc->timeout), armed to expire at now + timeout.
  ConnHandle insert_template(const ConnKey& key, Destination& dest, std::uint32_t timeout_s,
                             TimeMs now);

  bool alive(ConnHandle h) const;

  // Accessors (the handle must be alive).
  ConnKey key(ConnHandle h) const;
  Destination* destination(ConnHandle h) const { return rec(h).dest; }
  ConnState state(ConnHandle h) const { return static_cast<ConnState>(rec(h).state); }
  bool is_template(ConnHandle h) const { return (rec(h).flags & kTemplate) != 0; }
  bool is_active(ConnHandle h) const { return (rec(h).flags & kInactive) == 0; }
  ConnHandle control(ConnHandle h) const;  // the controlling template, or invalid
  std::uint32_t n_control(ConnHandle h) const;
  std::uint64_t expires_ms(ConnHandle h) const { return rec(h).expires; }
  // Templates: their cp->timeout in seconds (persistence timeout, or 60 after expire_later).
  std::uint32_t template_timeout_s(ConnHandle h) const;

  // The state changes of set_tcp_state(): moving between active and inactive per
  // tcp_state_is_active() is applied to the destination (VirtualService::set_active) and the
  // record's IP_VS_CONN_F_INACTIVE flag. UDP connections are never active.
  void set_state(ConnHandle h, ConnState state);

  // __ip_vs_conn_put_timer(): the connection now expires at `expires`.
  void rearm(ConnHandle h, TimeMs expires);
  // Re-arms a template with its own timeout from `now` (ip_vs_conn_put(ct)).
  void rearm_template(ConnHandle h, TimeMs now);

  // ip_vs_check_template() failure: unhash the template so no lookup finds it again; it stays
  // bound (persistconns) and expires by its running timer.
  void invalidate_template(ConnHandle h);

  // Reserved for handing established flows to the kernel's nft map: no behaviour yet.
  void set_kernel_forwarded(ConnHandle h, bool on);
  bool kernel_forwarded(ConnHandle h) const { return (rec(h).flags & kKernelForwarded) != 0; }

  // ip_vs_conn_expire() for everything due at `now`; returns the number of records that fired
  // (including templates kept by expire_later).
  std::size_t expire(TimeMs now);
  // ip_vs_conn_expire_now() followed by its timer: removes and unbinds `h` now (a template that
  // still controls connections is kept for another 60 s instead). False if `h` is stale.
  bool expire_now(ConnHandle h, TimeMs now);
  // ip_vs_conn_flush(): removes every record, unbinding each from its destination.
  void flush();

  // ip_vs_random_dropentry(), for a full table: looks at up to `probes` records from `start`
  // (any value; taken modulo the arena, wrapping) and removes the first half-open TCP connection
  // (SYN_RECV: a SYN seen, its handshake not completed) as expire_now() would. True if one was
  // removed. Templates and every other state are left alone.
  bool evict_half_open(std::uint32_t start, std::uint32_t probes, TimeMs now);

  std::size_t size() const { return size_; }  // connections + templates
  std::size_t templates() const { return templates_; }
  std::size_t capacity() const { return chunks_.size() * std::size_t{kChunkRecords}; }
  std::size_t bucket_count() const { return buckets_.size(); }
  // Bytes held by records, buckets, the wheel and the chunk directory.
  std::size_t memory_bytes() const;

  // Visits every record (hashed or invalidated) in arena order: f(const ConnectionView&).
  template <class F>
  void for_each(TimeMs now, F&& f) const {
    for (std::uint32_t i = 0; i < high_water_; ++i) {
      const Record& r = at(i);
      if ((r.flags & kInUse) == 0) continue;
      f(view(i, now));
    }
  }

 private:
  enum Flag : std::uint8_t {
    kInUse = 1,
    kTemplate = 2,         // IP_VS_CONN_F_TEMPLATE
    kInactive = 4,         // IP_VS_CONN_F_INACTIVE
    kKernelForwarded = 8,  // handed to the kernel's forwarding map (reserved)
    kHashed = 16,          // reachable by lookup (IP_VS_CONN_F_HASHED)
  };

  // 56 bytes. Everything lookup() reads (key, flags, generation, hash_next) is in the first 20
  // bytes, so with chunks 64-byte aligned a chain step touches one cache line for 6 of every 8
  // records (the other 2 start 48 or 56 bytes into a line). `link` is the controlling template's
  // index for a connection and n_control for a template; `aux` is a template's timeout in seconds
  // (unused by connections, whose timeout is their state's and is applied when the state changes).
  struct Record {
    // --- lookup: bytes 0..19
    Ipv4 caddr;
    Ipv4 vaddr;
    std::uint16_t cport;
    std::uint16_t vport;
    std::uint32_t hash_next;
    std::uint16_t generation;
    std::uint8_t protocol;
    std::uint8_t flags;
    // --- the rest
    std::uint32_t wheel_next;
    Destination* dest;
    std::uint64_t expires;
    std::uint32_t wheel_prev;
    std::uint32_t link;
    std::uint32_t aux;
    std::uint16_t wheel_slot;
    std::uint8_t state;
  };
  static_assert(sizeof(Record) == kRecordBytes, "connection record must stay 56 bytes");
  static_assert(offsetof(Record, wheel_next) <= 24,
                "the fields lookup() reads must stay in the record's first 24 bytes");

  // Chunks are allocated 64-byte (cache line) aligned so the record layout above holds in memory.
  static constexpr std::size_t kChunkAlign = 64;
  struct ChunkDelete {
    void operator()(Record* p) const { ::operator delete (p, std::align_val_t{kChunkAlign}); }
  };
  using Chunk = std::unique_ptr<Record[], ChunkDelete>;

  struct Arena {
    ConnectionTable* table;
    Record& operator[](std::uint32_t i) { return table->at(i); }
  };
  static_assert(TimerWheel<Arena>::kSlots * sizeof(std::uint32_t) == kWheelBytes);

  Record& at(std::uint32_t i) { return chunks_[i >> kChunkShift][i & (kChunkRecords - 1)]; }
  const Record& at(std::uint32_t i) const {
    return chunks_[i >> kChunkShift][i & (kChunkRecords - 1)];
  }
  const Record& rec(ConnHandle h) const { return at(h.index); }
  Record& rec(ConnHandle h) { return at(h.index); }
  ConnHandle handle_of(std::uint32_t i) const { return {i, at(i).generation}; }

  std::uint32_t bucket_of(const ConnKey& key) const {
    return static_cast<std::uint32_t>(hash(key) & (buckets_.size() - 1));
  }
  ConnHandle lookup(const ConnKey& key, bool want_template) const;
  static bool matches(const Record& r, const ConnKey& key, bool want_template) {
    return r.caddr == key.caddr && r.vaddr == key.vaddr && r.cport == key.cport &&
           r.vport == key.vport && r.protocol == key.protocol &&
           ((r.flags & kTemplate) != 0) == want_template;
  }
  std::uint32_t allocate();
  ConnHandle insert(const ConnKey& key, Destination& dest, std::uint8_t flags, TimeMs expires);
  void hash_in(std::uint32_t i);
  void unhash(std::uint32_t i);
  void grow_buckets();
  void on_expired(std::uint32_t i, TimeMs now);
  void release(std::uint32_t i);
  ConnectionView view(std::uint32_t i, TimeMs now) const;

  std::vector<Chunk> chunks_;
  std::vector<std::uint32_t> buckets_;
  TimerWheel<Arena> wheel_;
  std::uint32_t free_head_ = kNilIndex;
  std::uint32_t high_water_ = 0;  // records ever handed out (arena prefix in use)
  std::size_t size_ = 0;
  std::size_t templates_ = 0;
};

}  // namespace lvs
