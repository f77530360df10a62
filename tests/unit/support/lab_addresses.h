// The lab's addresses (deploy/lab/lab.sh) as the unit tests use them, in host order: the client,
// the director, the VIP and the real servers of 10.200.0.0/24, with the MACs the tests give the
// servers. `ep("10.200.0.11:80")` for an endpoint written out.
#pragma once

#include "config/net_address.h"

namespace lvs::test {

inline constexpr Ipv4 kClient = 0x0ac8000a;    // 10.200.0.10
inline constexpr Ipv4 kDirector = 0x0ac80002;  // 10.200.0.2
inline constexpr Ipv4 kVip = 0x0ac80064;       // 10.200.0.100
inline constexpr Ipv4 kRs1 = 0x0ac8000b;       // 10.200.0.11
inline constexpr Ipv4 kRs2 = 0x0ac8000c;       // 10.200.0.12
inline constexpr MacAddress kOurMac{0x02, 0, 0, 0, 0, 0x02};
inline constexpr MacAddress kMac1{0x02, 0, 0, 0, 0, 0x0b};
inline constexpr MacAddress kMac2{0x02, 0, 0, 0, 0, 0x0c};
inline constexpr MacAddress kMacX{0x02, 0, 0, 0, 0, 0xee};  // a stranger

inline Endpoint ep(const char* text) { return *parse_endpoint(text); }

}  // namespace lvs::test
