// ipvsadm's listings, byte for byte, from a Snapshot: `-L -n` and its `--stats`, `--rate`,
// `--thresholds`, `--persistent-conn` and `--exact` variants, `-L -n -t|-u|-f SERVICE`, `-L -n -c`
// and `-L --timeout`. Operators and their scripts grep and awk these, so the column widths,
// number abbreviations and sort order follow ipvsadm.c (print_title, print_service_entry,
// print_largenum, print_conn) and libipvs (ipvs_cmp_services, ipvs_cmp_dests) exactly.
//
// Addresses are always printed numerically: the director has no resolver, so `-L` without `-n`
// prints what `-L -n` does (ipvsadm would look names up in DNS and /etc/services).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ctl/snapshot.h"

namespace lvs::ctl {

enum class ListView : std::uint8_t {
  plain,            // Forward Weight ActiveConn InActConn
  stats,            // --stats
  rate,             // --rate
  thresholds,       // --thresholds
  persistent_conn,  // --persistent-conn
};

struct ListFormat {
  ListView view = ListView::plain;
  bool exact = false;  // --exact: no K/M/G/T abbreviation
  bool sort = true;    // --nosort turns it off
};

// `ipvsadm -L -n [...]`: the version line, the title, every service with its destinations.
std::string format_listing(const Snapshot& snapshot, const ListFormat& format);

// `ipvsadm -L -n -t|-u|-f SERVICE [...]`: title and that one service (no version line).
std::string format_service(const ServiceSnapshot& service, const ListFormat& format);

// `ipvsadm -L -n -c`: "IPVS connection entries", the header, one line per connection.
std::string format_connections(const std::vector<ConnectionSnapshot>& connections);

// `ipvsadm -L --timeout`: "Timeout (tcp tcpfin udp): 900 120 300".
std::string format_timeouts(const Timeouts& timeouts);

// One numeric column as print_largenum() writes it: 9 wide; abbreviated with K/M/G/T from 100
// million up unless `exact` (then widened to fit, still with one leading space).
std::string format_largenum(std::uint64_t value, bool exact);

// ipvsadm's orders: services by fwmark, protocol, address, port (so TCP/UDP services, which
// have fwmark 0, come before fwmark services); destinations by address, then port.
std::vector<ServiceSnapshot> sorted_services(const std::vector<ServiceSnapshot>& services);
std::vector<DestinationSnapshot> sorted_destinations(
    const std::vector<DestinationSnapshot>& destinations);

}  // namespace lvs::ctl
