// The control server's side, pure: each request is decoded once, the backend is asked for
// exactly what the command needs, and the answer is the protocol's encoding of it (streamed for
// LIST-CONNECTIONS). Bad requests get one ERROR line and never reach the backend.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "ctl/control_dispatch.h"
#include "ctl/control_protocol.h"
#include "support/bad_neighbours.h"
#include "support/ctl_snapshots.h"
#include "support/snapshot_backend.h"

namespace lvs::ctl {
namespace {

using test::full_snapshot;

// Answers from a fixed snapshot and records what it was asked.
class FakeBackend : public ControlBackend {
 public:
  Snapshot snap = full_snapshot();
  std::vector<NeighbourSnapshot> table{
      {*parse_ipv4("10.200.0.11"), "eth0", *parse_mac("02:00:00:00:00:0b"), "REACHABLE"}};
  std::string refuse;  // what the NEIGH changes answer
  int lists = 0, connection_lists = 0, neighbour_lists = 0, changes = 0;
  Request last_change;

  Snapshot list() override {
    ++lists;
    Snapshot s = snap;
    s.connections.clear();
    return s;
  }
  Snapshot list_connections() override {
    ++connection_lists;
    return snap;
  }
  Timeouts timeouts() override { return snap.timeouts; }
  std::vector<NeighbourSnapshot> neighbours() override {
    ++neighbour_lists;
    return table;
  }
  std::string neigh_flush() override { return change({Command::neigh_flush}); }
  std::string neigh_add(Ipv4 ip, const MacAddress& lladdr, NudState state) override {
    return change({Command::neigh_add, ip, lladdr, state});
  }
  std::string neigh_del(Ipv4 ip) override { return change({Command::neigh_del, ip}); }

 private:
  std::string change(Request r) {
    ++changes;
    last_change = r;
    return refuse;
  }
};

using test::whole;

TEST(ControlDispatch, ListAsksForServicesOnly) {
  FakeBackend b;
  Snapshot expected = b.snap;
  expected.connections.clear();
  EXPECT_EQ(whole(answer_request("LVSCTL/1 LIST\n", b)), encode_response(expected, Command::list));
  EXPECT_EQ(b.lists, 1);
  EXPECT_EQ(b.connection_lists, 0);
}

TEST(ControlDispatch, ListConnectionsStreamsTheEncodersAnswer) {
  FakeBackend b;
  for (int i = 0; i < 5000; ++i) b.snap.connections.push_back(b.snap.connections[i % 2]);
  ControlAnswer answer = answer_request("LVSCTL/1 LIST-CONNECTIONS", b);
  EXPECT_TRUE(static_cast<bool>(answer.more)) << "5002 connections come in pieces";
  EXPECT_EQ(whole(std::move(answer)), encode_response(b.snap, Command::list_connections));
  EXPECT_EQ(b.connection_lists, 1);
  EXPECT_EQ(b.lists, 0);
}

TEST(ControlDispatch, NeighShowCarriesTheTableAndTheInfoRecord) {
  FakeBackend b;
  Snapshot expected;
  expected.timeouts = b.snap.timeouts;
  expected.neighbours = b.table;
  EXPECT_EQ(whole(answer_request("LVSCTL/1 NEIGH-SHOW", b)),
            encode_response(expected, Command::neigh_show));
  EXPECT_EQ(b.neighbour_lists, 1);
  EXPECT_EQ(b.lists, 0);
}

TEST(ControlDispatch, NeighChangesReachTheBackendWithTheirArguments) {
  FakeBackend b;
  Snapshot info;
  info.timeouts = b.snap.timeouts;
  EXPECT_EQ(whole(answer_request("LVSCTL/1 NEIGH-ADD 10.200.0.12 02:00:00:00:00:0c stale", b)),
            encode_response(info, Command::neigh_add));
  EXPECT_EQ(b.last_change, (Request{Command::neigh_add, *parse_ipv4("10.200.0.12"),
                                    *parse_mac("02:00:00:00:00:0c"), NudState::Stale}));
  EXPECT_EQ(whole(answer_request("LVSCTL/1 NEIGH-FLUSH", b)),
            encode_response(info, Command::neigh_flush));
  EXPECT_EQ(b.last_change.command, Command::neigh_flush);

  b.refuse = "neigh del 10.200.0.13: no such entry";
  EXPECT_EQ(whole(answer_request("LVSCTL/1 NEIGH-DEL 10.200.0.13", b)),
            "LVSCTL/1 ERROR neigh del 10.200.0.13: no such entry\n");
  EXPECT_EQ(b.last_change, (Request{Command::neigh_del, *parse_ipv4("10.200.0.13")}));
  EXPECT_EQ(b.changes, 3);
}

TEST(ControlDispatch, BadRequestsNeverReachTheBackend) {
  FakeBackend b;
  EXPECT_EQ(whole(answer_request("GET / HTTP/1.0\r\n", b)),
            "LVSCTL/1 ERROR not an lvsadm request (expected 'LVSCTL/1 COMMAND')\n");
  EXPECT_EQ(whole(answer_request("LVSCTL/1 NEIGH-DEL not-an-ip", b)),
            "LVSCTL/1 ERROR bad IPv4 address 'not-an-ip'\n");
  EXPECT_EQ(b.lists + b.connection_lists + b.neighbour_lists + b.changes, 0);
}

TEST(ControlDispatch, GarbageNeverCrashes) {
  FakeBackend b;
  std::mt19937 rng(7);
  const std::string valid = "LVSCTL/1 NEIGH-ADD 10.200.0.12 02:00:00:00:00:0c stale\n";
  for (int round = 0; round < 5000; ++round) {
    std::string text = valid;
    for (int e = 0; e < 1 + static_cast<int>(rng() % 6); ++e) {
      text[rng() % text.size()] = static_cast<char>(rng() % 256);
    }
    const std::string out = whole(answer_request(text, b));
    EXPECT_TRUE(out.starts_with("LVSCTL/1 OK ") || out.starts_with("LVSCTL/1 ERROR ")) << out;
  }
}

// Finding 9 of issue 12, the director's side: NEIGH-ADD refuses the entries the config refuses
// for its PERMANENT neighbours, the VIPs included, whoever wrote the request; nothing reaches the
// table.
TEST(ControlDispatch, NeighAddRefusesWhatTheConfigRefuses) {
  FakeBackend b;
  ServiceSnapshot vip_service;
  vip_service.key.vip = *parse_endpoint(std::string(test::kBadNeighbourVip) + ":80");
  b.snap.services.push_back(vip_service);
  for (const auto& bad : test::bad_neighbours()) {
    const std::string answer = whole(answer_request(
        std::string("LVSCTL/1 NEIGH-ADD ") + bad.ip + " " + bad.mac + " permanent\n", b));
    EXPECT_TRUE(answer.starts_with("LVSCTL/1 ERROR neigh add: ")) << bad.ip << " " << answer;
  }
  EXPECT_EQ(b.changes, 0);
  EXPECT_EQ(whole(answer_request(std::string("LVSCTL/1 NEIGH-ADD ") + test::kBadNeighbourVip +
                                     " 02:00:00:00:00:0b permanent\n",
                                 b)),
            "LVSCTL/1 ERROR neigh add: 10.200.0.100 is a VIP of this director, not a neighbour\n");
  // A real server's address is fine.
  EXPECT_TRUE(whole(answer_request("LVSCTL/1 NEIGH-ADD 10.200.0.11 02:00:00:00:00:0b\n", b))
                  .starts_with("LVSCTL/1 OK "));
  EXPECT_EQ(b.changes, 1);
}

}  // namespace
}  // namespace lvs::ctl
