// Unix stream sockets for the control-socket tests (io_control_server_test.cpp,
// io_control_client_test.cpp): a private temporary directory to put them in, and the socket
// file a killed daemon leaves behind.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

namespace lvs::test {

// A new directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const char* prefix = "lvs-test") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline sockaddr_un unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  return addr;
}

// A socket file bound at `path` and never listened on, its descriptor closed: what a killed
// director leaves behind (connecting to it is refused). Call it in ASSERT_NO_FATAL_FAILURE().
inline void leave_stale_socket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const sockaddr_un addr = unix_address(path);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int error = errno;
  ::close(fd);
  ASSERT_EQ(bound, 0) << std::strerror(error);
}

}  // namespace lvs::test
