// `vip-mode: managed`: the director claims its VIPs itself, as keepalived does for a VRRP
// master, but checking first that nobody else holds them:
//
//   probe()    RFC 5227 duplicate address detection for every VIP at once (neigh/
//              duplicate_address_detection.h; blocks 1-7 s at start-up); any host answering for
//              a VIP, or probing for it too, refuses the start with its MAC
//   claim()    adds each VIP as /32 on the director's interface (rtnetlink) and sends the first
//              gratuitous ARP announcement; tick() sends the rest (ANNOUNCE_NUM 2,
//              ANNOUNCE_INTERVAL 2 s), so clients and switches learn the director's MAC without
//              asking
//   release()  deletes the VIPs again (clean exit); the destructor does it too, so a start that
//              fails after claim() leaves nothing behind
//
// A VIP that is already on the interface when the director starts (a previous director killed
// with SIGKILL, or an operator's `ip addr add`) is adopted: probed like the others (our own
// kernel does not answer our probes), announced, and removed at exit like the others — managed
// mode means the director owns its VIPs.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "config/net_address.h"
#include "io/interface_addresses.h"
#include "io/vip_arp_socket.h"

namespace lvs {

class ManagedVips {
 public:
  using Log = void (*)(const std::string&);

  // Opens the ARP and rtnetlink sockets on `interface` and runs duplicate address detection for
  // `vips`. An error names the VIP and the MAC of the host that holds it.
  static std::variant<ManagedVips, std::string> probe(const std::string& interface,
                                                      std::vector<Ipv4> vips, Log log);
  ManagedVips(ManagedVips&&) noexcept = default;
  ManagedVips& operator=(ManagedVips&&) = delete;
  ~ManagedVips();

  // Adds every VIP and announces it once; on error the ones added are removed again.
  std::string claim(std::uint64_t now_ms);
  // The remaining announcements, when due (call it from the periodic timer).
  void tick(std::uint64_t now_ms);
  // Deletes the VIPs claim() added or adopted; one message per failure.
  std::vector<std::string> release();

  const std::vector<Ipv4>& vips() const { return vips_; }

 private:
  ManagedVips(io::VipArpSocket arp, io::InterfaceAddresses addresses, std::vector<Ipv4> vips,
              Log log)
      : arp_(std::move(arp)), addresses_(std::move(addresses)), vips_(std::move(vips)), log_(log) {}
  void announce();

  io::VipArpSocket arp_;
  io::InterfaceAddresses addresses_;
  std::vector<Ipv4> vips_;
  std::vector<Ipv4> owned_;  // on the interface because of us: removed by release()
  Log log_;
  std::uint32_t announcements_left_ = 0;
  std::uint64_t next_announcement_ms_ = 0;
};

}  // namespace lvs
