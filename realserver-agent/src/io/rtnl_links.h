// rtnetlink (libmnl) for what the agent does to interfaces and addresses: list links and IPv4
// addresses, add or delete a VIP as a /32, create or delete a dummy VIP device, and a separate
// socket subscribed to address/link changes, so a removed VIP is noticed (and put back) at once
// instead of at the next periodic check.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/unique_nftnl.h"  // UniqueMnlSocket
#include "core/host_facts.h"

namespace lvs::agent {

class RtnlClient {
 public:
  static std::variant<RtnlClient, std::string> open();

  std::variant<std::vector<LinkFacts>, std::string> links();
  std::variant<std::vector<AddressFacts>, std::string> ipv4_addresses();

  // Adding an address that is already there is not an error; neither is deleting one that is not.
  std::optional<std::string> add_address(const LinkFacts& link, Ipv4 address,
                                         std::uint8_t prefix_len);
  std::optional<std::string> delete_address(const LinkFacts& link, Ipv4 address,
                                            std::uint8_t prefix_len);
  std::optional<std::string> create_dummy(const std::string& name);
  std::optional<std::string> set_up(const LinkFacts& link);
  std::optional<std::string> delete_link(const LinkFacts& link);

 private:
  explicit RtnlClient(base::UniqueMnlSocket sock, std::uint32_t seq)
      : sock_(std::move(sock)), seq_(seq) {}
  // Sends `nlh` and reads replies until the ACK or the end of the dump, giving each data message
  // to `on_message`. Returns the errno (0 = success).
  template <typename OnMessage>
  int transact(struct nlmsghdr* nlh, OnMessage&& on_message);

  base::UniqueMnlSocket sock_;
  std::uint32_t seq_ = 0;
};

// Subscribed to RTMGRP_IPV4_IFADDR and RTMGRP_LINK. The daemon polls fd() and calls drain().
class RtnlMonitor {
 public:
  static std::variant<RtnlMonitor, std::string> open();
  int fd() const;
  // Reads every pending notification; true if any (or if the socket overflowed and some were
  // lost, which also calls for a check).
  bool drain();

 private:
  explicit RtnlMonitor(base::UniqueMnlSocket sock) : sock_(std::move(sock)) {}
  base::UniqueMnlSocket sock_;
};

}  // namespace lvs::agent
