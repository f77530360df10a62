#include "config/config_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace lvs::config {
namespace {

std::string describe_type(std::filesystem::file_type type) {
  using std::filesystem::file_type;
  switch (type) {
    case file_type::directory:
      return "a directory";
    case file_type::fifo:
      return "a FIFO";
    case file_type::character:
      return "a character device";
    case file_type::block:
      return "a block device";
    case file_type::socket:
      return "a socket";
    default:
      return "not a file";
  }
}

ReadError size_limit_error(const std::string& name, std::size_t max_bytes) {
  return {name, "larger than " + std::to_string(max_bytes >> 20) + " MiB (" +
                    std::to_string(max_bytes) + " bytes), the limit for a configuration file"};
}

// Closes on every path out.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::variant<std::string, ReadError> read_config_fd(int fd, const std::string& name,
                                                    std::size_t max_bytes) {
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: a non-blocking descriptor with nothing (yet) to read; a config is never that.
      return ReadError{name, std::strerror(errno)};
    }
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      return size_limit_error(name, max_bytes);
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

std::variant<std::string, ReadError> read_config_file(const std::string& path,
                                                      std::size_t max_bytes) {
  // The type and size first, following symlinks (a link to a regular file is the usual
  // /etc/... arrangement); this is the check that gives the operator a clear reason.
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec) return ReadError{path, ec.message()};
  if (status.type() != std::filesystem::file_type::regular) {
    return ReadError{path, "not a regular file (" + describe_type(status.type()) + ")"};
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) return size_limit_error(path, max_bytes);
  // The file can be swapped between that check and open(): O_NONBLOCK keeps a FIFO put there
  // from blocking open() or read(), and the read stops at max_bytes whatever the file became,
  // so the race costs at most a refused file, never a hang or an unbounded read.
  FdCloser file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) return ReadError{path, std::strerror(errno)};
  return read_config_fd(file.fd, path, max_bytes);
}

}  // namespace lvs::config
