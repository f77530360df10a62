// RFC 5227 duplicate address detection for one IPv4 address we are about to claim (a managed
// VIP), as `arping -D` does it but with the RFC's timing: wait PROBE_WAIT (random 0-1 s), send
// PROBE_NUM (3) probes PROBE_MIN..PROBE_MAX (1-2 s, random) apart, then wait ANNOUNCE_WAIT (2 s)
// after the last one. The address is ours only if nobody objected by then.
//
// An objection (RFC 5227 §2.1.1) is any ARP packet, request or reply, whose sender IP is the
// address (someone uses it), or an ARP probe (sender IP 0.0.0.0) whose target IP is the address
// from another MAC (someone else is probing for it at the same time). Packets from our own MAC
// are ignored: a switch may reflect our own probes.
//
// Pure: the clock is a parameter and the randomness an injected function, so tests drive both.
// The owner sends a probe whenever poll() says so and feeds every received ARP packet to
// observe().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "config/net_address.h"
#include "model/time_ms.h"
#include "packet/arp_frame.h"

namespace lvs {

// RFC 5227 §1.1 constants, in ms.
struct DadTiming {
  std::uint32_t probe_wait_ms = 1000;     // PROBE_WAIT: initial random delay, 0..this
  std::uint32_t probe_num = 3;            // PROBE_NUM
  std::uint32_t probe_min_ms = 1000;      // PROBE_MIN
  std::uint32_t probe_max_ms = 2000;      // PROBE_MAX
  std::uint32_t announce_wait_ms = 2000;  // ANNOUNCE_WAIT: after the last probe
};

// Uniform random integer in [low, high] (inclusive).
using UniformRandom = std::function<std::uint32_t(std::uint32_t low, std::uint32_t high)>;

enum class DadOutcome : std::uint8_t {
  InProgress,
  Available,  // nobody objected: the address may be configured and announced
  Conflict,   // another host uses or claims it: conflicting_mac() says who
};

class DuplicateAddressDetection {
 public:
  DuplicateAddressDetection(Ipv4 address, const MacAddress& our_mac, TimeMs now,
                            UniformRandom random, DadTiming timing = {});

  // Advances to `now`; true when a probe is due now (the caller sends arp_probe() once).
  bool poll(TimeMs now);
  // Looks at one received ARP packet; a conflict ends detection at once.
  void observe(const ArpPacket& packet);

  DadOutcome outcome() const { return outcome_; }
  // When poll() next has something to do (nullopt once finished).
  std::optional<TimeMs> next_deadline() const;
  // The MAC of the host that objected (valid when outcome() is Conflict).
  const MacAddress& conflicting_mac() const { return conflicting_mac_; }
  Ipv4 address() const { return address_; }
  std::uint32_t probes_sent() const { return probes_sent_; }

 private:
  Ipv4 address_;
  MacAddress our_mac_;
  UniformRandom random_;
  DadTiming timing_;
  DadOutcome outcome_ = DadOutcome::InProgress;
  TimeMs deadline_;  // next probe, or the end of ANNOUNCE_WAIT after the last one
  std::uint32_t probes_sent_ = 0;
  MacAddress conflicting_mac_{};
};

}  // namespace lvs
