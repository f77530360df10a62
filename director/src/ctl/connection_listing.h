// The LIST-CONNECTIONS answer (lvsadm -L -c) produced in pieces: with 100k connections the whole
// answer is ~7 MB and encoding it at once costs the event loop hundreds of milliseconds of
// forwarding. The snapshot is taken at once (a consistent picture, ~1 ms per 100k entries);
// only its encoding is spread over loop iterations, `per_piece` connections per piece.
//
// head() + every piece from next() is byte for byte encode_response(snapshot,
// list_connections): the status line counts every record up front, then the protocol's own
// record encoders (ctl/control_protocol.h) write the info record and one record per connection.
#pragma once

#include <cstddef>
#include <string>

#include "ctl/snapshot.h"

namespace lvs::ctl {

class ConnectionListing {
 public:
  static constexpr std::size_t kDefaultPerPiece = 2000;  // ~150 KB, a few ms to encode

  explicit ConnectionListing(Snapshot snapshot, std::size_t per_piece = kDefaultPerPiece);

  // The status line and the info record.
  const std::string& head() const { return head_; }
  // Appends the next piece (up to per_piece connection records) to `out`; false when nothing
  // is left after it.
  bool next(std::string& out);
  bool done() const { return next_ >= snapshot_.connections.size(); }

 private:
  Snapshot snapshot_;
  std::size_t per_piece_;
  std::string head_;
  std::size_t next_ = 0;
};

}  // namespace lvs::ctl
