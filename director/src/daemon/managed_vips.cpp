#include "daemon/managed_vips.h"

#include <algorithm>

#include "base/signal_source.h"
#include "base/timers.h"  // monotonic_ms
#include "neigh/duplicate_address_detection.h"
#include "packet/arp_frame.h"

namespace lvs {

namespace {

// RFC 5227 §1.1.
constexpr std::uint32_t kAnnounceNum = 2;
constexpr std::uint64_t kAnnounceIntervalMs = 2000;

}  // namespace

std::variant<ManagedVips, std::string> ManagedVips::probe(const std::string& interface,
                                                          std::vector<Ipv4> vips, Log log) {
  auto arp = io::VipArpSocket::open(interface);
  if (auto* err = std::get_if<std::string>(&arp)) return "vip-mode managed: " + *err;
  auto addresses = io::InterfaceAddresses::open();
  if (auto* err = std::get_if<std::string>(&addresses)) return "vip-mode managed: " + *err;
  ManagedVips m(std::move(std::get<io::VipArpSocket>(arp)),
                std::move(std::get<io::InterfaceAddresses>(addresses)), std::move(vips), log);

  std::mt19937 engine(std::random_device{}());
  UniformRandom random = [&engine](std::uint32_t low, std::uint32_t high) {
    return std::uniform_int_distribution<std::uint32_t>(low, high)(engine);
  };
  const std::uint64_t start = base::monotonic_ms();
  std::vector<DuplicateAddressDetection> dads;
  std::string list;
  for (Ipv4 vip : m.vips_) {
    dads.emplace_back(vip, m.arp_.mac(), start, random);
    list += (list.empty() ? "" : ", ") + format_ipv4(vip);
  }
  if (dads.empty()) return m;
  log("vip-mode managed: duplicate address detection for " + list + " on " + interface +
      " (RFC 5227 probes from " + format_mac(m.arp_.mac()) + ")");

  for (;;) {
    const std::uint64_t now = base::monotonic_ms();
    std::optional<std::uint64_t> next;
    for (auto& dad : dads) {
      if (dad.poll(now)) {
        if (auto err = m.arp_.send(arp_probe(m.arp_.mac(), dad.address())); !err.empty()) {
          return "vip-mode managed: " + err;
        }
      }
      if (auto d = dad.next_deadline()) next = next ? std::min(*next, *d) : *d;
    }
    if (!next) break;  // every VIP decided
    const int wait_ms = *next > now ? static_cast<int>(*next - now) : 0;
    if (auto packet = m.arp_.receive(wait_ms)) {
      for (auto& dad : dads) {
        dad.observe(*packet);
        if (dad.outcome() == DadOutcome::Conflict) {
          return "vip-mode managed: VIP " + format_ipv4(dad.address()) + " is already in use on " +
                 interface + " by " + format_mac(dad.conflicting_mac()) +
                 " (it answered or probed during duplicate address detection); remove it "
                 "there or use `vip-mode: external`";
        }
      }
    }
  }
  log("vip-mode managed: no other host holds " + list + " (" +
      std::to_string(base::monotonic_ms() - start) + " ms)");
  return m;
}

ManagedVips::~ManagedVips() { release(); }

std::string ManagedVips::claim(std::uint64_t now_ms) {
  for (Ipv4 vip : vips_) {
    auto added = addresses_.add(arp_.ifindex(), vip);
    if (auto* err = std::get_if<std::string>(&added)) {
      std::string message = "vip-mode managed: " + *err;
      release();
      return message;
    }
    owned_.push_back(vip);
    log_("vip-mode managed: " + format_ipv4(vip) + "/32 " +
         (std::get<io::AddressAdd>(added) == io::AddressAdd::Added
              ? "added to "
              : "was already on (adopted; removed at exit) ") +
         arp_.interface());
  }
  announcements_left_ = kAnnounceNum;
  next_announcement_ms_ = now_ms;
  tick(now_ms);
  return {};
}

void ManagedVips::tick(std::uint64_t now_ms) {
  if (announcements_left_ == 0 || now_ms < next_announcement_ms_) return;
  announce();
  --announcements_left_;
  next_announcement_ms_ = now_ms + kAnnounceIntervalMs;
}

void ManagedVips::announce() {
  for (Ipv4 vip : owned_) {
    // An ARP request with sender = target = VIP (RFC 5227 announcement, arping -U): what
    // neighbours with an entry for the VIP update it from.
    if (auto err = arp_.send(arp_gratuitous(arp_.mac(), vip)); !err.empty()) {
      log_("warning: gratuitous ARP for " + format_ipv4(vip) + ": " + err);
    }
  }
  log_("vip-mode managed: announced " + std::to_string(owned_.size()) + " VIP(s) at " +
       format_mac(arp_.mac()) + " (gratuitous ARP " +
       std::to_string(kAnnounceNum - announcements_left_ + 1) + "/" + std::to_string(kAnnounceNum) +
       ")");
}

std::vector<std::string> ManagedVips::release() {
  std::vector<std::string> errors;
  for (Ipv4 vip : owned_) {
    if (auto err = addresses_.remove(arp_.ifindex(), vip); !err.empty()) {
      errors.push_back(err);
    } else {
      log_("vip-mode managed: " + format_ipv4(vip) + "/32 removed from " + arp_.interface());
    }
  }
  owned_.clear();
  announcements_left_ = 0;
  return errors;
}

}  // namespace lvs
