// The LIST-CONNECTIONS answer in pieces is byte for byte the protocol encoder's whole answer,
// for any piece size, including the empty table and a last piece that is not full.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

#include "ctl/connection_listing.h"
#include "ctl/control_protocol.h"

namespace lvs::ctl {
namespace {

ctl::Snapshot with_connections(std::size_t n) {
  ctl::Snapshot snap;
  snap.timeouts = {600, 90, 200};
  for (std::size_t i = 0; i < n; ++i) {
    snap.connections.push_back({i % 3 == 0 ? ctl::ConnProtocol::udp : ctl::ConnProtocol::tcp,
                                {0x0ac8000au, static_cast<std::uint16_t>(40000 + i)},
                                {0x0ac80064u, 80},
                                {0x0ac8000bu + static_cast<std::uint32_t>(i % 3), 80},
                                i % 3 == 0 ? "UDP" : "ESTABLISHED",
                                1000 * i});
  }
  return snap;
}

std::string whole(ConnectionListing& listing, int* pieces = nullptr) {
  std::string out = listing.head();
  int n = 0;
  while (!listing.done()) {
    const bool more = listing.next(out);
    ++n;
    EXPECT_EQ(more, !listing.done());
  }
  if (pieces != nullptr) *pieces = n;
  return out;
}

TEST(ConnectionListing, PiecesAddUpToTheEncodersAnswer) {
  for (std::size_t n : {0u, 1u, 7u, 2000u, 4001u}) {
    for (std::size_t per : {1u, 3u, 2000u, 10000u}) {
      const ctl::Snapshot snap = with_connections(n);
      ConnectionListing listing(snap, per);
      int pieces = 0;
      EXPECT_EQ(whole(listing, &pieces), ctl::encode_response(snap, ctl::Command::list_connections))
          << n << " connections, " << per << " per piece";
      EXPECT_EQ(static_cast<std::size_t>(pieces), (n + per - 1) / per);
    }
  }
}

TEST(ConnectionListing, TheClientDecodesIt) {
  const ctl::Snapshot snap = with_connections(5);
  ConnectionListing listing(snap, 2);
  auto decoded = ctl::decode_response(whole(listing));
  ASSERT_TRUE(std::holds_alternative<ctl::Snapshot>(decoded));
  EXPECT_EQ(std::get<ctl::Snapshot>(decoded).connections, snap.connections);
  EXPECT_EQ(std::get<ctl::Snapshot>(decoded).timeouts, snap.timeouts);
}

TEST(ConnectionListing, HeadCountsTheInfoRecordAndEveryConnection) {
  ConnectionListing listing(with_connections(4001));
  EXPECT_TRUE(listing.head().starts_with("LVSCTL/1 OK 4002\ninfo "));
  std::string first;
  EXPECT_TRUE(listing.next(first));
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'),
            static_cast<long>(ConnectionListing::kDefaultPerPiece));
}

}  // namespace
}  // namespace lvs::ctl
