#include "io/sysctl_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/unique_fd.h"

namespace lvs::agent {

std::optional<std::uint32_t> read_sysctl(const SysctlSetting& setting) {
  base::UniqueFd fd(::open(setting.proc_path().c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::array<char, 32> buf{};
  const ssize_t n = ::read(fd.get(), buf.data(), buf.size() - 1);
  if (n <= 0) return std::nullopt;
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(buf.data(), buf.data() + n, v);
  if (ec != std::errc{} || p == buf.data()) return std::nullopt;
  return v;
}

std::optional<std::string> write_sysctl_value(const SysctlSetting& setting, std::uint32_t value) {
  base::UniqueFd fd(::open(setting.proc_path().c_str(), O_WRONLY | O_CLOEXEC));
  std::string text = std::to_string(value) + "\n";
  if (!fd.valid() ||
      ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    std::string m = "cannot set " + setting.sysctl_name() + "=" + std::to_string(value) + " (" +
                    setting.proc_path() + "): " + std::strerror(err);
    if (err == EACCES || err == EPERM || err == EROFS) {
      m += " (needs root with CAP_NET_ADMIN, and /proc/sys mounted read-write)";
    } else if (err == ENOENT) {
      m += " (no such interface in this network namespace)";
    }
    return m;
  }
  return std::nullopt;
}

std::optional<std::string> write_sysctl(const SysctlSetting& setting) {
  return write_sysctl_value(setting, setting.value);
}

}  // namespace lvs::agent
