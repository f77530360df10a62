// Reading a configuration (or simulator event) file without trusting it: only a regular file
// (a symlink to one is fine), at most kMaxConfigFileBytes, never blocking. A FIFO would block
// open() forever, /dev/zero (or a symlink to it) would be read until memory runs out, a directory
// fails late with EISDIR: each is refused up front with a one-line reason. No globals: safe to
// call from any thread (the director reads on its reload worker).
#pragma once

#include <cstddef>
#include <string>
#include <variant>

namespace lvs::config {

// Why a file could not be read: "PATH: REASON" as one line.
struct ReadError {
  std::string name;    // the path (or "<stdin>")
  std::string reason;  // strerror, "not a regular file (a FIFO)", "larger than 16 MiB ..."
  std::string to_string() const { return name + ": " + reason; }
};

// 16 MiB: the largest real configuration we know of (200k real servers, config/README.md) is
// about 9 MiB; the cap is what a hostile or mistaken file can cost before parsing begins.
inline constexpr std::size_t kMaxConfigFileBytes = 16u << 20;

// The file's whole content, or why not.
std::variant<std::string, ReadError> read_config_file(const std::string& path,
                                                      std::size_t max_bytes = kMaxConfigFileBytes);

// Everything readable from an already open descriptor (standard input for `--events -`), at
// most `max_bytes`, else why not (naming `name`). Blocks as a read of that descriptor
// does (a pipe waits for its writer), but never reads more than max_bytes + 1 bytes.
std::variant<std::string, ReadError> read_config_fd(int fd, const std::string& name,
                                                    std::size_t max_bytes = kMaxConfigFileBytes);

}  // namespace lvs::config
