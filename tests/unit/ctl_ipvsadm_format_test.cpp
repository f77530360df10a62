// Golden tests for lvsadm's listings. The expected text is written by hand from ipvsadm.c's
// printf formats (print_title, print_service_entry, print_largenum, list_conn/print_conn) and
// libipvs's sort order, column by column; trailing spaces are part of ipvsadm's output (the
// last "%-10u" column pads) and are kept.
#include <gtest/gtest.h>

#include "ctl/ipvsadm_format.h"

namespace lvs::ctl {
namespace {

Endpoint ep(const char* text) { return *parse_endpoint(text); }

// ipvsadm's first line (the table size is the default's), then print_title() for the default
// view and for --stats: every listing starts with them.
const std::string kVersion = "IP Virtual Server version 1.2.1 (size=4096)\n";
const std::string kListTitle =
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
const std::string kStatsTitle =
    "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
    "  -> RemoteAddress:Port\n";

DestinationSnapshot dest(const char* addr, int weight, unsigned active, unsigned inactive) {
  DestinationSnapshot d;
  d.address = ep(addr);
  d.weight = weight;
  d.active_conns = active;
  d.inactive_conns = inactive;
  return d;
}

ServiceSnapshot tcp80() {
  ServiceSnapshot s;
  s.key = {config::ServiceProtocol::Tcp, ep("10.200.0.100:80"), 0};
  s.scheduler = "wlc";
  // The daemon's list order (reverse of the config file); ipvsadm sorts by address.
  s.destinations = {dest("10.200.0.13:80", 1, 2, 0), dest("10.200.0.11:80", 3, 12, 4),
                    dest("10.200.0.12:80", 2, 7, 1)};
  return s;
}

// Four services given out of order: ipvsadm prints TCP :80, TCP :443, UDP :53, then FWM 1.
Snapshot lab_snapshot() {
  Snapshot snap;
  ServiceSnapshot fwm;
  fwm.key = {config::ServiceProtocol::Fwmark, {}, 1};
  fwm.scheduler = "wlc";
  fwm.destinations = {dest("10.200.0.11:0", 1, 0, 0)};

  ServiceSnapshot udp;
  udp.key = {config::ServiceProtocol::Udp, ep("10.200.0.100:53"), 0};
  udp.scheduler = "rr";
  udp.destinations = {dest("10.200.0.13:53", 1, 0, 5)};

  ServiceSnapshot https;
  https.key = {config::ServiceProtocol::Tcp, ep("10.200.0.100:443"), 0};
  https.scheduler = "sh";
  https.sched_port = true;
  https.persistent = true;
  https.persistent_timeout_s = 300;
  https.netmask = *parse_ipv4("255.255.255.0");
  https.destinations = {dest("10.200.0.11:443", 1, 0, 0)};

  snap.services = {fwm, udp, https, tcp80()};
  return snap;
}

TEST(IpvsadmFormat, ListNumeric) {
  const std::string expected =
      kVersion + kListTitle +
      "TCP  10.200.0.100:80 wlc\n"
      "  -> 10.200.0.11:80               Route   3      12         4         \n"
      "  -> 10.200.0.12:80               Route   2      7          1         \n"
      "  -> 10.200.0.13:80               Route   1      2          0         \n"
      "TCP  10.200.0.100:443 sh (sh-port) persistent 300 mask 255.255.255.0\n"
      "  -> 10.200.0.11:443              Route   1      0          0         \n"
      "UDP  10.200.0.100:53 rr\n"
      "  -> 10.200.0.13:53               Route   1      0          5         \n"
      "FWM  1 wlc\n"
      "  -> 10.200.0.11:0                Route   1      0          0         \n";
  EXPECT_EQ(format_listing(lab_snapshot(), {}), expected);
}

TEST(IpvsadmFormat, DeadHostGetsATrailingMarkerAndKeepsTheColumns) {
  Snapshot snap;
  ServiceSnapshot s = tcp80();
  s.destinations[1].dead = true;  // 10.200.0.11: its neighbour entry is FAILED
  snap.services = {s};
  const std::string expected =
      kVersion + kListTitle +
      "TCP  10.200.0.100:80 wlc\n"
      "  -> 10.200.0.11:80               Route   3      12         4          dead\n"
      "  -> 10.200.0.12:80               Route   2      7          1         \n"
      "  -> 10.200.0.13:80               Route   1      2          0         \n";
  EXPECT_EQ(format_listing(snap, {}), expected);
}

TEST(IpvsadmFormat, NoSortKeepsTheDaemonsOrder) {
  Snapshot snap;
  snap.services = {tcp80()};
  ListFormat format;
  format.sort = false;
  const std::string expected =
      kVersion + kListTitle +
      "TCP  10.200.0.100:80 wlc\n"
      "  -> 10.200.0.13:80               Route   1      2          0         \n"
      "  -> 10.200.0.11:80               Route   3      12         4         \n"
      "  -> 10.200.0.12:80               Route   2      7          1         \n";
  EXPECT_EQ(format_listing(snap, format), expected);
}

TEST(IpvsadmFormat, PersistentWithHostMaskPrintsNoMask) {
  ServiceSnapshot s = tcp80();
  s.persistent = true;
  s.persistent_timeout_s = 3600;
  s.destinations.clear();
  EXPECT_EQ(format_service(s, {}), kListTitle + "TCP  10.200.0.100:80 wlc persistent 3600\n");
}

// print_sched_flags(): the kernel keeps the two bits whatever the scheduler; ipvsadm names them
// sh-* under sh, mh-* under mh and flag-1/flag-2 under any other.
TEST(IpvsadmFormat, SchedulerFlagsUnderEachSchedulersOwnNames) {
  ServiceSnapshot s = tcp80();
  s.destinations.clear();
  s.sched_fallback = true;
  s.sched_port = true;
  s.scheduler = "sh";
  EXPECT_EQ(format_service(s, {}), kListTitle + "TCP  10.200.0.100:80 sh (sh-fallback,sh-port)\n");
  s.scheduler = "mh";
  EXPECT_EQ(format_service(s, {}), kListTitle + "TCP  10.200.0.100:80 mh (mh-fallback,mh-port)\n");
  s.scheduler = "wlc";
  EXPECT_EQ(format_service(s, {}), kListTitle + "TCP  10.200.0.100:80 wlc (flag-1,flag-2)\n");
  s.scheduler = "mh";
  s.sched_fallback = false;
  EXPECT_EQ(format_service(s, {}), kListTitle + "TCP  10.200.0.100:80 mh (mh-port)\n");
  s.sched_port = false;
  s.sched_fallback = true;
  EXPECT_EQ(format_service(s, {}), kListTitle + "TCP  10.200.0.100:80 mh (mh-fallback)\n");
}

TEST(IpvsadmFormat, WeightZeroAndNegativeColumnsKeepTheirWidth) {
  ServiceSnapshot s = tcp80();
  s.destinations = {dest("10.200.0.11:80", 0, 1234567890u, 0)};
  EXPECT_EQ(format_service(s, {}),
            kListTitle +
                "TCP  10.200.0.100:80 wlc\n"
                "  -> 10.200.0.11:80               Route   0      1234567890 0         \n");
}

Snapshot stats_snapshot() {
  Snapshot snap;
  ServiceSnapshot s = tcp80();
  s.destinations = {s.destinations[1], s.destinations[2]};  // .11 and .12
  s.stats = {1234, 123456789, 0, 98765432109ULL, 0};
  s.rates = {25, 100000000, 0, 99999999, 0};
  s.destinations[0].stats = {1000, 99999999, 0, 123456789012345ULL, 0};
  s.destinations[0].rates = {12, 450, 0, 5000000000000ULL, 0};
  s.destinations[1].stats = {234, 100000000, 0, 5000000000000ULL, 0};
  s.destinations[1].rates = {13, 999999999, 0, 1000000000, 0};
  snap.services = {s};
  return snap;
}

TEST(IpvsadmFormat, StatsAbbreviatesLargeNumbers) {
  ListFormat format;
  format.view = ListView::stats;
  const std::string expected =
      kVersion + kStatsTitle +
      "TCP  10.200.0.100:80                  1234  123456K        0   98765M        0\n"
      "  -> 10.200.0.11:80                   1000 99999999        0     123T        0\n"
      "  -> 10.200.0.12:80                    234  100000K        0    5000G        0\n";
  EXPECT_EQ(format_listing(stats_snapshot(), format), expected);
}

TEST(IpvsadmFormat, StatsExact) {
  ListFormat format;
  format.view = ListView::stats;
  format.exact = true;
  const std::string expected =
      kVersion + kStatsTitle +
      "TCP  10.200.0.100:80                  1234 123456789        0 98765432109        0\n"
      "  -> 10.200.0.11:80                   1000 99999999        0 123456789012345        0\n"
      "  -> 10.200.0.12:80                    234 100000000        0 5000000000000        0\n";
  EXPECT_EQ(format_listing(stats_snapshot(), format), expected);
}

TEST(IpvsadmFormat, Rate) {
  ListFormat format;
  format.view = ListView::rate;
  const std::string expected =
      kVersion +
      "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
      "  -> RemoteAddress:Port\n"
      "TCP  10.200.0.100:80                    25  100000K        0 99999999        0\n"
      "  -> 10.200.0.11:80                     12      450        0    5000G        0\n"
      "  -> 10.200.0.12:80                     13  999999K        0    1000M        0\n";
  EXPECT_EQ(format_listing(stats_snapshot(), format), expected);
}

TEST(IpvsadmFormat, StatsForAFwmarkService) {
  Snapshot snap;
  ServiceSnapshot s;
  s.key = {config::ServiceProtocol::Fwmark, {}, 42};
  s.stats = {7, 70, 0, 7000, 0};
  snap.services = {s};
  ListFormat format;
  format.view = ListView::stats;
  EXPECT_EQ(format_listing(snap, format),
            kVersion + kStatsTitle +
                "FWM  42                                  7       70        0     7000        0\n");
}

TEST(IpvsadmFormat, ThresholdsAndPersistentConn) {
  Snapshot snap;
  ServiceSnapshot s = tcp80();
  s.destinations = {s.destinations[1]};
  s.destinations[0].u_threshold = 100;
  s.destinations[0].l_threshold = 50;
  s.destinations[0].persistent_conns = 9;
  snap.services = {s};
  ListFormat thresholds;
  thresholds.view = ListView::thresholds;
  EXPECT_EQ(format_listing(snap, thresholds),
            kVersion +
                "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
                "  -> RemoteAddress:Port\n"
                "TCP  10.200.0.100:80 wlc\n"
                "  -> 10.200.0.11:80               100        50         12         4         \n");
  ListFormat persist;
  persist.view = ListView::persistent_conn;
  EXPECT_EQ(format_listing(snap, persist),
            kVersion +
                "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
                "  -> RemoteAddress:Port\n"
                "TCP  10.200.0.100:80 wlc\n"
                "  -> 10.200.0.11:80               3         9           12         4         \n");
}

TEST(IpvsadmFormat, EmptyTable) {
  Snapshot snap;
  snap.table_size = 1048576;
  EXPECT_EQ(format_listing(snap, {}),
            "IP Virtual Server version 1.2.1 (size=1048576)\n" + kListTitle);
}

TEST(IpvsadmFormat, LargenumBoundaries) {
  EXPECT_EQ(format_largenum(0, false), "        0");
  EXPECT_EQ(format_largenum(99999999, false), " 99999999");
  EXPECT_EQ(format_largenum(100000000, false), "  100000K");
  EXPECT_EQ(format_largenum(999999999, false), "  999999K");
  EXPECT_EQ(format_largenum(1000000000, false), "    1000M");
  EXPECT_EQ(format_largenum(99999999999ULL, false), "   99999M");
  EXPECT_EQ(format_largenum(100000000000ULL, false), "     100G");
  EXPECT_EQ(format_largenum(99999999999999ULL, false), "   99999G");
  EXPECT_EQ(format_largenum(100000000000000ULL, false), "     100T");
  EXPECT_EQ(format_largenum(18446744073709551615ULL, false), "18446744T");
  EXPECT_EQ(format_largenum(12345678, true), " 12345678");
  EXPECT_EQ(format_largenum(123456789, true), " 123456789");
  EXPECT_EQ(format_largenum(18446744073709551615ULL, true), " 18446744073709551615");
}

TEST(IpvsadmFormat, Connections) {
  std::vector<ConnectionSnapshot> conns = {
      {ConnProtocol::tcp, ep("10.200.0.10:40000"), ep("10.200.0.100:80"), ep("10.200.0.11:80"),
       "ESTABLISHED", 899999},
      {ConnProtocol::tcp, ep("10.200.0.10:40001"), ep("10.200.0.100:80"), ep("10.200.0.12:80"),
       "SYN_RECV", 59000},
      {ConnProtocol::udp, ep("10.200.0.10:5353"), ep("10.200.0.100:53"), ep("10.200.0.13:53"),
       "UDP", 240000},
      {ConnProtocol::tcp, ep("10.200.0.10:1"), ep("10.200.0.100:443"), ep("10.200.0.11:443"),
       "NONE", 7500000},
  };
  const std::string expected =
      "IPVS connection entries\n"
      "pro expire state       source             virtual            destination\n"
      "TCP 14:59  ESTABLISHED 10.200.0.10:40000  10.200.0.100:80    10.200.0.11:80\n"
      "TCP 00:59  SYN_RECV    10.200.0.10:40001  10.200.0.100:80    10.200.0.12:80\n"
      "UDP 04:00  UDP         10.200.0.10:5353   10.200.0.100:53    10.200.0.13:53\n"
      "TCP 125:00 NONE        10.200.0.10:1      10.200.0.100:443   10.200.0.11:443\n";
  EXPECT_EQ(format_connections(conns), expected);
  EXPECT_EQ(format_connections({}),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n");
}

TEST(IpvsadmFormat, Timeouts) {
  EXPECT_EQ(format_timeouts({900, 120, 300}), "Timeout (tcp tcpfin udp): 900 120 300\n");
}

TEST(IpvsadmSort, ServicesByFwmarkProtocolAddressPort) {
  auto svc = [](config::ServiceProtocol kind, const char* vip, std::uint32_t mark) {
    ServiceSnapshot s;
    s.key = {kind, vip ? ep(vip) : Endpoint{}, mark};
    return s;
  };
  std::vector<ServiceSnapshot> in = {svc(config::ServiceProtocol::Fwmark, nullptr, 2),
                                     svc(config::ServiceProtocol::Udp, "10.0.0.1:53", 0),
                                     svc(config::ServiceProtocol::Tcp, "10.0.0.2:80", 0),
                                     svc(config::ServiceProtocol::Fwmark, nullptr, 1),
                                     svc(config::ServiceProtocol::Tcp, "10.0.0.1:443", 0),
                                     svc(config::ServiceProtocol::Tcp, "10.0.0.1:80", 0)};
  std::vector<std::string> order;
  for (const auto& s : sorted_services(in)) order.push_back(s.key.to_string());
  EXPECT_EQ(order,
            (std::vector<std::string>{"tcp/10.0.0.1:80", "tcp/10.0.0.1:443", "tcp/10.0.0.2:80",
                                      "udp/10.0.0.1:53", "fwm/1", "fwm/2"}));
}

TEST(IpvsadmSort, DestinationsNumericallyNotTextually) {
  std::vector<DestinationSnapshot> in = {
      dest("10.0.0.100:80", 1, 0, 0), dest("10.0.0.9:80", 1, 0, 0), dest("10.0.0.9:8080", 1, 0, 0),
      dest("10.0.0.9:443", 1, 0, 0)};
  std::vector<std::string> order;
  for (const auto& d : sorted_destinations(in)) order.push_back(format_endpoint(d.address));
  EXPECT_EQ(order, (std::vector<std::string>{"10.0.0.9:80", "10.0.0.9:443", "10.0.0.9:8080",
                                             "10.0.0.100:80"}));
}

}  // namespace
}  // namespace lvs::ctl
