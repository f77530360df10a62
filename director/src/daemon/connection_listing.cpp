#include "daemon/connection_listing.h"

#include <algorithm>
#include <utility>

#include "ctl/control_protocol.h"

namespace lvs {

namespace {

// The encoder's output without its first `lines` lines.
std::string after_lines(std::string text, std::size_t lines) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < lines && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos == std::string::npos) return {};
  text.erase(0, pos);
  return text;
}

}  // namespace

ConnectionListing::ConnectionListing(ctl::Snapshot snapshot, std::size_t per_piece)
    : snapshot_(std::move(snapshot)), per_piece_(std::max<std::size_t>(per_piece, 1)) {
  // The encoder's status line and info record for this snapshot, with the count of the whole
  // answer: the info record plus one record per connection.
  auto connections = std::exchange(snapshot_.connections, {});
  head_ = std::string(ctl::kProtocolTag) + " OK " + std::to_string(connections.size() + 1) + "\n" +
          after_lines(ctl::encode_response(snapshot_, ctl::Command::list_connections), 1);
  snapshot_.connections = std::move(connections);
}

bool ConnectionListing::next(std::string& out) {
  const auto& all = snapshot_.connections;
  const std::size_t end = std::min(all.size(), next_ + per_piece_);
  ctl::Snapshot piece;
  piece.connections.assign(all.begin() + static_cast<std::ptrdiff_t>(next_),
                           all.begin() + static_cast<std::ptrdiff_t>(end));
  // Skip the piece's own status line and info record.
  out += after_lines(ctl::encode_response(piece, ctl::Command::list_connections), 2);
  next_ = end;
  return !done();
}

}  // namespace lvs
