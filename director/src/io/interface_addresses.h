// rtnetlink (libmnl) for the director's managed VIPs: add and delete an IPv4 /32 on an
// interface, as `ip addr add|del VIP/32 dev IF` does (RTM_NEWADDR / RTM_DELADDR, scope global).
// One request at a time, each acknowledged by the kernel before the call returns.
#pragma once

#include <string>
#include <variant>

#include "base/unique_nftnl.h"
#include "config/net_address.h"

namespace lvs::io {

enum class AddressAdd : std::uint8_t {
  Added,           // the address was not there and now is
  AlreadyPresent,  // EEXIST: someone (or a previous run) configured it already
};

class InterfaceAddresses {
 public:
  static std::variant<InterfaceAddresses, std::string> open();

  // `ip addr add IP/32 dev IFINDEX`; an error names the address and the errno.
  std::variant<AddressAdd, std::string> add(int ifindex, Ipv4 ip);
  // `ip addr del IP/32 dev IFINDEX`; an address that is already gone is not an error.
  std::string remove(int ifindex, Ipv4 ip);

 private:
  explicit InterfaceAddresses(base::UniqueMnlSocket sock, unsigned portid)
      : sock_(std::move(sock)), portid_(portid) {}
  // Sends one request and waits for its ack; 0 or the kernel's errno.
  int request(int type, int flags, int ifindex, Ipv4 ip);

  base::UniqueMnlSocket sock_;
  unsigned portid_ = 0;
  unsigned seq_ = 0;
};

}  // namespace lvs::io
