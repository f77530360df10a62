// The per-entry queue of packets waiting for resolution (neigh->arp_queue).
#include <gtest/gtest.h>

#include <vector>

#include "neigh/unresolved_queue.h"

namespace lvs {
namespace {

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t v) {
  return std::vector<std::uint8_t>(n, v);
}

TEST(NeighUnresolvedQueue, KeepsOrderAndDropsTheOldestBeyondTheCount) {
  UnresolvedQueue q;
  EXPECT_EQ(q.push(bytes(10, 1), 2, 1000), 0u);
  EXPECT_EQ(q.push(bytes(10, 2), 2, 1000), 0u);
  EXPECT_EQ(q.push(bytes(10, 3), 2, 1000), 1u);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 20u);
  const auto out = q.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0][0], 2);
  EXPECT_EQ(out[1][0], 3);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(NeighUnresolvedQueue, DropsTheOldestBeyondTheBytes) {
  UnresolvedQueue q;
  q.push(bytes(400, 1), 100, 1000);
  q.push(bytes(400, 2), 100, 1000);
  EXPECT_EQ(q.push(bytes(400, 3), 100, 1000), 1u);
  EXPECT_EQ(q.bytes(), 800u);
  // A packet larger than the limit empties the queue and is still kept (as the kernel does).
  EXPECT_EQ(q.push(bytes(5000, 4), 100, 1000), 2u);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 5000u);
}

TEST(NeighUnresolvedQueue, ZeroLengthQueueKeepsNothing) {
  UnresolvedQueue q;
  EXPECT_EQ(q.push(bytes(10, 1), 0, 1000), 1u);
  EXPECT_TRUE(q.empty());
}

TEST(NeighUnresolvedQueue, ClearCountsWhatItDropped) {
  UnresolvedQueue q;
  q.push(bytes(1, 1), 5, 1000);
  q.push(bytes(1, 1), 5, 1000);
  EXPECT_EQ(q.clear(), 2u);
  EXPECT_EQ(q.clear(), 0u);
}

}  // namespace
}  // namespace lvs
