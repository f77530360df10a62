// The destination-address table of lblc/lblcr (struct ip_vs_lblc_table / ip_vs_lblcr_table) and
// its garbage collection (ip_vs_lblc_check_expire() / ip_vs_lblc_full_check() and their lblcr
// twins, which are the same code).
//
// Which entries the over-size collection removes depends on the kernel's bucket order: it walks
// the 1024 buckets (bucket = hash_32(daddr, 10)) from the one after `rover` and stops after the
// bucket in which its goal is reached. So the table keeps that order: it is a chained hash of 2^k
// buckets (k >= 10, grown as entries are added) indexed by hash_32(daddr, k), whose top 10 bits
// are the kernel's bucket — the kernel's bucket j is the run of our buckets
// [j << (k-10), (j+1) << (k-10)). Lookups stay O(1) however many entries there are; the order of
// entries inside a bucket never matters (a kernel pass removes every eligible entry of a bucket
// it visits).
//
// Time: the kernel arms the periodic timer when the service gets the scheduler (init_service)
// and re-arms it CHECK_EXPIRE_INTERVAL after each run. We have no clock at construction, so the
// timer is armed at the first time the scheduler is given (first schedule() or expire() call);
// each run happens at its deadline: expire(now) runs every deadline <= now, in order, each with
// the deadline as its "now" (so a clock that jumps — the simulator's `tick` — gives the same
// result as a clock called every second).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "config/net_address.h"
#include "sched/ip_vs_hash.h"
#include "sched/scheduler.h"

namespace lvs {

template <typename Payload>
class LocalityTable {
 public:
  static constexpr unsigned kKernelBits = 10;  // CONFIG_IP_VS_LBLC_TAB_BITS
  static constexpr std::size_t kKernelBuckets = std::size_t{1} << kKernelBits;
  static constexpr std::size_t kMaxSize = kKernelBuckets * 16;  // tbl->max_size
  static constexpr TimeMs kCheckInterval = 60 * 1000;           // CHECK_EXPIRE_INTERVAL
  static constexpr TimeMs kEntryTimeout = 6 * 60 * 1000;        // ENTRY_TIMEOUT
  static constexpr int kCountForFullExpiration = 30;            // COUNT_FOR_FULL_EXPIRATION

  struct Entry {
    Ipv4 addr = 0;       // the packet's destination address
    TimeMs lastuse = 0;  // last schedule() that found this entry
    Payload payload{};
  };

  LocalityTable() { heads_.assign(std::size_t{1} << bits_, kNone); }

  // as ip_vs_lblc_get(). The pointer is valid until the next insert().
  Entry* find(Ipv4 addr) {
    for (std::uint32_t i = heads_[bucket_of(addr)]; i != kNone; i = nodes_[i].next) {
      if (nodes_[i].entry.addr == addr) return &nodes_[i].entry;
    }
    return nullptr;
  }

  const Entry* find(Ipv4 addr) const { return const_cast<LocalityTable*>(this)->find(addr); }

  // A new entry for `addr` (which must not be in the table), lastuse = now. Invalidates pointers
  // returned by find().
  Entry& insert(Ipv4 addr, TimeMs now) {
    if (size_ + 1 > heads_.size()) grow();
    std::uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    Node& node = nodes_[index];
    node.live = true;
    node.entry.addr = addr;
    node.entry.lastuse = now;
    link(index);
    ++size_;
    return node.entry;
  }

  std::size_t size() const { return size_; }

  // Arms the periodic timer at the first time seen (see the file comment).
  void observe_clock(TimeMs now) {
    if (!armed_) {
      armed_ = true;
      next_check_ = now + kCheckInterval;
    }
  }

  // Runs every periodic check whose deadline is <= now. `release(payload)` is called for each
  // entry removed, to drop its references.
  template <typename Release>
  void expire(TimeMs now, TimeMs expiration, Release&& release) {
    observe_clock(now);
    while (next_check_ <= now) {
      const TimeMs at = next_check_;
      check_expire(at, expiration, release);
      next_check_ = at + kCheckInterval;  // mod_timer(jiffies + CHECK_EXPIRE_INTERVAL)
    }
  }

  // as ip_vs_lblc_flush() (done_service): every entry removed.
  template <typename Release>
  void clear(Release&& release) {
    for (std::size_t b = 0; b < heads_.size(); ++b) {
      for (std::uint32_t i = heads_[b]; i != kNone;) {
        const std::uint32_t next = nodes_[i].next;
        release(nodes_[i].entry.payload);
        free_node(i);
        i = next;
      }
      heads_[b] = kNone;
    }
    size_ = 0;
  }

 private:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  struct Node {
    Entry entry;
    std::uint32_t next = kNone;
    bool live = false;
  };

  // hash_32(addr, bits) on the host-order address, as ip_vs_lblc_hashkey() /
  // ip_vs_lblcr_hashkey() use it (mainline; older kernels used (addr * 2654435761) & mask).
  std::size_t bucket_of(Ipv4 addr) const { return hash_32(addr, bits_); }

  void link(std::uint32_t index) {
    const std::size_t b = bucket_of(nodes_[index].entry.addr);
    nodes_[index].next = heads_[b];
    heads_[b] = index;
  }

  void free_node(std::uint32_t index) {
    Node& node = nodes_[index];
    node.live = false;
    node.next = kNone;
    node.entry.addr = 0;
    node.entry.lastuse = 0;
    // The payload keeps its storage (e.g. a set's capacity) for the next entry.
    free_.push_back(index);
  }

  void grow() {
    ++bits_;
    heads_.assign(std::size_t{1} << bits_, kNone);
    for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].live) link(i);
    }
  }

  // Removes the entries of kernel bucket `kernel_bucket` for which remove(entry) is true;
  // returns how many.
  template <typename Predicate, typename Release>
  int sweep_kernel_bucket(std::size_t kernel_bucket, Predicate&& remove, Release&& release) {
    const unsigned shift = bits_ - kKernelBits;
    const std::size_t first = kernel_bucket << shift;
    const std::size_t last = (kernel_bucket + 1) << shift;
    int removed = 0;
    for (std::size_t b = first; b < last; ++b) {
      std::uint32_t* link_to = &heads_[b];
      while (*link_to != kNone) {
        const std::uint32_t i = *link_to;
        if (remove(nodes_[i].entry)) {
          *link_to = nodes_[i].next;
          release(nodes_[i].entry.payload);
          free_node(i);
          --size_;
          ++removed;
        } else {
          link_to = &nodes_[i].next;
        }
      }
    }
    return removed;
  }

  // as ip_vs_lblc_check_expire() / ip_vs_lblcr_check_expire(), run at time `now`.
  template <typename Release>
  void check_expire(TimeMs now, TimeMs expiration, Release& release) {
    if (counter_ % kCountForFullExpiration == 0) {
      // as ip_vs_lblc_full_check(): every entry unused for `expiration` goes, whatever the
      // table's size (it walks all buckets from rover+1 round to rover, so rover is unchanged).
      for (std::size_t i = 0, j = rover_; i < kKernelBuckets; ++i) {
        j = (j + 1) & (kKernelBuckets - 1);
        sweep_kernel_bucket(
            j, [&](const Entry& en) { return now >= en.lastuse + expiration; }, release);
      }
      counter_ = 1;
      return;
    }
    if (size_ <= kMaxSize) {
      ++counter_;
      return;
    }
    // Over the maximum size: remove entries unused for ENTRY_TIMEOUT, bucket by bucket from the
    // rover, until 4/3 of the excess (at most half the maximum size) are gone. The counter does
    // not advance, so the full check waits for 30 quiet runs.
    long goal = static_cast<long>(size_ - kMaxSize) * 4 / 3;
    if (goal > static_cast<long>(kMaxSize / 2)) goal = static_cast<long>(kMaxSize / 2);
    std::size_t j = rover_;
    for (std::size_t i = 0; i < kKernelBuckets; ++i) {
      j = (j + 1) & (kKernelBuckets - 1);
      goal -= sweep_kernel_bucket(
          j, [&](const Entry& en) { return now >= en.lastuse + kEntryTimeout; }, release);
      if (goal <= 0) break;
    }
    rover_ = j;
  }

  unsigned bits_ = kKernelBits;
  std::vector<std::uint32_t> heads_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;
  std::size_t size_ = 0;

  bool armed_ = false;
  TimeMs next_check_ = 0;
  int counter_ = 1;        // tbl->counter, starts at 1 (init_service)
  std::size_t rover_ = 0;  // tbl->rover
};

}  // namespace lvs
