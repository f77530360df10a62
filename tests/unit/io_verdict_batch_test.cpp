// One NFQUEUE batch's verdicts: accepts kept in order, and per queue the highest id to drop by
// serial-number arithmetic (ids wrap), as the kernel's batch verdict compares them
// (nfqnl_recv_verdict_batch() drops every id up to and including the one given).
#include <gtest/gtest.h>

#include "io/verdict_batch.h"

namespace lvs::io {
namespace {

QueuedPacket packet(std::uint16_t queue, std::uint32_t id) {
  return {.id = id, .queue = queue, .mark = 0, .payload = {}};
}

TEST(VerdictBatch, AcceptsInOrderAndTheHighestDropPerQueue) {
  VerdictBatch batch(/*queue_first=*/4, /*queue_count=*/2, /*batch_size=*/8);
  batch.drop(packet(4, 10));
  batch.accept(packet(5, 3));
  batch.drop(packet(4, 12));
  batch.drop(packet(4, 11));  // later in the batch, lower id: 12 still covers it
  batch.accept(packet(4, 13));
  ASSERT_EQ(batch.accepts().size(), 2u);
  EXPECT_EQ(batch.accepts()[0].queue, 5);
  EXPECT_EQ(batch.accepts()[0].id, 3u);
  EXPECT_EQ(batch.accepts()[1].id, 13u);
  EXPECT_EQ(batch.drop_upto()[0], std::optional<std::uint32_t>(12));
  EXPECT_EQ(batch.drop_upto()[1], std::nullopt);  // queue 5: nothing to drop
  batch.clear();
  EXPECT_TRUE(batch.accepts().empty());
  EXPECT_EQ(batch.drop_upto()[0], std::nullopt);
}

TEST(VerdictBatch, IdsWrapBySerialNumberArithmetic) {
  VerdictBatch batch(0, 1, 8);
  batch.drop(packet(0, 0xfffffffeu));
  batch.drop(packet(0, 1));  // after the wrap: later than 0xfffffffe
  EXPECT_EQ(batch.drop_upto()[0], std::optional<std::uint32_t>(1));
}

TEST(VerdictBatch, APacketFromAnotherQueueRangeIsNotCounted) {
  VerdictBatch batch(4, 2, 8);
  batch.drop(packet(9, 1));
  batch.drop(packet(3, 1));
  EXPECT_EQ(batch.drop_upto()[0], std::nullopt);
  EXPECT_EQ(batch.drop_upto()[1], std::nullopt);
}

}  // namespace
}  // namespace lvs::io
