#include "io/rtnl_links.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>

namespace lvs::agent {
namespace {

constexpr int kReplyTimeoutMs = 5000;

std::string rtnl_error(const std::string& what, int err) {
  std::string m = "rtnetlink: " + what + ": " + std::strerror(err);
  if (err == EPERM || err == EACCES) {
    m += " (needs CAP_NET_ADMIN: run the agent as root or grant it the capability)";
  }
  return m;
}

// libmnl's mnl_attr_for_each macros assign void* (fine in C, not in C++): the same walk.
template <typename F>
void for_each_attr(const void* start, const void* tail, F&& f) {
  auto* attr = static_cast<const nlattr*>(start);
  while (mnl_attr_ok(attr, static_cast<int>(static_cast<const char*>(tail) -
                                            reinterpret_cast<const char*>(attr)))) {
    f(attr);
    attr = mnl_attr_next(attr);
  }
}
template <typename F>
void for_each_attr(const nlmsghdr* m, std::size_t header, F&& f) {
  for_each_attr(mnl_nlmsg_get_payload_offset(m, header), mnl_nlmsg_get_payload_tail(m), f);
}
template <typename F>
void for_each_nested(const nlattr* nest, F&& f) {
  const char* p = static_cast<const char*>(mnl_attr_get_payload(nest));
  for_each_attr(p, p + mnl_attr_get_payload_len(nest), f);
}

std::string describe(Ipv4 a, std::uint8_t len, const std::string& dev) {
  return format_ipv4(a) + "/" + std::to_string(len) + " dev " + dev;
}

}  // namespace

std::variant<RtnlClient, std::string> RtnlClient::open() {
  base::UniqueMnlSocket sock(mnl_socket_open(NETLINK_ROUTE));
  if (!sock || mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return rtnl_error("opening a NETLINK_ROUTE socket", errno);
  }
  return RtnlClient(std::move(sock), static_cast<std::uint32_t>(std::time(nullptr)));
}

template <typename OnMessage>
int RtnlClient::transact(nlmsghdr* nlh, OnMessage&& on_message) {
  nlh->nlmsg_seq = ++seq_;
  nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) return errno;
  const std::uint32_t portid = mnl_socket_get_portid(sock_.get());
  std::vector<char> buffer(65536);
  for (;;) {
    pollfd pfd{mnl_socket_get_fd(sock_.get()), POLLIN, 0};
    const int ready = poll(&pfd, 1, kReplyTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ETIMEDOUT;
    const ssize_t n = mnl_socket_recvfrom(sock_.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    int remaining = static_cast<int>(n);
    for (auto* m = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(m, remaining);
         m = mnl_nlmsg_next(m, &remaining)) {
      if (m->nlmsg_seq != seq_ || (m->nlmsg_pid != 0 && m->nlmsg_pid != portid)) continue;
      if (m->nlmsg_type == NLMSG_DONE) return 0;
      if (m->nlmsg_type == NLMSG_ERROR) {
        return -static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(m))->error;
      }
      on_message(m);
    }
  }
}

std::variant<std::vector<LinkFacts>, std::string> RtnlClient::links() {
  alignas(nlmsghdr) std::array<char, 512> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_DUMP;
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  std::vector<LinkFacts> out;
  const int err = transact(nlh, [&](const nlmsghdr* m) {
    if (m->nlmsg_type != RTM_NEWLINK) return;
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(m));
    LinkFacts l;
    l.ifindex = ifi->ifi_index;
    l.loopback = (ifi->ifi_flags & IFF_LOOPBACK) != 0;
    l.noarp = (ifi->ifi_flags & IFF_NOARP) != 0;
    l.up = (ifi->ifi_flags & IFF_UP) != 0;
    for_each_attr(m, sizeof(ifinfomsg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == IFLA_IFNAME) {
        l.name = mnl_attr_get_str(attr);
      } else if (mnl_attr_get_type(attr) == IFLA_LINKINFO) {
        for_each_nested(attr, [&](const nlattr* nested) {
          if (mnl_attr_get_type(nested) == IFLA_INFO_KIND) l.kind = mnl_attr_get_str(nested);
        });
      }
    });
    out.push_back(std::move(l));
  });
  if (err != 0) return rtnl_error("listing interfaces", err);
  return out;
}

std::variant<std::vector<AddressFacts>, std::string> RtnlClient::ipv4_addresses() {
  auto links_or = links();
  if (auto* e = std::get_if<std::string>(&links_or)) return *e;
  std::map<int, const LinkFacts*> by_index;
  for (const auto& l : std::get<std::vector<LinkFacts>>(links_or)) by_index[l.ifindex] = &l;

  alignas(nlmsghdr) std::array<char, 512> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_DUMP;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  std::vector<AddressFacts> out;
  const int err = transact(nlh, [&](const nlmsghdr* m) {
    if (m->nlmsg_type != RTM_NEWADDR) return;
    const auto* a = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(m));
    if (a->ifa_family != AF_INET) return;
    AddressFacts f;
    f.ifindex = static_cast<int>(a->ifa_index);
    f.prefix_len = a->ifa_prefixlen;
    bool have_local = false;
    for_each_attr(m, sizeof(ifaddrmsg), [&](const nlattr* attr) {
      // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links.
      if (mnl_attr_get_type(attr) == IFA_LOCAL && mnl_attr_get_payload_len(attr) == 4) {
        std::uint32_t be;
        std::memcpy(&be, mnl_attr_get_payload(attr), 4);
        f.address = ntohl(be);
        have_local = true;
      } else if (mnl_attr_get_type(attr) == IFA_ADDRESS && !have_local &&
                 mnl_attr_get_payload_len(attr) == 4) {
        std::uint32_t be;
        std::memcpy(&be, mnl_attr_get_payload(attr), 4);
        f.address = ntohl(be);
      }
    });
    auto it = by_index.find(f.ifindex);
    if (it != by_index.end()) {
      f.interface = it->second->name;
      f.arp_capable = !it->second->loopback && !it->second->noarp;
    }
    out.push_back(std::move(f));
  });
  if (err != 0) return rtnl_error("listing IPv4 addresses", err);
  return out;
}

namespace {

nlmsghdr* address_request(char* buf, std::uint16_t type, std::uint16_t flags, int ifindex,
                          Ipv4 address, std::uint8_t prefix_len) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = prefix_len;
  // Scope global, as `ip addr add VIP/32 dev lo` gives (iproute2 uses host scope only for
  // 127/8): replies to clients leave with the VIP as their source, which is the point of DR.
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<unsigned>(ifindex);
  const std::uint32_t be = htonl(address);
  mnl_attr_put(nlh, IFA_LOCAL, 4, &be);
  mnl_attr_put(nlh, IFA_ADDRESS, 4, &be);
  return nlh;
}

}  // namespace

std::optional<std::string> RtnlClient::add_address(const LinkFacts& link, Ipv4 address,
                                                   std::uint8_t prefix_len) {
  alignas(nlmsghdr) std::array<char, 512> buf{};
  nlmsghdr* nlh = address_request(buf.data(), RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, link.ifindex,
                                  address, prefix_len);
  const int err = transact(nlh, [](const nlmsghdr*) {});
  if (err == 0 || err == EEXIST) return std::nullopt;
  return rtnl_error("adding " + describe(address, prefix_len, link.name), err);
}

std::optional<std::string> RtnlClient::delete_address(const LinkFacts& link, Ipv4 address,
                                                      std::uint8_t prefix_len) {
  alignas(nlmsghdr) std::array<char, 512> buf{};
  nlmsghdr* nlh = address_request(buf.data(), RTM_DELADDR, 0, link.ifindex, address, prefix_len);
  const int err = transact(nlh, [](const nlmsghdr*) {});
  if (err == 0 || err == EADDRNOTAVAIL || err == ENODEV) return std::nullopt;
  return rtnl_error("deleting " + describe(address, prefix_len, link.name), err);
}

std::optional<std::string> RtnlClient::create_dummy(const std::string& name) {
  alignas(nlmsghdr) std::array<char, 512> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWLINK;
  nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
  mnl_attr_nest_end(nlh, info);
  const int err = transact(nlh, [](const nlmsghdr*) {});
  if (err == 0 || err == EEXIST) return std::nullopt;
  std::string m = rtnl_error("creating dummy device " + name, err);
  if (err == EOPNOTSUPP) m += " (the kernel lacks the dummy driver: CONFIG_DUMMY; use lo)";
  return m;
}

std::optional<std::string> RtnlClient::set_up(const LinkFacts& link) {
  alignas(nlmsghdr) std::array<char, 512> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWLINK;
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = link.ifindex;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  const int err = transact(nlh, [](const nlmsghdr*) {});
  if (err == 0) return std::nullopt;
  return rtnl_error("setting " + link.name + " up", err);
}

std::optional<std::string> RtnlClient::delete_link(const LinkFacts& link) {
  alignas(nlmsghdr) std::array<char, 512> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_DELLINK;
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = link.ifindex;
  const int err = transact(nlh, [](const nlmsghdr*) {});
  if (err == 0 || err == ENODEV) return std::nullopt;
  return rtnl_error("deleting device " + link.name, err);
}

std::variant<RtnlMonitor, std::string> RtnlMonitor::open() {
  base::UniqueMnlSocket sock(mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!sock ||
      mnl_socket_bind(sock.get(), RTMGRP_IPV4_IFADDR | RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
    return rtnl_error("subscribing to address changes", errno);
  }
  return RtnlMonitor(std::move(sock));
}

int RtnlMonitor::fd() const { return mnl_socket_get_fd(sock_.get()); }

bool RtnlMonitor::drain() {
  std::array<char, 16384> buffer;
  bool any = false;
  for (;;) {
    const ssize_t n = mnl_socket_recvfrom(sock_.get(), buffer.data(), buffer.size());
    if (n > 0) {
      any = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // ENOBUFS: notifications were lost; whatever they said, a check finds out.
    if (n < 0 && errno == ENOBUFS) {
      any = true;
      continue;
    }
    return any;  // EAGAIN: drained
  }
}

}  // namespace lvs::agent
