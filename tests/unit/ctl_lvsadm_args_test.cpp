// lvsadm's command line: ipvsadm's clustered short options and long options, lvsadm's --socket,
// the listing each combination selects, `neigh`, and the refusals (unknown, illegal, not
// supported yet).
#include <gtest/gtest.h>

#include "ctl/lvsadm_args.h"
#include "ctl/lvsadm_listing.h"
#include "support/bad_neighbours.h"
#include "support/lvsadm_args.h"

namespace lvs::ctl {
namespace {

using test::parse_ok;

std::string parse_error(std::vector<std::string> args) {
  auto r = parse_lvsadm_args(args);
  if (auto* e = std::get_if<UsageError>(&r)) return e->message;
  return "<accepted>";
}

TEST(LvsadmOptions, NoArgumentsListsLikeIpvsadm) {
  Invocation inv = parse_ok({});
  EXPECT_EQ(inv.action, Invocation::Action::list);
  EXPECT_EQ(inv.socket_path, "/run/lvs/director.sock");
  EXPECT_EQ(inv.list.format.view, ListView::plain);
  EXPECT_FALSE(inv.list.connections);
}

TEST(LvsadmOptions, ClusteredShortOptions) {
  Invocation inv = parse_ok({"-Lnc"});
  EXPECT_EQ(inv.action, Invocation::Action::list);
  EXPECT_TRUE(inv.list.connections);
  EXPECT_TRUE(inv.list.numeric);
  EXPECT_EQ(command_for(inv.list), Command::list_connections);

  inv = parse_ok({"-l", "-n", "--stats", "--exact"});
  EXPECT_EQ(inv.list.format.view, ListView::stats);
  EXPECT_TRUE(inv.list.format.exact);
  EXPECT_EQ(command_for(inv.list), Command::list);

  inv = parse_ok({"-LnX", "--rate"});
  EXPECT_EQ(inv.list.format.view, ListView::rate);
  EXPECT_TRUE(inv.list.format.exact);
}

TEST(LvsadmOptions, ViewPrecedenceIsIpvsadms) {
  EXPECT_EQ(parse_ok({"-Ln", "--rate", "--stats"}).list.format.view, ListView::stats);
  EXPECT_EQ(parse_ok({"-Ln", "--persistent-conn", "--thresholds"}).list.format.view,
            ListView::thresholds);
  EXPECT_EQ(parse_ok({"-Ln", "--persistent-conn", "--rate"}).list.format.view, ListView::rate);
}

TEST(LvsadmOptions, ServiceSelection) {
  Invocation inv = parse_ok({"-Lnt", "10.200.0.100:80"});
  ASSERT_TRUE(inv.list.service.has_value());
  EXPECT_EQ(inv.list.service->to_string(), "tcp/10.200.0.100:80");

  inv = parse_ok({"-L", "-n", "-t10.200.0.100:443"});
  EXPECT_EQ(inv.list.service->to_string(), "tcp/10.200.0.100:443");
  inv = parse_ok({"-L", "--udp-service=10.200.0.100:53"});
  EXPECT_EQ(inv.list.service->to_string(), "udp/10.200.0.100:53");
  inv = parse_ok({"-L", "--fwmark-service", "7"});
  EXPECT_EQ(inv.list.service->to_string(), "fwm/7");
  inv = parse_ok({"-Lnf", "1"});
  EXPECT_EQ(inv.list.service->to_string(), "fwm/1");
}

TEST(LvsadmOptions, SocketPath) {
  EXPECT_EQ(parse_ok({"--socket", "/tmp/d.sock", "-Ln"}).socket_path, "/tmp/d.sock");
  EXPECT_EQ(parse_ok({"-Ln", "--socket=/tmp/e.sock"}).socket_path, "/tmp/e.sock");
  EXPECT_EQ(parse_error({"-Ln", "--socket"}), "option --socket requires a path");
  EXPECT_EQ(parse_error({"--socket="}), "option --socket requires a path");
}

TEST(LvsadmOptions, SortFlags) {
  EXPECT_TRUE(parse_ok({"-Ln"}).list.format.sort);
  EXPECT_FALSE(parse_ok({"-Ln", "--nosort"}).list.format.sort);
  EXPECT_TRUE(parse_ok({"-Ln", "--sort"}).list.format.sort);
}

TEST(LvsadmOptions, Help) {
  EXPECT_EQ(parse_ok({"-h"}).action, Invocation::Action::help);
  EXPECT_EQ(parse_ok({"--help"}).action, Invocation::Action::help);
}

TEST(LvsadmOptions, UsageErrors) {
  EXPECT_EQ(parse_error({"-Lq"}), "unknown option '-q'");
  EXPECT_EQ(parse_error({"--bogus"}), "unknown option '--bogus'");
  EXPECT_EQ(parse_error({"list"}), "unexpected argument 'list'");
  EXPECT_EQ(parse_error({"-L", "-L"}), "multiple commands specified");
  EXPECT_EQ(parse_error({"-Lt"}), "option -t requires a service address");
  EXPECT_EQ(parse_error({"-L", "-t", "www.example.com:http"}),
            "invalid service address 'www.example.com:http': give it as IP:PORT, e.g. "
            "10.200.0.100:80 (names are not resolved)");
  EXPECT_EQ(parse_error({"-L", "-f", "0"}), "invalid fwmark '0': an integer from 1 to 4294967295");
  EXPECT_EQ(parse_error({"-L", "-t", "10.0.0.1:80", "-u", "10.0.0.1:53"}),
            "multiple service options specified");
  EXPECT_EQ(parse_error({"-Lnc", "-t", "10.0.0.1:80"}),
            "-c, -t/-u/-f, --timeout and --daemon cannot be combined (choose one listing)");
  EXPECT_EQ(parse_error({"-L", "--timeout", "-c"}),
            "-c, -t/-u/-f, --timeout and --daemon cannot be combined (choose one listing)");
  EXPECT_EQ(parse_error({"-Ln", "--stats=yes"}), "option --stats takes no value");
  EXPECT_EQ(parse_error({"-Ln", "-s", "rr"}),
            "illegal option -s (--scheduler) with the list command");
  EXPECT_EQ(parse_error({"-A", "-L"}), "multiple commands specified");
}

TEST(LvsadmOptions, TableChangingCommandsAreNotSupportedYet) {
  Invocation inv = parse_ok({"-A", "-t", "10.200.0.100:80", "-s", "rr", "-p", "300"});
  EXPECT_EQ(inv.action, Invocation::Action::unsupported);
  EXPECT_EQ(inv.unsupported, "-A (--add-service)");
  EXPECT_EQ(parse_ok({"-a", "-t", "10.200.0.100:80", "-r", "10.200.0.11:80", "-g", "-w", "2"})
                .unsupported,
            "-a (--add-server)");
  EXPECT_EQ(parse_ok({"-C"}).unsupported, "-C (--clear)");
  EXPECT_EQ(parse_ok({"-Z"}).unsupported, "-Z (--zero)");
  EXPECT_EQ(parse_ok({"-Sn"}).unsupported, "-S (--save)");
  EXPECT_EQ(parse_ok({"--set", "900", "120", "300"}).action, Invocation::Action::unsupported);
  EXPECT_EQ(parse_ok({"--restore"}).unsupported, "-R (--restore)");
  EXPECT_EQ(parse_ok({"-D", "-f", "3"}).unsupported, "-D (--delete-service)");
}

TEST(LvsadmNeigh, ShowFlushDelAdd) {
  Invocation show = parse_ok({"neigh", "show"});
  EXPECT_EQ(show.action, Invocation::Action::neigh);
  EXPECT_EQ(show.neigh.command, Command::neigh_show);
  EXPECT_EQ(parse_ok({"neigh"}).neigh.command, Command::neigh_show);
  EXPECT_EQ(parse_ok({"neigh", "flush"}).neigh.command, Command::neigh_flush);

  Invocation del = parse_ok({"--socket", "/tmp/d.sock", "neigh", "del", "10.200.0.11"});
  EXPECT_EQ(del.socket_path, "/tmp/d.sock");
  EXPECT_EQ(del.neigh.command, Command::neigh_del);
  EXPECT_EQ(del.neigh.ip, *parse_ipv4("10.200.0.11"));
  EXPECT_EQ(parse_ok({"--socket=/x", "neigh", "delete", "10.200.0.11", "dev", "eth0"}).socket_path,
            "/x");

  Invocation add =
      parse_ok({"neigh", "add", "10.200.0.12", "lladdr", "02:00:00:00:00:0c", "nud", "permanent"});
  EXPECT_EQ(add.neigh.command, Command::neigh_add);
  EXPECT_EQ(add.neigh.ip, *parse_ipv4("10.200.0.12"));
  EXPECT_EQ(add.neigh.lladdr, *parse_mac("02:00:00:00:00:0c"));
  EXPECT_EQ(add.neigh.nud, NudState::Permanent);
  // ip neigh's defaults and word order: nud permanent, address anywhere, `dev` ignored.
  Invocation replace = parse_ok({"neigh", "replace", "lladdr", "02:00:00:00:00:0c", "10.200.0.12",
                                 "dev", "eth0", "nud", "stale"});
  EXPECT_EQ(replace.neigh.nud, NudState::Stale);
  EXPECT_EQ(replace.neigh.ip, *parse_ipv4("10.200.0.12"));
  EXPECT_EQ(parse_ok({"neigh", "add", "10.0.0.1", "lladdr", "02:00:00:00:00:01"}).neigh.nud,
            NudState::Permanent);
}

TEST(LvsadmNeigh, UsageErrors) {
  EXPECT_EQ(parse_error({"neigh", "frob"}),
            "neigh: unknown command 'frob' (expected show, flush, add or del)");
  EXPECT_EQ(parse_error({"neigh", "del"}), "neigh del: an IPv4 address is required");
  EXPECT_EQ(parse_error({"neigh", "add", "10.0.0.1"}), "neigh add: lladdr MAC is required");
  EXPECT_EQ(parse_error({"neigh", "add", "10.0.0.1", "lladdr", "zz"}),
            "neigh add: invalid MAC address 'zz'");
  EXPECT_EQ(
      parse_error({"neigh", "add", "10.0.0.1", "lladdr", "02:00:00:00:00:01", "nud", "failed"}),
      "neigh add: invalid nud state 'failed' (expected permanent, noarp, reachable or "
      "stale)");
  EXPECT_EQ(parse_error({"neigh", "del", "10.0.0.1", "10.0.0.2"}),
            "neigh del: unexpected argument '10.0.0.2'");
  EXPECT_EQ(parse_error({"neigh", "show", "all"}), "neigh show takes no arguments");
  EXPECT_EQ(parse_error({"neigh", "del", "host"}), "neigh del: invalid IPv4 address 'host'");
}

// Finding 9 of issue 12: `neigh add` refuses the entries the config refuses for its PERMANENT
// neighbours (support/bad_neighbours.h); the VIP only the director can refuse (it knows them).
TEST(LvsadmNeigh, AddRefusesWhatTheConfigRefuses) {
  for (const auto& bad : test::bad_neighbours()) {
    if (bad.is_vip) continue;
    for (const char* nud : {"permanent", "noarp", "reachable", "stale"}) {
      const std::string error =
          parse_error({"neigh", "add", bad.ip, "lladdr", bad.mac, "nud", nud});
      EXPECT_TRUE(error.starts_with("neigh add: ")) << bad.ip << " " << bad.mac << ": " << error;
    }
  }
  EXPECT_EQ(parse_error({"neigh", "add", "255.255.255.255", "lladdr", "02:00:00:00:00:0b"}),
            "neigh add: 255.255.255.255 is not a unicast address (0.0.0.0/8, loopback, "
            "multicast, 240/4 and broadcast cannot be neighbours)");
  EXPECT_EQ(parse_error({"neigh", "replace", "10.0.0.1", "lladdr", "ff:ff:ff:ff:ff:ff"}),
            "neigh replace: ff:ff:ff:ff:ff:ff is not a unicast MAC address (not all-zero, "
            "multicast or broadcast)");
  EXPECT_EQ(parse_ok({"neigh", "del", "0.0.0.0"}).neigh.command, Command::neigh_del)
      << "deleting whatever is there stays possible";
}

}  // namespace
}  // namespace lvs::ctl
