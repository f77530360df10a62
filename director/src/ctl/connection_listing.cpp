#include "ctl/connection_listing.h"

#include <algorithm>
#include <utility>

#include "ctl/control_protocol.h"

namespace lvs::ctl {

ConnectionListing::ConnectionListing(Snapshot snapshot, std::size_t per_piece)
    : snapshot_(std::move(snapshot)), per_piece_(std::max<std::size_t>(per_piece, 1)) {
  head_ = ok_status_line(1 + snapshot_.connections.size()) + info_record(snapshot_);
}

bool ConnectionListing::next(std::string& out) {
  const auto& all = snapshot_.connections;
  const std::size_t end = std::min(all.size(), next_ + per_piece_);
  for (std::size_t i = next_; i < end; ++i) out += connection_record(all[i]);
  next_ = end;
  return !done();
}

}  // namespace lvs::ctl
