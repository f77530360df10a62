// The control protocol: exact wire text for requests and responses, round trips of every field,
// and malformed input (truncation, wrong version, bad numbers, garbage) rejected with a message
// that names the line, never a crash.
#include <gtest/gtest.h>

#include <random>

#include "ctl/control_protocol.h"
#include "support/ctl_snapshots.h"

namespace lvs::ctl {
namespace {

using test::ep;
using test::full_snapshot;

TEST(ControlProtocol, RequestWireFormat) {
  EXPECT_EQ(encode_request({Command::list}), "LVSCTL/1 LIST\n");
  EXPECT_EQ(encode_request({Command::list_connections}), "LVSCTL/1 LIST-CONNECTIONS\n");
}

TEST(ControlProtocol, RequestRoundTripAndLineEndings) {
  for (Command c : {Command::list, Command::list_connections}) {
    auto decoded = decode_request(encode_request({c}));
    ASSERT_TRUE(std::holds_alternative<Request>(decoded));
    EXPECT_EQ(std::get<Request>(decoded).command, c);
  }
  EXPECT_TRUE(std::holds_alternative<Request>(decode_request("LVSCTL/1 LIST")));
  EXPECT_TRUE(std::holds_alternative<Request>(decode_request("LVSCTL/1 LIST\r\n")));
}

std::string request_error(std::string_view text) {
  auto decoded = decode_request(text);
  if (auto* e = std::get_if<ProtocolError>(&decoded)) return e->message;
  return "<accepted>";
}

TEST(ControlProtocol, MalformedRequests) {
  EXPECT_EQ(request_error(""), "empty request");
  EXPECT_EQ(request_error("\n"), "empty request");
  EXPECT_EQ(request_error("LIST\n"), "not an lvsadm request (expected 'LVSCTL/1 COMMAND')");
  EXPECT_EQ(request_error("LVSCTL/2 LIST\n"),
            "unsupported protocol version LVSCTL/2 (this director speaks LVSCTL/1; use the "
            "lvsadm built with it)");
  EXPECT_EQ(request_error("LVSCTL/1 DROP-TABLES\n"),
            "unknown command 'DROP-TABLES' (known: LIST, LIST-CONNECTIONS, NEIGH-SHOW, "
            "NEIGH-FLUSH, NEIGH-ADD, NEIGH-DEL)");
  EXPECT_EQ(request_error("LVSCTL/1\n"),
            "expected 'LVSCTL/1 COMMAND', got 0 words after the version");
  EXPECT_EQ(request_error("LVSCTL/1 LIST extra\n"),
            "expected 'LVSCTL/1 COMMAND', got 2 words after the version");
  EXPECT_EQ(request_error("LVSCTL/1 LIST\nLVSCTL/1 LIST\n"), "request must be a single line");
  EXPECT_EQ(request_error("lvsctl/1 list\n"),
            "not an lvsadm request (expected 'LVSCTL/1 COMMAND')");
}

TEST(ControlProtocol, NeighRequestsWireFormatAndRoundTrip) {
  EXPECT_EQ(encode_request({Command::neigh_show}), "LVSCTL/1 NEIGH-SHOW\n");
  EXPECT_EQ(encode_request({Command::neigh_flush}), "LVSCTL/1 NEIGH-FLUSH\n");
  Request del{Command::neigh_del, *parse_ipv4("10.200.0.11")};
  EXPECT_EQ(encode_request(del), "LVSCTL/1 NEIGH-DEL 10.200.0.11\n");
  Request add{Command::neigh_add, *parse_ipv4("10.200.0.12"), *parse_mac("02:00:00:00:00:0c"),
              NudState::Stale};
  EXPECT_EQ(encode_request(add), "LVSCTL/1 NEIGH-ADD 10.200.0.12 02:00:00:00:00:0c stale\n");
  for (const Request& r : {Request{Command::neigh_show}, Request{Command::neigh_flush}, del, add}) {
    auto decoded = decode_request(encode_request(r));
    ASSERT_TRUE(std::holds_alternative<Request>(decoded)) << encode_request(r);
    EXPECT_EQ(std::get<Request>(decoded), r);
  }
  // The state is optional on the wire: permanent, as `ip neigh add`.
  auto plain = decode_request("LVSCTL/1 NEIGH-ADD 10.200.0.12 02:00:00:00:00:0c\n");
  ASSERT_TRUE(std::holds_alternative<Request>(plain));
  EXPECT_EQ(std::get<Request>(plain).nud, NudState::Permanent);
}

TEST(ControlProtocol, MalformedNeighRequests) {
  EXPECT_EQ(request_error("LVSCTL/1 NEIGH-DEL\n"), "NEIGH-DEL takes 1 argument(s), got 0");
  EXPECT_EQ(request_error("LVSCTL/1 NEIGH-DEL 10.0.0.1 x\n"),
            "NEIGH-DEL takes 1 argument(s), got 2");
  EXPECT_EQ(request_error("LVSCTL/1 NEIGH-ADD 10.0.0.1\n"),
            "NEIGH-ADD takes 2 to 3 argument(s), got 1");
  EXPECT_EQ(request_error("LVSCTL/1 NEIGH-DEL 10.0.0.256\n"), "bad IPv4 address '10.0.0.256'");
  EXPECT_EQ(request_error("LVSCTL/1 NEIGH-ADD 10.0.0.1 02:00:00:00:00\n"),
            "bad MAC address '02:00:00:00:00'");
  EXPECT_EQ(request_error("LVSCTL/1 NEIGH-ADD 10.0.0.1 02:00:00:00:00:01 failed\n"),
            "bad nud state 'failed' (expected permanent, noarp, reachable or stale)");
  EXPECT_EQ(request_error("LVSCTL/1 NEIGH-SHOW all\n"),
            "expected 'LVSCTL/1 COMMAND', got 2 words after the version");
}

TEST(ControlProtocol, NeighShowResponseRoundTrip) {
  Snapshot snap;
  NeighbourSnapshot a{*parse_ipv4("10.200.0.11"), "eth0", *parse_mac("02:00:00:00:00:0b"),
                      "PERMANENT"};
  NeighbourSnapshot b{*parse_ipv4("10.200.0.14"), "eth0", std::nullopt, "FAILED"};
  snap.neighbours = {a, b};
  const std::string wire = encode_response(snap, Command::neigh_show);
  EXPECT_EQ(wire,
            "LVSCTL/1 OK 3\n"
            "info version=1.2.1 size=4096 tcp=900 tcpfin=120 udp=300\n"
            "neigh 10.200.0.11 dev=eth0 state=PERMANENT lladdr=02:00:00:00:00:0b\n"
            "neigh 10.200.0.14 dev=eth0 state=FAILED\n");
  auto decoded = decode_response(wire);
  ASSERT_TRUE(std::holds_alternative<Snapshot>(decoded));
  EXPECT_EQ(std::get<Snapshot>(decoded).neighbours, snap.neighbours);
  // Neighbours travel only in answers to NEIGH-SHOW.
  EXPECT_EQ(encode_response(snap, Command::neigh_flush),
            "LVSCTL/1 OK 1\ninfo version=1.2.1 size=4096 tcp=900 tcpfin=120 udp=300\n");
  EXPECT_EQ(encode_response(snap, Command::list).find("neigh"), std::string::npos);
  // A bad record is refused with its line.
  auto bad = decode_response("LVSCTL/1 OK 1\nneigh 10.0.0.1 lladdr=zz\n");
  ASSERT_TRUE(std::holds_alternative<ProtocolError>(bad));
  EXPECT_EQ(std::get<ProtocolError>(bad).message, "response line 2: bad value for lladdr: 'zz'");
}

TEST(ControlProtocol, ListResponseWireFormat) {
  Snapshot snap = full_snapshot();
  snap.services.resize(1);
  snap.services[0].destinations.resize(1);
  EXPECT_EQ(encode_response(snap, Command::list),
            "LVSCTL/1 OK 3\n"
            "info version=1.2.1 size=65536 tcp=901 tcpfin=121 udp=301\n"
            "service tcp/10.200.0.100:80 scheduler=wrr persistent=300 netmask=255.255.255.0 "
            "flags=flag-1,flag-2,ops conns=1 inpkts=2 outpkts=3 inbytes=4 "
            "outbytes=18446744073709551615 cps=5 inpps=6 outpps=7 inbps=8 outbps=9\n"
            "dest 10.200.0.11:80 forward=Route weight=-1 active=10 inactive=11 persistent=12 "
            "uthreshold=13 lthreshold=14 conns=15 inpkts=16 outpkts=17 inbytes=18 outbytes=19 "
            "cps=20 inpps=21 outpps=22 inbps=23 outbps=24\n");
}

TEST(ControlProtocol, ConnectionsResponseWireFormat) {
  EXPECT_EQ(encode_response(full_snapshot(), Command::list_connections),
            "LVSCTL/1 OK 3\n"
            "info version=1.2.1 size=65536 tcp=901 tcpfin=121 udp=301\n"
            "conn tcp 10.200.0.10:40000 10.200.0.100:80 10.200.0.11:80 ESTABLISHED 899999\n"
            "conn udp 10.200.0.10:5353 10.200.0.100:53 10.200.0.13:53 UDP 0\n");
}

TEST(ControlProtocol, ListRoundTripKeepsEveryField) {
  Snapshot snap = full_snapshot();
  auto decoded = decode_response(encode_response(snap, Command::list));
  ASSERT_TRUE(std::holds_alternative<Snapshot>(decoded))
      << std::get<ProtocolError>(decoded).message;
  Snapshot expected = snap;
  expected.connections.clear();  // LIST does not carry them
  EXPECT_EQ(std::get<Snapshot>(decoded), expected);
}

// The scheduler bits travel under the scheduler's own names and come back as the same bits.
TEST(ControlProtocol, SchedulerFlagsTravelUnderTheSchedulersNames) {
  Snapshot snap = full_snapshot();
  snap.services.resize(1);
  snap.services[0].destinations.clear();
  snap.services[0].one_packet = false;
  for (const char* scheduler : {"sh", "mh", "twos"}) {
    snap.services[0].scheduler = scheduler;
    const std::string wire = encode_response(snap, Command::list);
    const std::string sched(scheduler);
    const std::string names = sched == "sh"   ? "sh-fallback,sh-port"
                              : sched == "mh" ? "mh-fallback,mh-port"
                                              : "flag-1,flag-2";
    EXPECT_NE(wire.find(" flags=" + names + " conns="), std::string::npos) << wire;
    auto decoded = decode_response(wire);
    ASSERT_TRUE(std::holds_alternative<Snapshot>(decoded));
    EXPECT_TRUE(std::get<Snapshot>(decoded).services[0].sched_fallback) << scheduler;
    EXPECT_TRUE(std::get<Snapshot>(decoded).services[0].sched_port) << scheduler;
  }
}

TEST(ControlProtocol, DeadDestinationTravelsOnlyWhenSet) {
  Snapshot snap = full_snapshot();
  snap.services.resize(1);
  snap.services[0].destinations.resize(1);
  snap.services[0].destinations[0].dead = true;
  const std::string wire = encode_response(snap, Command::list);
  EXPECT_NE(wire.find(" lthreshold=14 dead=1 conns=15"), std::string::npos) << wire;
  auto decoded = decode_response(wire);
  ASSERT_TRUE(std::holds_alternative<Snapshot>(decoded))
      << std::get<ProtocolError>(decoded).message;
  EXPECT_TRUE(std::get<Snapshot>(decoded).services[0].destinations[0].dead);
}

TEST(ControlProtocol, ConnectionsRoundTrip) {
  Snapshot snap = full_snapshot();
  auto decoded = decode_response(encode_response(snap, Command::list_connections));
  ASSERT_TRUE(std::holds_alternative<Snapshot>(decoded));
  EXPECT_EQ(std::get<Snapshot>(decoded).connections, snap.connections);
  EXPECT_TRUE(std::get<Snapshot>(decoded).services.empty());
  EXPECT_EQ(std::get<Snapshot>(decoded).timeouts, snap.timeouts);
}

TEST(ControlProtocol, NamesWithSpacesCannotBreakTheFraming) {
  Snapshot snap;
  ServiceSnapshot s;
  s.key = {config::ServiceProtocol::Udp, ep("10.0.0.1:53"), 0};
  s.scheduler = "bad name\nservice tcp/1.2.3.4:1 scheduler=rr";
  snap.services = {s};
  auto decoded = decode_response(encode_response(snap, Command::list));
  ASSERT_TRUE(std::holds_alternative<Snapshot>(decoded));
  ASSERT_EQ(std::get<Snapshot>(decoded).services.size(), 1u);
  EXPECT_EQ(std::get<Snapshot>(decoded).services[0].scheduler,
            "bad_name_service_tcp/1.2.3.4:1_scheduler=rr");
}

TEST(ControlProtocol, ErrorResponse) {
  std::string wire = encode_error_response("busy\nreloading");
  EXPECT_EQ(wire, "LVSCTL/1 ERROR busy reloading\n");
  auto decoded = decode_response(wire);
  ASSERT_TRUE(std::holds_alternative<ProtocolError>(decoded));
  EXPECT_EQ(std::get<ProtocolError>(decoded).message, "lvs-director: busy reloading");
}

std::string response_error(std::string_view text) {
  auto decoded = decode_response(text);
  if (auto* e = std::get_if<ProtocolError>(&decoded)) return e->message;
  return "<accepted>";
}

TEST(ControlProtocol, MalformedResponses) {
  EXPECT_EQ(response_error(""),
            "empty response (the director closed the connection without answering)");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1"), "response has no complete first line");
  EXPECT_EQ(response_error("HTTP/1.1 200 OK\n"),
            "not an lvs-director response (first line does not start with LVSCTL/1)");
  EXPECT_EQ(response_error("LVSCTL/2 OK 0\n"),
            "the director speaks LVSCTL/2, this lvsadm LVSCTL/1 (use the lvsadm built with it)");
  EXPECT_EQ(response_error("LVSCTL/1 MAYBE\n"),
            "bad response status 'MAYBE' (expected OK or ERROR)");
  EXPECT_EQ(response_error("LVSCTL/1 OK x\n"), "bad record count 'x'");
  EXPECT_EQ(response_error("LVSCTL/1 OK -1\n"), "bad record count '-1'");
  EXPECT_EQ(response_error("LVSCTL/1 OK 2\ninfo size=1\n"), "response truncated: 1 of 2 records");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\ninfo size=1\ninfo size=2\n"),
            "response has more records than the 1 announced");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\ninfo size=1"),
            "response line 2: truncated (no newline at the end)");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\ninfo size=4096x\n"),
            "response line 2: bad value for size: '4096x'");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\ninfo size=99999999999\n"),
            "response line 2: bad value for size: '99999999999'");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\ninfo size\n"),
            "response line 2: expected key=value, got 'size'");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\n\n"), "response line 2: empty record");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\ndest 10.0.0.1:80 weight=1\n"),
            "response line 2: dest record before any service record");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\nservice tcp/10.0.0.1 scheduler=rr\n"),
            "response line 2: bad service key 'tcp/10.0.0.1' (expected tcp/IP:PORT, "
            "udp/IP:PORT or fwm/MARK)");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\nservice fwm/0 scheduler=rr\n"),
            "response line 2: bad service key 'fwm/0' (expected tcp/IP:PORT, udp/IP:PORT or "
            "fwm/MARK)");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\nservice tcp/10.0.0.1:80\n"),
            "response line 2: service tcp/10.0.0.1:80 has no scheduler");
  EXPECT_EQ(response_error("LVSCTL/1 OK 2\nservice tcp/10.0.0.1:80 scheduler=rr\n"
                           "dest 10.0.0.2:80 weight=heavy\n"),
            "response line 3: bad value for weight: 'heavy'");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\nconn tcp 1.1.1.1:1 2.2.2.2:2 3.3.3.3:3 X\n"),
            "response line 2: conn record needs: conn PROTO CLIENT VIRTUAL DEST STATE "
            "EXPIRES_MS");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\nconn sctp 1.1.1.1:1 2.2.2.2:2 3.3.3.3:3 X 1\n"),
            "response line 2: bad connection protocol 'sctp'");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\nconn tcp 1.1.1.1:1 2.2.2.2 3.3.3.3:3 X 1\n"),
            "response line 2: bad address in conn record");
  EXPECT_EQ(response_error("LVSCTL/1 OK 1\nconn tcp 1.1.1.1:1 2.2.2.2:2 3.3.3.3:3 X -5\n"),
            "response line 2: bad expiry '-5'");
}

TEST(ControlProtocol, UnknownKeysAndRecordsFromANewerDaemonAreSkipped) {
  auto decoded = decode_response(
      "LVSCTL/1 OK 3\n"
      "info size=8 colour=blue\n"
      "neighbour 10.0.0.2 lladdr 02:00:00:00:00:02\n"
      "service udp/10.0.0.1:53 scheduler=rr future=1\n");
  ASSERT_TRUE(std::holds_alternative<Snapshot>(decoded))
      << std::get<ProtocolError>(decoded).message;
  EXPECT_EQ(std::get<Snapshot>(decoded).table_size, 8u);
  ASSERT_EQ(std::get<Snapshot>(decoded).services.size(), 1u);
}

// Random bytes, and random corruptions of a valid response, never crash the decoders (ASan and
// UBSan builds of this test make "never" mean something).
TEST(ControlProtocol, GarbageNeverCrashes) {
  std::mt19937 rng(4);
  const std::string valid = encode_response(full_snapshot(), Command::list) +
                            encode_response(full_snapshot(), Command::list_connections);
  for (int round = 0; round < 5000; ++round) {
    std::string text = valid;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          text.erase(at, 1 + rng() % 20);
          break;
        default:
          text.insert(at, 1, " =\n/:,"[rng() % 6]);
      }
      if (text.empty()) text = "x";
    }
    (void)decode_response(text);
    (void)decode_request(text);
  }
}

}  // namespace
}  // namespace lvs::ctl
