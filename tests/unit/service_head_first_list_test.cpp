// HeadFirstList against the plain vector it replaced (insert at begin(), erase at an index):
// the same sequence of operations leaves the same list, in the same order, seen as one span.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "service/head_first_list.h"

namespace lvs {
namespace {

std::vector<int> contents(const HeadFirstList<int>& list) {
  std::vector<int> out(list.data(), list.data() + list.size());
  EXPECT_EQ(out, std::vector<int>(list.begin(), list.end()));
  return out;
}

TEST(HeadFirstList, PushFrontIsTheKernelsListAddHeadOrder) {
  HeadFirstList<int> list;
  EXPECT_TRUE(list.empty());
  for (int i = 1; i <= 20; ++i) list.push_front(i);  // crosses several make_room()s
  std::vector<int> expected;
  for (int i = 20; i >= 1; --i) expected.push_back(i);
  EXPECT_EQ(contents(list), expected);
}

TEST(HeadFirstList, EraseFromEitherHalfKeepsTheOrder) {
  HeadFirstList<int> list;
  for (int i = 1; i <= 10; ++i) list.push_front(i);  // 10 9 ... 1
  list.erase_at(1);                                  // near the head: 9
  list.erase_at(7);                                  // near the tail: 2
  EXPECT_EQ(contents(list), (std::vector<int>{10, 8, 7, 6, 5, 4, 3, 1}));
  list.erase_at(0);
  list.erase_at(list.size() - 1);
  EXPECT_EQ(contents(list), (std::vector<int>{8, 7, 6, 5, 4, 3}));
  list.push_front(11);
  EXPECT_EQ(contents(list), (std::vector<int>{11, 8, 7, 6, 5, 4, 3}));
  list.clear();
  EXPECT_TRUE(list.empty());
  list.push_front(1);
  EXPECT_EQ(contents(list), (std::vector<int>{1}));
}

TEST(HeadFirstList, RandomOperationsMatchAVector) {
  for (unsigned seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    HeadFirstList<int> list;
    std::vector<int> reference;
    for (int op = 0; op < 20000; ++op) {
      if (reference.empty() || rng() % 3 != 0) {
        list.push_front(op);
        reference.insert(reference.begin(), op);
      } else {
        const std::size_t index = rng() % reference.size();
        list.erase_at(index);
        reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(index));
      }
      ASSERT_EQ(list.size(), reference.size()) << "seed " << seed << " op " << op;
    }
    EXPECT_EQ(contents(list), reference) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lvs
