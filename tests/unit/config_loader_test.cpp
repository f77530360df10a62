// The YAML loader: every value of DESIGN.md §3 reaches the model, defaults fill what is omitted,
// and every class of mistake is reported as "FILE:LINE:COL: key.path: message" (1-based, from
// yaml-cpp's 0-based marks), all of them at once, with no config returned.
//
// YAML is built from one string per line so that line and column numbers can be read off the
// test: line N is element N-1, and a column is the 1-based offset inside that string.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "config/loader.h"
#include "sched/scheduler.h"
#include "support/config_yaml.h"

namespace lvs::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string lines(const std::vector<std::string>& text) {
  std::string out;
  for (const auto& line : text) out += line + "\n";
  return out;
}

std::vector<std::string> director_errors(const std::vector<std::string>& text) {
  return test::load_errors(load_director_config_string(lines(text), "t.yaml"));
}

DirectorConfig director_ok(const std::vector<std::string>& text) {
  return test::loaded(load_director_config_string(lines(text), "t.yaml"));
}

std::vector<std::string> agent_errors(const std::vector<std::string>& text) {
  return test::load_errors(load_agent_config_string(lines(text), "a.yaml"));
}

// A valid one-service file; tests append to it or replace lines. Columns:
//   line 2 "  - tcp-service: 10.200.0.100:80"      value at col 18
//   line 4 "      - real-server: 10.200.0.11:80"   entry map at col 9, value at col 22
//   line 5 "        weight: 2"                      value at col 17
std::vector<std::string> base() {
  return {
      "services:",         "  - tcp-service: 10.200.0.100:80",
      "    real-servers:", "      - real-server: 10.200.0.11:80",
      "        weight: 2",
  };
}

std::vector<std::string> with(std::vector<std::string> text, const std::vector<std::string>& more) {
  text.insert(text.end(), more.begin(), more.end());
  return text;
}

// --- values reach the model -------------------------------------------------------------------

TEST(ConfigLoader, MinimalFileGetsEveryDefault) {
  DirectorConfig config = director_ok(base());
  const DirectorSettings defaults;
  EXPECT_EQ(config.director.interface, "eth0");
  EXPECT_EQ(config.director.queue_first, 0);
  EXPECT_EQ(config.director.queue_last, 0);
  EXPECT_EQ(config.director.control_socket, "/run/lvs/director.sock");
  EXPECT_EQ(config.director.metrics, "127.0.0.1:9469");
  EXPECT_EQ(config.director.vip_mode, VipMode::Managed);
  EXPECT_EQ(config.director.timeouts.tcp, 900u);
  EXPECT_EQ(config.director.timeouts.tcpfin, 120u);
  EXPECT_EQ(config.director.timeouts.udp, 300u);
  EXPECT_EQ(config.director.neighbour.gc_thresh3, 1024u);
  ASSERT_THAT(config.services, SizeIs(1));
  const ServiceConfig& svc = config.services[0];
  EXPECT_EQ(svc.key.to_string(), "tcp/10.200.0.100:80");
  EXPECT_EQ(svc.scheduler, "wlc");  // ipvsadm's default
  EXPECT_FALSE(svc.sched_fallback);
  EXPECT_FALSE(svc.sched_port);
  EXPECT_FALSE(svc.persistent.has_value());
  EXPECT_EQ(svc.netmask, 0xffffffffu);
  EXPECT_FALSE(svc.health_check.has_value());
  ASSERT_THAT(svc.real_servers, SizeIs(1));
  EXPECT_EQ(svc.real_servers[0].address, (Endpoint{0x0ac8000b, 80}));
  EXPECT_EQ(svc.real_servers[0].weight, 2);
  EXPECT_EQ(svc.real_servers[0].u_threshold, 0u);
  EXPECT_FALSE(svc.real_servers[0].mac.has_value());
}

TEST(ConfigLoader, EveryDirectorKeyReachesTheModel) {
  DirectorConfig config = director_ok({
      "director:",
      "  interface: veth-dir",
      "  queue: 2-5",
      "  control-socket: /tmp/lvs.sock",
      "  metrics: 0.0.0.0:9000",
      "  vip-mode: external",
      "  timeouts: {tcp: 600, tcpfin: 60, udp: 30}",
      "  neighbour:",
      "    base-reachable-time-ms: 15000",
      "    retrans-time-ms: 500",
      "    delay-first-probe-time-s: 3",
      "    ucast-solicit: 0",
      "    mcast-solicit: 5",
      "    unres-qlen: 7",
      "    gc-thresh1: 10",
      "    gc-thresh2: 20",
      "    gc-thresh3: 30",
      "    gc-stale-time-s: 90",
      "services:",
      "  - udp-service: 10.200.0.100:9000",
      "    scheduler: sh",
      "    scheduler-flags: [sh-fallback, sh-port]",
      "    persistent: 300",
      "    netmask: 255.255.255.0",
      "    health-check: {type: tcp, interval-s: 10, timeout-s: 4, rise: 5, fall: 6}",
      "    real-servers:",
      "      - real-server: 10.200.0.12",
      "        weight: 0",
      "        forwarding: gatewaying",
      "        mac: 02:00:00:00:00:0C",
      "        u-threshold: 100",
      "        l-threshold: 80",
      "  - fwmark-service: 4294967295",
      "    real-servers:",
      "      - real-server: 10.200.0.13:0",
      "      - real-server: 10.200.0.11",
  });
  const DirectorSettings& d = config.director;
  EXPECT_EQ(d.interface, "veth-dir");
  EXPECT_EQ(d.queue_first, 2);
  EXPECT_EQ(d.queue_last, 5);
  EXPECT_EQ(d.control_socket, "/tmp/lvs.sock");
  EXPECT_EQ(d.metrics, "0.0.0.0:9000");
  EXPECT_EQ(d.vip_mode, VipMode::External);
  EXPECT_EQ(d.timeouts.tcp, 600u);
  EXPECT_EQ(d.timeouts.tcpfin, 60u);
  EXPECT_EQ(d.timeouts.udp, 30u);
  EXPECT_EQ(d.neighbour.base_reachable_time_ms, 15000u);
  EXPECT_EQ(d.neighbour.retrans_time_ms, 500u);
  EXPECT_EQ(d.neighbour.delay_first_probe_time_s, 3u);
  EXPECT_EQ(d.neighbour.ucast_solicit, 0u);
  EXPECT_EQ(d.neighbour.mcast_solicit, 5u);
  EXPECT_EQ(d.neighbour.unres_qlen, 7u);
  EXPECT_EQ(d.neighbour.gc_thresh1, 10u);
  EXPECT_EQ(d.neighbour.gc_thresh2, 20u);
  EXPECT_EQ(d.neighbour.gc_thresh3, 30u);
  EXPECT_EQ(d.neighbour.gc_stale_time_s, 90u);

  ASSERT_THAT(config.services, SizeIs(2));
  const ServiceConfig& udp = config.services[0];
  EXPECT_EQ(udp.key.protocol, ServiceProtocol::Udp);
  EXPECT_EQ(udp.key.vip, (Endpoint{0x0ac80064, 9000}));
  EXPECT_EQ(udp.scheduler, "sh");
  EXPECT_TRUE(udp.sched_fallback);
  EXPECT_TRUE(udp.sched_port);
  EXPECT_EQ(udp.persistent, 300u);
  EXPECT_EQ(udp.netmask, 0xffffff00u);
  ASSERT_TRUE(udp.health_check.has_value());
  EXPECT_EQ(udp.health_check->type, "tcp");
  EXPECT_EQ(udp.health_check->interval_s, 10u);
  EXPECT_EQ(udp.health_check->timeout_s, 4u);
  EXPECT_EQ(udp.health_check->rise, 5u);
  EXPECT_EQ(udp.health_check->fall, 6u);
  ASSERT_THAT(udp.real_servers, SizeIs(1));
  const RealServerConfig& rs = udp.real_servers[0];
  EXPECT_EQ(rs.address, (Endpoint{0x0ac8000c, 9000}));  // omitted port = the service port
  EXPECT_EQ(rs.weight, 0);                              // quiesced is allowed
  EXPECT_EQ(rs.forwarding, Forwarding::Gatewaying);
  ASSERT_TRUE(rs.mac.has_value());
  EXPECT_EQ(*rs.mac, (MacAddress{0x02, 0, 0, 0, 0, 0x0c}));
  EXPECT_EQ(rs.u_threshold, 100u);
  EXPECT_EQ(rs.l_threshold, 80u);

  const ServiceConfig& fwm = config.services[1];
  EXPECT_EQ(fwm.key.protocol, ServiceProtocol::Fwmark);
  EXPECT_EQ(fwm.key.fwmark, 4294967295u);
  ASSERT_THAT(fwm.real_servers, SizeIs(2));  // file order kept
  EXPECT_EQ(fwm.real_servers[0].address, (Endpoint{0x0ac8000d, 0}));
  EXPECT_EQ(fwm.real_servers[1].address, (Endpoint{0x0ac8000b, 0}));
}

TEST(ConfigLoader, SingleQueueNumberIsARangeOfOne) {
  auto config = director_ok(with({"director:", "  queue: 7"}, base()));
  EXPECT_EQ(config.director.queue_first, 7);
  EXPECT_EQ(config.director.queue_last, 7);
}

TEST(ConfigLoader, HealthCheckDefaultsAndNone) {
  auto config = director_ok(with(base(), {"    health-check: {}"}));
  ASSERT_TRUE(config.services[0].health_check.has_value());
  EXPECT_EQ(config.services[0].health_check->interval_s, 2u);
  EXPECT_EQ(config.services[0].health_check->timeout_s, 1u);
  EXPECT_EQ(config.services[0].health_check->rise, 2u);
  EXPECT_EQ(config.services[0].health_check->fall, 3u);
  // "none" means the same as no health-check: consumers only test presence.
  config = director_ok(with(base(), {"    health-check: {type: none}"}));
  EXPECT_FALSE(config.services[0].health_check.has_value());
}

TEST(ConfigLoader, ServiceWithoutRealServersIsValid) {
  // As ipvsadm -A without -a: a service may be empty (servers come later by lvsadm -a).
  auto config = director_ok({"services:", "  - tcp-service: 10.200.0.100:80"});
  ASSERT_THAT(config.services, SizeIs(1));
  EXPECT_TRUE(config.services[0].real_servers.empty());
}

TEST(ConfigLoader, SameEndpointUnderTcpAndUdpIsTwoServices) {
  auto config = director_ok(
      {"services:", "  - tcp-service: 10.200.0.100:53", "  - udp-service: 10.200.0.100:53"});
  EXPECT_THAT(config.services, SizeIs(2));
}

TEST(ConfigLoader, PortZeroServiceWithPersistence) {
  auto config = director_ok({"services:", "  - tcp-service: 10.200.0.100:0", "    persistent: 60",
                             "    real-servers:", "      - real-server: 10.200.0.11"});
  EXPECT_EQ(config.services[0].real_servers[0].address.port, 0);
}

// --- the error format -------------------------------------------------------------------------

TEST(ConfigError, ToStringFormats) {
  ConfigError e{"lab.yaml", 12, 7, "services[0].real-servers[1].weight", "must be x"};
  EXPECT_EQ(e.to_string(), "lab.yaml:12:7: services[0].real-servers[1].weight: must be x");
  e.key_path.clear();
  EXPECT_EQ(e.to_string(), "lab.yaml:12:7: must be x");
  e.line = 0;
  EXPECT_EQ(e.to_string(), "lab.yaml: must be x");
}

// --- unparsable YAML, empty files -------------------------------------------------------------

TEST(ConfigLoaderErrors, SyntaxErrorCarriesLibyamlMark) {
  // libyaml stops at the dedented key on line 3, column 4 (0-based 2:3), and names the
  // collection it was parsing.
  EXPECT_THAT(director_errors({"services:", "  - tcp-service: 10.200.0.100:80", "   weight: 1"}),
              ElementsAre("t.yaml:3:4: YAML syntax error: did not find expected '-' indicator "
                          "(while parsing a block collection at line 2)"));
  EXPECT_THAT(director_errors({"services: a: b"}),
              ElementsAre("t.yaml:1:12: YAML syntax error: mapping values are not allowed in "
                          "this context"));
}

TEST(ConfigLoaderErrors, EmptyFiles) {
  const std::string expected =
      "t.yaml:1:1: the file is empty; expected a map with `services` (and optionally `director`)";
  EXPECT_THAT(director_errors({}), ElementsAre(expected));
  EXPECT_THAT(director_errors({"# nothing but a comment"}), ElementsAre(expected));
  EXPECT_THAT(director_errors({"---"}), ElementsAre(expected));
  EXPECT_THAT(agent_errors({}),
              ElementsAre("a.yaml:1:1: the file is empty; expected a map with `agent`"));
}

TEST(ConfigLoaderErrors, SecondDocumentIsRefused) {
  EXPECT_THAT(director_errors(with(base(), {"---", "services: []"})),
              ElementsAre("t.yaml:6:1: only one YAML document is allowed; remove the second "
                          "'---' document"));
}

TEST(ConfigLoaderErrors, TopLevelMustBeAMap) {
  EXPECT_THAT(director_errors({"- 1", "- 2"}),
              ElementsAre("t.yaml:1:1: must be a map, got a list"));
}

// --- unknown and duplicate keys ---------------------------------------------------------------

TEST(ConfigLoaderErrors, UnknownKeysAtEveryLevelWithSuggestion) {
  EXPECT_THAT(
      director_errors({
          "director:",
          "  interfce: eth0",
          "  neighbour: {gc-tresh1: 1}",
          "servics: []",
          "services:",
          "  - tcp-service: 10.200.0.100:80",
          "    sheduler: rr",
          "    health-check: {rize: 2}",
          "    real-server:",
          "      - real-server: 10.200.0.11:80",
          "    real-servers:",
          "      - real-server: 10.200.0.11:80",
          "        wieght: 1",
          "        colour: blue",
      }),
      ElementsAre(
          "t.yaml:2:3: director.interfce: unknown key 'interfce'; did you mean 'interface'?",
          "t.yaml:3:15: director.neighbour.gc-tresh1: unknown key 'gc-tresh1'; did you mean "
          "'gc-thresh1'?",
          "t.yaml:4:1: servics: unknown key 'servics'; did you mean 'services'?",
          "t.yaml:7:5: services[0].sheduler: unknown key 'sheduler'; did you mean 'scheduler'?",
          "t.yaml:8:20: services[0].health-check.rize: unknown key 'rize'; did you mean 'rise'?",
          "t.yaml:9:5: services[0].real-server: unknown key 'real-server'; did you mean "
          "'real-servers'?",
          "t.yaml:13:9: services[0].real-servers[0].wieght: unknown key 'wieght'; did you mean "
          "'weight'?",
          "t.yaml:14:9: services[0].real-servers[0].colour: unknown key 'colour'; known keys "
          "here: real-server weight forwarding mac u-threshold l-threshold"));
}

TEST(ConfigLoaderErrors, DuplicateYamlKeysAreReported) {
  // yaml-cpp 0.7 keeps both entries of a repeated key without complaint; the loader does not.
  EXPECT_THAT(director_errors(with(base(), {"        weight: 3"})),
              ElementsAre("t.yaml:6:9: services[0].real-servers[0].weight: duplicate key 'weight' "
                          "(first given at line 5); each key may appear once"));
  EXPECT_THAT(director_errors(with(base(), {"services: []"})),
              ElementsAre("t.yaml:6:1: services: duplicate key 'services' (first given at line "
                          "1); each key may appear once"));
}

// --- wrong types ------------------------------------------------------------------------------

TEST(ConfigLoaderErrors, IntegerSyntaxIsStrict) {
  auto weight = [](const std::string& value) {
    auto text = base();
    text[4] = "        weight: " + value;
    return director_errors(text);
  };
  const std::string at = "t.yaml:5:17: services[0].real-servers[0].weight: ";
  EXPECT_THAT(weight("x"), ElementsAre(at + "must be an integer 0..65535, got \"x\""));
  EXPECT_THAT(weight("true"),
              ElementsAre(at + "must be an integer 0..65535, got \"true\" (a boolean)"));
  EXPECT_THAT(weight("1.5"),
              ElementsAre(at + "must be an integer 0..65535, got \"1.5\" (not a whole number)"));
  EXPECT_THAT(weight("1e3"),
              ElementsAre(at + "must be an integer 0..65535, got \"1e3\" (not a whole number)"));
  EXPECT_THAT(weight("-1"), ElementsAre(at + "must be an integer 0..65535, got \"-1\" (negative)"));
  EXPECT_THAT(weight("+1"), ElementsAre(at + "must be an integer 0..65535, got \"+1\" (write it "
                                             "without a sign)"));
  EXPECT_THAT(weight("0x10"),
              ElementsAre(at + "must be an integer 0..65535, got \"0x10\" (write it in decimal)"));
  EXPECT_THAT(weight("010"), ElementsAre(at + "must be an integer 0..65535, got \"010\" (leading "
                                              "zeros are not allowed)"));
  EXPECT_THAT(weight("\"5\""), ElementsAre(at + "must be an integer 0..65535, got \"5\" (quoted: "
                                                "write the number without quotes)"));
  EXPECT_THAT(weight("65536"),
              ElementsAre(at + "must be an integer 0..65535, got \"65536\" (out of range)"));
  // Larger than any 64-bit integer: overflow is out of range, not wrapped.
  EXPECT_THAT(weight("99999999999999999999999"),
              ElementsAre(at + "must be an integer 0..65535, got \"99999999999999999999999\" (out "
                               "of range)"));
  EXPECT_THAT(weight("[1]"), ElementsAre(at + "must be an integer 0..65535, got a list"));
  EXPECT_THAT(weight("{a: 1}"), ElementsAre(at + "must be an integer 0..65535, got a map"));
}

TEST(ConfigLoaderErrors, EmptyValuePointsAtItsKey) {
  auto text = base();
  text[4] = "        weight:";
  EXPECT_THAT(director_errors(text),
              ElementsAre("t.yaml:5:9: services[0].real-servers[0].weight: must be an integer "
                          "0..65535, got nothing"));
}

TEST(ConfigLoaderErrors, StructureTypes) {
  EXPECT_THAT(director_errors({"director: eth0", "services: {a: 1}"}),
              ElementsAre("t.yaml:1:11: director: must be a map, got \"eth0\"",
                          "t.yaml:2:11: services: must be a list, got a map"));
  EXPECT_THAT(director_errors({"services:", "  - 10.200.0.100:80"}),
              ElementsAre("t.yaml:2:5: services[0]: must be a map, got \"10.200.0.100:80\""));
  EXPECT_THAT(director_errors({"services:", "  - tcp-service: [10.200.0.100:80]"}),
              ElementsAre("t.yaml:2:18: services[0].tcp-service: must be a non-empty string, got "
                          "a list"));
  EXPECT_THAT(director_errors({"director:", "  interface: {name: eth0}", "  timeouts: 5",
                               "services:", "  - tcp-service: 10.200.0.100:80",
                               "    real-servers: 10.200.0.11:80"}),
              ElementsAre("t.yaml:2:14: director.interface: must be an interface name like eth0, "
                          "got a map",
                          "t.yaml:3:13: director.timeouts: must be a map, got \"5\"",
                          "t.yaml:6:19: services[0].real-servers: must be a list, got "
                          "\"10.200.0.11:80\""));
}

// --- out-of-range values ----------------------------------------------------------------------

TEST(ConfigLoaderErrors, OutOfRange) {
  EXPECT_THAT(
      director_errors({
          "director:",
          "  timeouts: {tcp: 0, udp: 2678401}",
          "  neighbour: {mcast-solicit: 0, retrans-time-ms: 9, gc-thresh3: 0}",
          "services:",
          "  - tcp-service: 10.200.0.100:80",
          "    persistent: 0",
          "    health-check: {interval-s: 3601, rise: 0}",
          "    real-servers:",
          "      - real-server: 10.200.0.11:80",
          "        u-threshold: 2147483648",
      }),
      ElementsAre(
          "t.yaml:2:19: director.timeouts.tcp: must be an integer 1..2678400, got \"0\" (out of "
          "range)",
          "t.yaml:2:27: director.timeouts.udp: must be an integer 1..2678400, got \"2678401\" "
          "(out of range)",
          "t.yaml:3:30: director.neighbour.mcast-solicit: must be an integer 1..32, got \"0\" "
          "(out of range)",
          "t.yaml:3:50: director.neighbour.retrans-time-ms: must be an integer 10..60000, got "
          "\"9\" (out of range)",
          "t.yaml:3:65: director.neighbour.gc-thresh3: must be an integer 1..1048576, got \"0\" "
          "(out of range)",
          "t.yaml:6:17: services[0].persistent: must be an integer 1..2678400, got \"0\" (out of "
          "range)",
          "t.yaml:7:32: services[0].health-check.interval-s: must be an integer 1..3600, got "
          "\"3601\" (out of range)",
          "t.yaml:7:44: services[0].health-check.rise: must be an integer 1..100, got \"0\" (out "
          "of range)",
          "t.yaml:10:22: services[0].real-servers[0].u-threshold: must be an integer "
          "0..2147483647, got \"2147483648\" (out of range)"));
}

TEST(ConfigLoaderErrors, QueueNumberOrRange) {
  auto queue = [](const std::string& value) {
    return director_errors(with({"director:", "  queue: " + value}, base()));
  };
  const std::string at =
      "t.yaml:2:10: director.queue: must be a queue number 0..65535 or a "
      "range \"A-B\" with A <= B, got ";
  EXPECT_THAT(queue("3-1"), ElementsAre(at + "\"3-1\""));
  EXPECT_THAT(queue("65536"), ElementsAre(at + "\"65536\""));
  EXPECT_THAT(queue("0-65536"), ElementsAre(at + "\"0-65536\""));
  EXPECT_THAT(queue("-1"), ElementsAre(at + "\"-1\""));
  EXPECT_THAT(queue("a-b"), ElementsAre(at + "\"a-b\""));
  EXPECT_THAT(queue("[0, 1]"), ElementsAre(at + "a list"));
  EXPECT_EQ(director_ok(with({"director:", "  queue: 65535-65535"}, base())).director.queue_first,
            65535);
}

TEST(ConfigLoaderErrors, NeighbourThresholdsMustBeOrdered) {
  // gc-thresh2 written below the default gc-thresh1 (128): gc-thresh2 is blamed.
  EXPECT_THAT(director_errors(with({"director:", "  neighbour: {gc-thresh2: 100}"}, base())),
              ElementsAre("t.yaml:2:27: director.neighbour.gc-thresh2: gc-thresh1 (128) must not "
                          "exceed gc-thresh2 (100)"));
  // gc-thresh2 written above the default gc-thresh3 (1024): only it was written, so it is blamed
  // and the message says the other value is the default.
  EXPECT_THAT(director_errors(with({"director:", "  neighbour: {gc-thresh2: 2000}"}, base())),
              ElementsAre("t.yaml:2:27: director.neighbour.gc-thresh2: gc-thresh2 (2000) must not "
                          "exceed gc-thresh3 (1024, the default)"));
}

TEST(ConfigLoaderErrors, HealthCheckTimeoutAboveInterval) {
  EXPECT_THAT(director_errors(with(base(), {"    health-check: {interval-s: 2, timeout-s: 3}"})),
              ElementsAre("t.yaml:6:46: services[0].health-check.timeout-s: timeout-s (3) must "
                          "not exceed interval-s (2)"));
  // Only interval-s written, below the default timeout-s (1)? Impossible (min 1); but an
  // interval of 1 with the default timeout of 1 is fine.
  director_ok(with(base(), {"    health-check: {interval-s: 1}"}));
}

// --- addresses --------------------------------------------------------------------------------

TEST(ConfigLoaderErrors, BadAddressesPortsMacsNetmasks) {
  EXPECT_THAT(
      director_errors({
          "director:",
          "  metrics: 127.0.0.1",
          "  control-socket: run/lvs.sock",
          "  interface: a/b",
          "services:",
          "  - tcp-service: 10.200.0.300:80",
          "  - tcp-service: 10.200.0.100:65536",
          "  - udp-service: 10.200.0.100",
          "  - tcp-service: 224.0.0.1:80",
          "    netmask: 255.0.255.0",
          "    real-servers:",
          "      - real-server: 10.200.0.1x:80",
          "        mac: 02:00:00:00:00",
          "      - real-server: 10.200.0.12:80",
          "        mac: 01:00:5e:00:00:01",
          "      - real-server: 0.0.0.0",
      }),
      ElementsAre(
          "t.yaml:2:12: director.metrics: must be IPV4:PORT like 127.0.0.1:9469 (port 1..65535), "
          "got \"127.0.0.1\"",
          "t.yaml:3:19: director.control-socket: must be an absolute path of at most 107 bytes "
          "(a unix socket path), got \"run/lvs.sock\"",
          "t.yaml:4:14: director.interface: must be an interface name (1..15 characters, no '/', "
          "':' or spaces, not . or ..), got \"a/b\"",
          "t.yaml:6:18: services[0].tcp-service: must be VIP:PORT like 10.200.0.100:80, got "
          "\"10.200.0.300:80\"",
          "t.yaml:7:18: services[1].tcp-service: must be VIP:PORT like 10.200.0.100:80, got "
          "\"10.200.0.100:65536\"",
          "t.yaml:8:18: services[2].udp-service: must be VIP:PORT like 10.200.0.100:80, got "
          "\"10.200.0.100\" (the port is required)",
          "t.yaml:9:18: services[3].tcp-service: the VIP must be a unicast IPv4 address (not "
          "0.0.0.0/8, multicast or broadcast), got \"224.0.0.1:80\"",
          "t.yaml:10:14: services[3].netmask: must be a contiguous netmask (ones from the top, "
          "like 255.255.255.0), got \"255.0.255.0\"",
          "t.yaml:12:22: services[3].real-servers[0].real-server: must be IP or IP:PORT like "
          "10.200.0.11:80, got \"10.200.0.1x:80\"",
          "t.yaml:13:14: services[3].real-servers[0].mac: must be a MAC address like "
          "02:00:00:00:00:0b, got \"02:00:00:00:00\"",
          "t.yaml:15:14: services[3].real-servers[1].mac: must be a unicast MAC address (not "
          "all-zero, multicast or broadcast), got \"01:00:5e:00:00:01\"",
          "t.yaml:16:22: services[3].real-servers[2].real-server: must be a unicast IPv4 address "
          "(not 0.0.0.0/8, multicast or broadcast), got \"0.0.0.0\""));
}

TEST(ConfigLoaderErrors, RealServerPortMustMatchUnderGatewaying) {
  auto text = base();
  text[3] = "      - real-server: 10.200.0.11:8080";
  EXPECT_THAT(director_errors(text),
              ElementsAre("t.yaml:4:22: services[0].real-servers[0].real-server: port 8080 "
                          "differs from the service port 80; gatewaying (direct routing) cannot "
                          "change the port: write 10.200.0.11:80 or omit the port"));
  // An explicit :0 is a port too, and it is not 80.
  text[3] = "      - real-server: 10.200.0.11:0";
  EXPECT_THAT(director_errors(text), ElementsAre(HasSubstr("port 0 differs from the service port "
                                                           "80")));
}

TEST(ConfigLoaderErrors, FwmarkRealServersHaveNoPort) {
  EXPECT_THAT(director_errors({"services:", "  - fwmark-service: 1",
                               "    real-servers:", "      - real-server: 10.200.0.11:80"}),
              ElementsAre("t.yaml:4:22: services[0].real-servers[0].real-server: a fwmark service "
                          "has no port: write the address alone (10.200.0.11) or with :0"));
  EXPECT_THAT(director_errors({"services:", "  - fwmark-service: 0"}),
              ElementsAre("t.yaml:2:21: services[0].fwmark-service: must be an integer "
                          "1..4294967295, got \"0\" (out of range)"));
}

TEST(ConfigLoaderErrors, PortZeroNeedsPersistence) {
  EXPECT_THAT(director_errors({"services:", "  - tcp-service: 10.200.0.100:0"}),
              ElementsAre("t.yaml:2:18: services[0].tcp-service: port 0 (all ports) needs "
                          "`persistent` (as ipvsadm: zero port specified for non-persistent "
                          "service)"));
}

TEST(ConfigLoaderErrors, TcpHealthCheckNeedsAPort) {
  EXPECT_THAT(
      director_errors({"services:", "  - fwmark-service: 7", "    health-check: {type: tcp}"}),
      ElementsAre("t.yaml:3:26: services[0].health-check.type: a tcp health check "
                  "connects to the service port, and this service has none (fwmark or "
                  "port 0); use type: none"));
  // No type written: the default (tcp) is the problem; point at the health-check map.
  EXPECT_THAT(director_errors({"services:", "  - fwmark-service: 7", "    health-check: {}"}),
              ElementsAre(HasSubstr("t.yaml:3:19: services[0].health-check: a tcp health check")));
}

// --- scheduler and flags ----------------------------------------------------------------------

TEST(ConfigLoaderErrors, UnknownSchedulers) {
  EXPECT_THAT(director_errors(with(base(), {"    scheduler: wrrr"})),
              ElementsAre("t.yaml:6:16: services[0].scheduler: unknown scheduler 'wrrr' (known: "
                          "rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos); did you mean "
                          "'wrr'?"));
  EXPECT_THAT(director_errors(with(base(), {"    scheduler: RR"})),
              ElementsAre(HasSubstr("unknown scheduler 'RR'")));  // names are case-sensitive
}

// Every name mainline IPVS ships is accepted, and the config's list is the scheduler factory's
// (both in ipvsadm's order): a scheduler added to one and not the other fails here.
TEST(ConfigLoader, AcceptsAllFourteenSchedulersOfTheFactory) {
  const auto names = scheduler_names();
  ASSERT_EQ(names.size(), 14u);
  for (std::string_view name : names) {
    const DirectorConfig config =
        director_ok(with(base(), {"    scheduler: " + std::string(name)}));
    ASSERT_THAT(config.services, SizeIs(1));
    EXPECT_EQ(config.services[0].scheduler, name);
  }
}

TEST(ConfigLoaderErrors, SchedulerFlags) {
  EXPECT_THAT(director_errors(with(base(), {"    scheduler: sh",
                                            "    scheduler-flags: [sh-port, sh-prot, sh-port]"})),
              ElementsAre("t.yaml:7:32: services[0].scheduler-flags[1]: must be one of "
                          "sh-fallback sh-port mh-fallback mh-port, got \"sh-prot\"; did you "
                          "mean 'sh-port'?",
                          "t.yaml:7:41: services[0].scheduler-flags[2]: flag sh-port is listed "
                          "twice (sh-port and mh-port are one bit)"));
  EXPECT_THAT(
      director_errors(with(base(), {"    scheduler: wlc", "    scheduler-flags: [sh-fallback]"})),
      ElementsAre("t.yaml:7:23: services[0].scheduler-flags[0]: scheduler flag sh-fallback "
                  "applies only to the sh scheduler; this service uses 'wlc'"));
  // The default scheduler (wlc) counts as neither sh nor mh.
  EXPECT_THAT(director_errors(with(base(), {"    scheduler-flags: [mh-port]"})),
              ElementsAre(HasSubstr("mh-port applies only to the mh scheduler; this service "
                                    "uses 'wlc'")));
  // Each scheduler's own names only: ipvsadm's parse_sched_flags() refuses sh-* under mh.
  EXPECT_THAT(director_errors(with(
                  base(), {"    scheduler: mh", "    scheduler-flags: [sh-port, mh-fallback]"})),
              ElementsAre(HasSubstr("sh-port applies only to the sh scheduler; this service "
                                    "uses 'mh'")));
  // One bit under two names is still one bit.
  EXPECT_THAT(director_errors(
                  with(base(), {"    scheduler: mh", "    scheduler-flags: [mh-port, sh-port]"})),
              ElementsAre(HasSubstr("flag sh-port is listed twice (sh-port and mh-port are one "
                                    "bit)"),
                          HasSubstr("sh-port applies only to the sh scheduler")));
}

TEST(ConfigLoader, MhFlagsSetTheSameBitsAsShFlags) {
  std::vector<std::string> lines =
      with(base(), {"    scheduler: mh", "    scheduler-flags: [mh-fallback, mh-port]"});
  const DirectorConfig config = director_ok(lines);
  ASSERT_THAT(config.services, SizeIs(1));
  EXPECT_EQ(config.services[0].scheduler, "mh");
  EXPECT_TRUE(config.services[0].sched_fallback);
  EXPECT_TRUE(config.services[0].sched_port);
}

// --- duplicates and cross-field rules ---------------------------------------------------------

TEST(ConfigLoaderErrors, DuplicateService) {
  EXPECT_THAT(director_errors(with(base(), {"  - tcp-service: 10.200.0.100:80",
                                            "  - fwmark-service: 3", "  - fwmark-service: 3"})),
              ElementsAre("t.yaml:6:18: services[1].tcp-service: duplicate service "
                          "tcp/10.200.0.100:80 (first defined at services[0], line 2)",
                          "t.yaml:8:21: services[3].fwmark-service: duplicate service fwm/3 "
                          "(first defined at services[2], line 7)"));
}

TEST(ConfigLoaderErrors, DuplicateRealServerIncludingOmittedPort) {
  // "10.200.0.11" means 10.200.0.11:80 here, so it repeats the first entry.
  EXPECT_THAT(director_errors(with(base(), {"      - real-server: 10.200.0.12:80",
                                            "      - real-server: 10.200.0.11"})),
              ElementsAre("t.yaml:7:22: services[0].real-servers[2].real-server: duplicate real "
                          "server 10.200.0.11:80 in this service (first at "
                          "services[0].real-servers[0].real-server, line 4)"));
}

TEST(ConfigLoaderErrors, ExactlyOneServiceKey) {
  EXPECT_THAT(director_errors({"services:", "  - scheduler: rr"}),
              ElementsAre("t.yaml:2:5: services[0]: needs exactly one of tcp-service, "
                          "udp-service or fwmark-service"));
  EXPECT_THAT(director_errors({"services:", "  - udp-service: 10.200.0.100:53",
                               "    tcp-service: 10.200.0.100:53"}),
              ElementsAre("t.yaml:3:5: services[0].tcp-service: a service has exactly one of "
                          "tcp-service, udp-service or fwmark-service; this one already has "
                          "udp-service (line 2)"));
}

TEST(ConfigLoaderErrors, LowerThresholdAboveUpper) {
  EXPECT_THAT(director_errors(with(base(), {"        u-threshold: 10", "        l-threshold: 11"})),
              ElementsAre("t.yaml:7:22: services[0].real-servers[0].l-threshold: l-threshold (11) "
                          "must not exceed u-threshold (10)"));
  // as the kernel: checked even when u-threshold is 0 (no limit).
  EXPECT_THAT(
      director_errors(with(base(), {"        l-threshold: 5"})),
      ElementsAre("t.yaml:6:22: services[0].real-servers[0].l-threshold: l-threshold (5) "
                  "must not exceed u-threshold (0, i.e. no limit: leave l-threshold at 0)"));
  director_ok(with(base(), {"        u-threshold: 10", "        l-threshold: 10"}));
}

TEST(ConfigLoaderErrors, ForwardingMethods) {
  EXPECT_THAT(director_errors(with(base(), {"        forwarding: masquerading"})),
              ElementsAre("t.yaml:6:21: services[0].real-servers[0].forwarding: only gatewaying "
                          "(direct routing) is supported, got \"masquerading\""));
  EXPECT_THAT(director_errors(with(base(), {"        forwarding: gatewaing"})),
              ElementsAre("t.yaml:6:21: services[0].real-servers[0].forwarding: must be "
                          "gatewaying (direct routing), got \"gatewaing\"; did you mean "
                          "'gatewaying'?"));
}

TEST(ConfigLoaderErrors, VipModeSuggestsTheNearestChoice) {
  EXPECT_THAT(director_errors(with({"director:", "  vip-mode: externel"}, base())),
              ElementsAre("t.yaml:2:13: director.vip-mode: must be one of managed external, got "
                          "\"externel\"; did you mean 'external'?"));
}

// --- required keys ----------------------------------------------------------------------------

TEST(ConfigLoaderErrors, MissingRequiredKeysPointAtTheParentMap) {
  EXPECT_THAT(director_errors({"director:", "  interface: eth0"}),
              ElementsAre("t.yaml:1:1: services: required key is missing"));
  EXPECT_THAT(director_errors({"services:", "  - tcp-service: 10.200.0.100:80",
                               "    real-servers:", "      - weight: 2"}),
              ElementsAre("t.yaml:4:9: services[0].real-servers[0].real-server: required key is "
                          "missing"));
  EXPECT_THAT(director_errors({"services: []"}),
              ElementsAre("t.yaml:1:11: services: must list at least one service"));
}

// --- all errors at once, nothing partial ------------------------------------------------------

TEST(ConfigLoaderErrors, CollectsEveryErrorInDocumentOrder) {
  auto errors = director_errors({
      "director:",
      "  vip-mode: sometimes",
      "services:",
      "  - tcp-service: 10.200.0.100:80",
      "    scheduler: fastest",
      "    real-servers:",
      "      - real-server: 10.200.0.11:80",
      "        weight: heavy",
      "      - real-server: 10.200.0.12:81",
  });
  ASSERT_THAT(errors, SizeIs(4));
  EXPECT_THAT(errors[0], HasSubstr("t.yaml:2:13: director.vip-mode:"));
  EXPECT_THAT(errors[1], HasSubstr("t.yaml:5:16: services[0].scheduler:"));
  EXPECT_THAT(errors[2], HasSubstr("t.yaml:8:17: services[0].real-servers[0].weight:"));
  EXPECT_THAT(errors[3], HasSubstr("t.yaml:9:22: services[0].real-servers[1].real-server: port "
                                   "81 differs"));
}

// --- files ------------------------------------------------------------------------------------

TEST(ConfigLoaderFiles, MissingFileNamesPathAndStrerror) {
  const std::string path = "/nonexistent-dir/lvs.yaml";
  EXPECT_THAT(test::load_errors(load_director_config_file(path)),
              ElementsAre(path + ": " + std::strerror(ENOENT)));
  EXPECT_THAT(test::load_errors(load_agent_config_file("/")),
              ElementsAre("/: not a regular file (a directory)"));
}

TEST(ConfigLoaderFiles, ErrorsNameTheFilePath) {
  const std::string path = ::testing::TempDir() + "config_loader_test.yaml";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("services:\n  - tcp-service: 10.200.0.100:80\n    schedular: rr\n", f);
  std::fclose(f);
  auto result = load_director_config_file(path);
  std::remove(path.c_str());
  EXPECT_THAT(test::load_errors(result),
              ElementsAre(path + ":3:5: services[0].schedular: unknown key 'schedular'; did you "
                                 "mean 'scheduler'?"));
}

// --- agent ------------------------------------------------------------------------------------

TEST(AgentConfigLoader, ValuesAndDefaults) {
  const AgentConfig agent = test::loaded(load_agent_config_string(
      lines({"agent:", "  vips: [10.200.0.100, 10.200.0.101]", "  arp-announce: 1"}), "a.yaml"));
  ASSERT_FALSE(HasFailure()) << "the configuration loads";
  EXPECT_EQ(agent.vips, (std::vector<Ipv4>{0x0ac80064, 0x0ac80065}));
  EXPECT_EQ(agent.vip_device, "lo");
  EXPECT_EQ(agent.interfaces, (std::vector<std::string>{"eth0"}));
  EXPECT_EQ(agent.arp_ignore, 1u);
  EXPECT_EQ(agent.arp_announce, 1u);
  EXPECT_EQ(agent.check_interval_s, 5u);
  EXPECT_EQ(agent.metrics, "127.0.0.1:9470");
}

TEST(AgentConfigLoader, Errors) {
  EXPECT_THAT(agent_errors({"agent:", "  vip-device: lo"}),
              ElementsAre("a.yaml:2:3: agent.vips: required key is missing"));
  EXPECT_THAT(agent_errors({"agent:", "  vips: []"}),
              ElementsAre("a.yaml:2:9: agent.vips: must list at least one VIP"));
  EXPECT_THAT(agent_errors({"vips: [10.200.0.100]"}),
              ElementsAre("a.yaml:1:1: vips: unknown key 'vips'; known keys here: agent",
                          "a.yaml:1:1: agent: required key is missing"));
  EXPECT_THAT(
      agent_errors({"agent:", "  vips: [10.200.0.100, 10.200.0.100, 300.1.1.1]",
                    "  interfaces: [eth0, eth0]", "  arp-ignore: 9", "  arp_announce: 2",
                    "  check-interval-s: 0", "  metrics: localhost:9470"}),
      ElementsAre(
          "a.yaml:2:24: agent.vips[1]: duplicate VIP 10.200.0.100 (first at agent.vips[0])",
          "a.yaml:2:38: agent.vips[2]: must be an IPv4 address like 10.200.0.100, got "
          "\"300.1.1.1\"",
          "a.yaml:3:22: agent.interfaces[1]: duplicate interface eth0",
          "a.yaml:4:15: agent.arp-ignore: must be an integer 0..8, got \"9\" (out of range)",
          "a.yaml:5:3: agent.arp_announce: unknown key 'arp_announce'; did you mean "
          "'arp-announce'?",
          "a.yaml:6:21: agent.check-interval-s: must be an integer 1..3600, got \"0\" (out "
          "of range)",
          "a.yaml:7:12: agent.metrics: must be IPV4:PORT like 127.0.0.1:9469 (port "
          "1..65535), got \"localhost:9470\""));
}

}  // namespace
}  // namespace lvs::config
