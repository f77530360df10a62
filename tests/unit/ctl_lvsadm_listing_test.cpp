// What lvsadm prints for each parsed listing request: ipvsadm's formatter for it, and ipvsadm's
// error for a service that is not there.
#include <gtest/gtest.h>

#include "ctl/lvsadm_args.h"
#include "ctl/lvsadm_listing.h"
#include "support/lvsadm_args.h"

namespace lvs::ctl {
namespace {

// The listing `lvsadm ARGS...` asks for.
ListRequest request(std::vector<std::string> args) { return test::parse_ok(std::move(args)).list; }

Snapshot two_services() {
  Snapshot snap;
  ServiceSnapshot a;
  a.key = {config::ServiceProtocol::Tcp, *parse_endpoint("10.200.0.100:80"), 0};
  a.scheduler = "rr";
  ServiceSnapshot b;
  b.key = {config::ServiceProtocol::Fwmark, {}, 3};
  b.scheduler = "sh";
  snap.services = {a, b};
  snap.connections = {{ConnProtocol::udp, *parse_endpoint("10.200.0.10:9"),
                       *parse_endpoint("10.200.0.100:53"), *parse_endpoint("10.200.0.13:53"), "UDP",
                       61000}};
  return snap;
}

TEST(LvsadmRender, EachListingPicksItsFormatter) {
  const Snapshot snap = two_services();
  ListRequest all = request({"-Ln"});
  EXPECT_EQ(render_list(all, snap).text, format_listing(snap, all.format));

  ListRequest one = request({"-Lnf", "3"});
  ListOutput out = render_list(one, snap);
  EXPECT_EQ(out.text,
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "FWM  3 sh\n");
  EXPECT_EQ(out.error, "");

  ListOutput conns = render_list(request({"-Lnc"}), snap);
  EXPECT_EQ(conns.text,
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n"
            "UDP 01:01  UDP         10.200.0.10:9      10.200.0.100:53    10.200.0.13:53\n");

  EXPECT_EQ(render_list(request({"-L", "--timeout"}), snap).text,
            "Timeout (tcp tcpfin udp): 900 120 300\n");
  EXPECT_EQ(render_list(request({"-L", "--daemon"}), snap).text, "");
}

TEST(LvsadmRender, MissingServiceIsIpvsadmsError) {
  ListOutput out = render_list(request({"-Lnt", "10.200.0.100:81"}), two_services());
  EXPECT_EQ(out.text, "");
  EXPECT_EQ(out.error, "No such service");
  // Same address, other protocol: still not that service.
  out = render_list(request({"-Lnu", "10.200.0.100:80"}), two_services());
  EXPECT_EQ(out.error, "No such service");
}

}  // namespace
}  // namespace lvs::ctl
