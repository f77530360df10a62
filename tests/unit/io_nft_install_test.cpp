// NftInstaller against the real kernel: each test moves itself into a fresh network namespace
// (unshare(CLONE_NEWNET)) first, so nothing here can see or touch the root namespace's ruleset,
// then installs, reloads and removes the director's table and checks `nft list ruleset` run in
// that namespace, and sends real packets over the namespace's loopback to show the rules match
// and that the queue verdict without a listener drops (fail-closed). Needs root: skipped when
// unprivileged, except under CI=true where skipping would hide the data path.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "config/loader.h"
#include "io/nft_installer.h"
#include "support/root_or_skip.h"

namespace lvs::io {
namespace {

#define REQUIRE_ROOT_OR_SKIP() \
  LVS_REQUIRE_ROOT_OR_SKIP("CAP_NET_ADMIN", "creates a network namespace and rules")

// Runs a shell command (inherits this thread's network namespace) and returns its stdout.
std::string sh(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  if (status != nullptr) *status = rc;
  return out;
}

// Leaves the namespace the test was started in for a new, empty one with lo up. Everything
// after this (netlink, sockets, `nft`, `ip`) sees only the new namespace.
void enter_fresh_netns() {
  ASSERT_EQ(unshare(CLONE_NEWNET), 0) << std::strerror(errno);
  int status = 0;
  const std::string out = sh("ip link set lo up && ip addr add 10.200.0.100/32 dev lo", &status);
  ASSERT_EQ(status, 0) << out;
  ASSERT_EQ(sh("nft list ruleset"), "") << "a fresh namespace has no rules";
}

config::DirectorConfig lab_config() {
  auto result = config::load_director_config_file(LVS_SOURCE_DIR "/config/examples/lab.yaml");
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&result)) {
    ADD_FAILURE() << errors->front().to_string();
    return {};
  }
  return std::get<config::DirectorConfig>(result);
}

NftInstaller open_installer(NftInstaller::Options options = {}) {
  auto opened = NftInstaller::open(std::move(options));
  if (auto* e = std::get_if<base::NftError>(&opened)) {
    ADD_FAILURE() << e->message;
    std::abort();
  }
  return std::move(std::get<NftInstaller>(opened));
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// `nft list ruleset`, with "counter packets N bytes M" cut to "counter" and the owner's process
// name (" # progname io_nft_install_", nft prints it for an owned table) cut, so listings
// compare as text. (No std::regex: GCC 12 warns inside <regex> under the sanitizers.)
std::string ruleset_without_counters() {
  std::string text = sh("nft list ruleset");
  const std::string progname = " # progname ";
  for (auto pos = text.find(progname); pos != std::string::npos; pos = text.find(progname, pos)) {
    text.erase(pos, text.find('\n', pos) - pos);
  }
  const std::string counter = "counter packets ";
  for (auto pos = text.find(counter); pos != std::string::npos; pos = text.find(counter, pos + 1)) {
    const auto bytes = text.find(" bytes ", pos);
    const auto end = text.find_first_not_of("0123456789", bytes + 7);
    text.erase(pos + 7, end - (pos + 7));
  }
  return text;
}

// The listing nftables 1.0.6 prints for lab.yaml's two services. The xt NFQUEUE target is
// translated back to `queue num 0` by nft, so both encodings list the same rules; nft prefixes
// any table holding xt expressions with a warning that it belongs to iptables-nft.
const std::string kXtWarning =
    "# Warning: table ip lvs_director is managed by iptables-nft, do not touch!\n";
const std::string kLabListing =
    "table ip lvs_director {\n"
    "\tflags owner\n"
    "\n"
    "\tchain vip_in {\n"
    "\t\ttype filter hook input priority 98; policy accept;\n"
    "\t\tip daddr 10.200.0.100 tcp dport 80 counter queue num 0 comment \"tcp/10.200.0.100:80\"\n"
    "\t\tip daddr 10.200.0.100 udp dport 9000 counter queue num 0 comment "
    "\"udp/10.200.0.100:9000\"\n"
    "\t}\n"
    "}\n";

// Can `nft` itself add a native queue rule here? The detection must agree.
bool nft_cli_accepts_native_queue() {
  int status = 0;
  sh("nft add table ip cli_probe && nft add chain ip cli_probe c && "
     "nft add rule ip cli_probe c queue num 0",
     &status);
  sh("nft delete table ip cli_probe");
  return status == 0;
}

TEST(NftInstall, DetectsTheQueueEncodingTheKernelHasAndLeavesNoTrace) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  const bool native = nft_cli_accepts_native_queue();
  NftInstaller installer = open_installer();
  EXPECT_EQ(installer.encoding(), native ? QueueEncoding::NativeQueue : QueueEncoding::XtNfqueue);
  EXPECT_NE(installer.detection_note().find(std::string(to_string(installer.encoding()))),
            std::string::npos)
      << installer.detection_note();
  EXPECT_EQ(sh("nft list ruleset"), "") << "the probe table must not survive the probe";
}

TEST(NftInstall, InstallsOneRulePerLabServiceVisibleInNft) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  NftInstaller installer = open_installer();
  const auto error = installer.install(lab_config());
  ASSERT_FALSE(error) << error->message;
  EXPECT_EQ(ruleset_without_counters(),
            (installer.encoding() == QueueEncoding::XtNfqueue ? kXtWarning : "") + kLabListing);
}

TEST(NftInstall, BothEncodingsInstallWhereTheKernelHasThemAndAFailedReloadKeepsTheOldRules) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  NftInstaller::Options xt;
  xt.encoding = QueueEncoding::XtNfqueue;
  NftInstaller installer = open_installer(xt);
  auto error = installer.install(lab_config());
  ASSERT_FALSE(error) << error->message;
  EXPECT_EQ(ruleset_without_counters(), kXtWarning + kLabListing);

  // The same table again with the native expression, from a second installer: an owned table
  // may only be replaced by its own socket, so here both installers leave the owner flag off.
  {
    NftInstaller::Options unowned = xt;
    unowned.owner = false;
    installer = open_installer(unowned);  // the owned table goes with the old socket
    ASSERT_FALSE(installer.install(lab_config()));
  }
  NftInstaller::Options native;
  native.encoding = QueueEncoding::NativeQueue;
  native.owner = false;
  NftInstaller native_installer = open_installer(native);
  error = native_installer.install(lab_config());
  const std::string unowned_listing = kLabListing.substr(0, kLabListing.find("\tflags owner\n\n")) +
                                      kLabListing.substr(kLabListing.find("\tchain vip_in"));
  if (nft_cli_accepts_native_queue()) {
    EXPECT_FALSE(error) << error->message;
    EXPECT_EQ(ruleset_without_counters(), unowned_listing);
  } else {
    // The error names the failing rule and the missing kernel option; nothing is committed.
    ASSERT_TRUE(error);
    EXPECT_EQ(error->errnum, ENOENT);
    EXPECT_NE(error->message.find("add rule for tcp/10.200.0.100:80 with the native nft queue "
                                  "expression"),
              std::string::npos)
        << error->message;
    EXPECT_NE(error->message.find("CONFIG_NFT_QUEUE"), std::string::npos) << error->message;
    EXPECT_EQ(ruleset_without_counters(), kXtWarning + unowned_listing)
        << "a failed replacement keeps the rules in force";
  }
}

TEST(NftInstall, ReloadReplacesTheRulesAndRemoveDeletesTheTable) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  NftInstaller installer = open_installer();
  auto config = lab_config();
  ASSERT_FALSE(installer.install(config));

  // Reload: the UDP service goes, a fwmark service and a second TCP port come, queues 2-3.
  config.services.pop_back();
  config::ServiceConfig https = config.services.front();
  https.key.vip.port = 443;
  config.services.push_back(https);
  config::ServiceConfig marked;
  marked.key.protocol = config::ServiceProtocol::Fwmark;
  marked.key.fwmark = 7;
  config.services.push_back(marked);
  config.director.queue_first = 2;
  config.director.queue_last = 3;
  auto error = installer.install(config);
  ASSERT_FALSE(error) << error->message;
  const std::string listing = ruleset_without_counters();
  EXPECT_EQ(count_of(listing, "table ip lvs_director {"), 1) << listing;
  EXPECT_EQ(count_of(listing, "queue num 2-3"), 3) << listing;
  EXPECT_EQ(count_of(listing, "queue num"), 3) << "rules replaced, not appended:\n" << listing;
  EXPECT_EQ(count_of(listing, "udp dport 9000"), 0) << listing;
  EXPECT_EQ(count_of(listing, "ip daddr 10.200.0.100 tcp dport 443 counter queue num 2-3"), 1)
      << listing;
  EXPECT_EQ(count_of(listing, "meta mark 0x00000007 counter queue num 2-3 comment \"fwm/7\""), 1)
      << listing;

  error = installer.remove();
  ASSERT_FALSE(error) << error->message;
  EXPECT_EQ(sh("nft list ruleset"), "");
  error = installer.remove();
  EXPECT_FALSE(error) << "removing an absent table is not an error: " << error->message;
}

TEST(NftInstall, DestructorRemovesTheTableItInstalled) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  {
    NftInstaller installer = open_installer();
    ASSERT_FALSE(installer.install(lab_config()));
    NftInstaller moved = std::move(installer);  // ownership moves; the table stays
    EXPECT_EQ(count_of(sh("nft list ruleset"), "table ip lvs_director {"), 1);
  }
  EXPECT_EQ(sh("nft list ruleset"), "");
}

// kill -9 cannot run a destructor: the table is owned by the installer's netlink socket
// (NFT_TABLE_F_OWNER), and the kernel deletes it when the dead process's socket closes.
TEST(NftInstall, OwnedTableIsDeletedByTheKernelWhenItsProcessIsKilled) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto opened = NftInstaller::open(NftInstaller::Options{});
    auto* installer = std::get_if<NftInstaller>(&opened);
    const char ok = installer != nullptr && !installer->install(lab_config()) ? 'y' : 'n';
    (void)!write(ready[1], &ok, 1);
    pause();  // until killed: no destructor, no remove()
    _exit(0);
  }
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  const std::string listing = sh("nft list ruleset");
  EXPECT_EQ(ok, 'y');
  EXPECT_EQ(count_of(listing, "table ip lvs_director {"), 1) << listing;
  EXPECT_EQ(count_of(listing, "flags owner"), 1) << listing;
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(sh("nft list ruleset"), "") << "the kernel removes an owned table with its socket";
}

// Only the owning socket may change the table: a second director in the namespace is refused
// (EPERM) and the first one's rules stay.
TEST(NftInstall, AnotherSocketCannotReplaceTheOwnedTable) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  NftInstaller first = open_installer();
  ASSERT_FALSE(first.install(lab_config()));
  NftInstaller second = open_installer();
  auto error = second.install(lab_config());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->errnum, EPERM) << error->message;
  EXPECT_EQ(count_of(sh("nft list ruleset"), "table ip lvs_director {"), 1);
  EXPECT_FALSE(first.install(lab_config())) << "the owner still replaces its table";
}

// A UDP socket bound to 10.200.0.100:port in this namespace.
int bound_udp(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(0x0ac80064);  // 10.200.0.100, on this namespace's lo
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  return fd;
}

// Sends one datagram to 10.200.0.100:port (over this namespace's lo, so through the input
// hook) and says whether the socket bound there received it within 300 ms.
bool delivered(int receiver, std::uint16_t port) {
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(0x0ac80064);
  const char payload[] = "lvs";
  EXPECT_EQ(sendto(s, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(sizeof payload));
  close(s);
  pollfd pfd{receiver, POLLIN, 0};
  if (poll(&pfd, 1, 300) != 1) return false;
  char buf[16];
  return recv(receiver, buf, sizeof buf, MSG_DONTWAIT) > 0;
}

TEST(NftInstall, VipTrafficIsQueuedAndDroppedWithoutADirectorFailClosed) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  const int service = bound_udp(9000);  // the lab's udp-service port
  const int other = bound_udp(9001);    // not a service
  ASSERT_TRUE(delivered(service, 9000)) << "no rules yet: the local socket gets it";

  NftInstaller installer = open_installer();
  ASSERT_FALSE(installer.install(lab_config()));
  EXPECT_FALSE(delivered(service, 9000)) << "queued to queue 0, nobody listens: dropped";
  EXPECT_TRUE(delivered(other, 9001)) << "only the services' traffic is queued";
  const std::string listing = sh("nft list ruleset");
  EXPECT_NE(listing.find("udp dport 9000 counter packets 1 "), std::string::npos) << listing;
  EXPECT_NE(listing.find("tcp dport 80 counter packets 0 "), std::string::npos) << listing;

  ASSERT_FALSE(installer.remove());
  EXPECT_TRUE(delivered(service, 9000)) << "rules removed: traffic flows as before";
  close(service);
  close(other);
}

TEST(NftInstall, BypassWouldDeliverVipTrafficToTheDirectorsOwnStack) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  // The alternative the director does not take (see nft_rules.h): with bypass, VIP packets
  // reach the director's local sockets while no director listens on the queue.
  const int service = bound_udp(9000);
  NftInstaller::Options options;
  options.bypass = true;
  NftInstaller installer = open_installer(options);
  ASSERT_FALSE(installer.install(lab_config()));
  EXPECT_NE(sh("nft list ruleset").find("queue num 0 bypass"), std::string::npos);
  EXPECT_TRUE(delivered(service, 9000));
  close(service);
}

TEST(NftInstall, FwmarkServicesMatchTheMarkSetBeforeInput) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  // The classic fwmark setup: something marks the packets earlier (here the output path of
  // this namespace's own traffic; on a director, mangle prerouting); the mark survives to input.
  int status = 0;
  const std::string out =
      sh("nft add table ip marker && "
         "nft add chain ip marker out '{ type route hook output priority -150; }' && "
         "nft add rule ip marker out udp dport 7777 meta mark set 5",
         &status);
  ASSERT_EQ(status, 0) << out;
  const int marked = bound_udp(7777);
  ASSERT_TRUE(delivered(marked, 7777));

  config::DirectorConfig config;
  config::ServiceConfig service;
  service.key.protocol = config::ServiceProtocol::Fwmark;
  service.key.fwmark = 5;
  config.services.push_back(service);
  NftInstaller installer = open_installer();
  ASSERT_FALSE(installer.install(config));
  EXPECT_FALSE(delivered(marked, 7777)) << "marked traffic is queued (and dropped: no listener)";
  EXPECT_NE(sh("nft list ruleset").find("meta mark 0x00000005 counter packets 1 "),
            std::string::npos)
      << sh("nft list ruleset");
  close(marked);
}

TEST(NftInstall, WithoutCapNetAdminTheErrorSaysSo) {
  REQUIRE_ROOT_OR_SKIP();
  // In a child: a fresh namespace, then drop every capability by becoming nobody.
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(pipefd[0]);
    std::string message = "setup failed";
    if (unshare(CLONE_NEWNET) == 0 && setgid(65534) == 0 && setuid(65534) == 0) {
      auto opened = NftInstaller::open();
      if (auto* e = std::get_if<base::NftError>(&opened)) {
        message = std::to_string(e->errnum) + " " + e->message;
      } else {
        message = "opened without CAP_NET_ADMIN";
      }
    }
    (void)!write(pipefd[1], message.data(), message.size());
    _exit(0);
  }
  close(pipefd[1]);
  std::string message;
  char buf[512];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
    message.append(buf, static_cast<std::size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(message.rfind(std::to_string(EPERM) + " ", 0), 0u) << message;
  EXPECT_NE(message.find("needs CAP_NET_ADMIN"), std::string::npos) << message;
}

}  // namespace
}  // namespace lvs::io
