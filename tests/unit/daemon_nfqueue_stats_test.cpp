#include <gtest/gtest.h>

#include "io/nfqueue_receiver.h"
#include "io/nfqueue_stats.h"

namespace lvs::io {
namespace {

TEST(NfqueueProc, ParsesTheKernelsLines) {
  // seq_show() format: "%5u %6u %5u %1u %5u %5u %5u %8u %2d\n"
  const auto stats = parse_nfqueue_proc(
      "    0  12345     3 2 65535     7    11      868  1\n"
      "    4 4294967    0 2 65535     0     0        0  1\n");
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].queue, 0u);
  EXPECT_EQ(stats[0].portid, 12345u);
  EXPECT_EQ(stats[0].queue_total, 3u);
  EXPECT_EQ(stats[0].copy_mode, 2u);
  EXPECT_EQ(stats[0].copy_range, 65535u);
  EXPECT_EQ(stats[0].queue_dropped, 7u);
  EXPECT_EQ(stats[0].user_dropped, 11u);
  EXPECT_EQ(stats[0].id_sequence, 868u);
  EXPECT_EQ(stats[1].queue, 4u);
}

TEST(NfqueueProc, SkipsMalformedLines) {
  const auto stats =
      parse_nfqueue_proc("garbage\n 1 2 3\n\n 1 2 3 4 5 6 x 8 1\n 9 1 0 2 10 0 0 5 1");
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].queue, 9u);
  EXPECT_EQ(stats[0].id_sequence, 5u);
}

TEST(NfqueueProc, EmptyFileHasNoQueues) { EXPECT_TRUE(parse_nfqueue_proc("").empty()); }

// The batch verdict takes the batch's latest id; ids wrap (++id_sequence passes through 0).
TEST(NfqueueIds, LatestIdBySerialNumberArithmetic) {
  EXPECT_TRUE(NfqueueReceiver::id_after(2, 1));
  EXPECT_FALSE(NfqueueReceiver::id_after(1, 2));
  EXPECT_FALSE(NfqueueReceiver::id_after(5, 5));
  EXPECT_TRUE(NfqueueReceiver::id_after(0, 0xffffffffu));
  EXPECT_TRUE(NfqueueReceiver::id_after(3, 0xfffffff0u));
  EXPECT_FALSE(NfqueueReceiver::id_after(0xfffffff0u, 3));
}

}  // namespace
}  // namespace lvs::io
