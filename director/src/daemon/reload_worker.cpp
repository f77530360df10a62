#include "daemon/reload_worker.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace lvs {

std::variant<std::unique_ptr<ReloadWorker>, std::string> ReloadWorker::open() {
  base::UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd.valid()) return std::string("reload worker: eventfd: ") + std::strerror(errno);
  return std::unique_ptr<ReloadWorker>(new ReloadWorker(std::move(fd)));
}

ReloadWorker::~ReloadWorker() {
  if (thread_.joinable()) thread_.join();
}

void ReloadWorker::start(std::string path, std::shared_ptr<const config::DirectorConfig> running,
                         io::NftInstaller& nft) {
  if (thread_.joinable()) thread_.join();  // the previous one has posted its result already
  busy_ = true;
  thread_ = std::thread([this, &nft, path = std::move(path), running = std::move(running)] {
    PreparedReload prepared = prepare_reload(path, *running, nft);
    {
      std::lock_guard lock(mutex_);
      result_.emplace(std::move(prepared));
    }
    const std::uint64_t one = 1;
    // An eventfd write of 1 cannot fail short of overflowing 2^64-1 posts.
    (void)::write(event_.get(), &one, sizeof one);
  });
}

void ReloadWorker::wait() {
  if (thread_.joinable()) thread_.join();
}

std::optional<PreparedReload> ReloadWorker::take() {
  std::uint64_t count = 0;
  (void)::read(event_.get(), &count, sizeof count);
  std::optional<PreparedReload> out;
  {
    std::lock_guard lock(mutex_);
    out.swap(result_);
  }
  if (out) {
    if (thread_.joinable()) thread_.join();
    busy_ = false;
  }
  return out;
}

}  // namespace lvs
