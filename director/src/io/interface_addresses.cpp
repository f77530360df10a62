#include "io/interface_addresses.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace lvs::io {

std::variant<InterfaceAddresses, std::string> InterfaceAddresses::open() {
  base::UniqueMnlSocket sock(mnl_socket_open(NETLINK_ROUTE));
  if (!sock) return std::string("rtnetlink: cannot open socket: ") + std::strerror(errno);
  if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return std::string("rtnetlink: cannot bind: ") + std::strerror(errno);
  }
  // A kernel that never answers must not hang start-up or shutdown.
  timeval tv{5, 0};
  setsockopt(mnl_socket_get_fd(sock.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  const unsigned portid = mnl_socket_get_portid(sock.get());
  return InterfaceAddresses(std::move(sock), portid);
}

int InterfaceAddresses::request(int type, int flags, int ifindex, Ipv4 ip) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = static_cast<std::uint16_t>(type);
  nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  nlh->nlmsg_seq = ++seq_ + static_cast<unsigned>(time(nullptr));
  const unsigned seq = nlh->nlmsg_seq;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = 32;
  ifa->ifa_flags = 0;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<unsigned>(ifindex);
  const std::uint32_t be = htonl(ip);
  mnl_attr_put_u32(nlh, IFA_LOCAL, be);
  mnl_attr_put_u32(nlh, IFA_ADDRESS, be);

  if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) return errno;
  for (;;) {
    const ssize_t n = mnl_socket_recvfrom(sock_.get(), buf.data(), buf.size());
    if (n < 0) return errno == EAGAIN ? ETIMEDOUT : errno;
    // mnl_cb_run turns an NLMSG_ERROR ack into its errno (0 for success: MNL_CB_STOP).
    const int rc =
        mnl_cb_run(buf.data(), static_cast<std::size_t>(n), seq, portid_, nullptr, nullptr);
    if (rc == MNL_CB_ERROR) return errno;
    if (rc == MNL_CB_STOP) return 0;
  }
}

std::variant<AddressAdd, std::string> InterfaceAddresses::add(int ifindex, Ipv4 ip) {
  const int err = request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, ip);
  if (err == 0) return AddressAdd::Added;
  if (err == EEXIST) return AddressAdd::AlreadyPresent;
  return "rtnetlink: cannot add " + format_ipv4(ip) + "/32 (ifindex " + std::to_string(ifindex) +
         "): " + std::strerror(err) + (err == EPERM ? " (needs CAP_NET_ADMIN)" : "");
}

std::string InterfaceAddresses::remove(int ifindex, Ipv4 ip) {
  const int err = request(RTM_DELADDR, 0, ifindex, ip);
  if (err == 0 || err == EADDRNOTAVAIL || err == ENODEV) return {};
  return "rtnetlink: cannot delete " + format_ipv4(ip) + "/32 (ifindex " + std::to_string(ifindex) +
         "): " + std::strerror(err);
}

}  // namespace lvs::io
