// The thread a reload is prepared on (daemon/reload.h: read, parse, validate, diff), so the
// packet thread never waits for a file, a parser or a loader — whatever the file holds. One
// reload at a time; the result is handed over under a mutex and announced on an eventfd the
// event loop watches (DirectorEvent::Reload). The worker sees only the path and an immutable
// copy of the running configuration model, never the live tables.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "base/unique_fd.h"
#include "config/model.h"
#include "daemon/reload.h"

namespace lvs {

class ReloadWorker {
 public:
  static std::variant<std::unique_ptr<ReloadWorker>, std::string> open();
  ReloadWorker(const ReloadWorker&) = delete;
  ReloadWorker& operator=(const ReloadWorker&) = delete;
  // Waits for a reload still being prepared (the loader is bounded by the file size cap).
  ~ReloadWorker();

  // Readable when a prepared reload is waiting in take().
  int fd() const { return event_.get(); }
  // A reload was started and not yet taken.
  bool busy() const { return busy_; }

  // Prepares a reload of `path` against `running` on the worker thread, which uses `nft` until
  // take() returns the result. Call only when !busy().
  void start(std::string path, std::shared_ptr<const config::DirectorConfig> running,
             io::NftInstaller& nft);
  // The prepared reload, once fd() was readable; nullopt if it is not ready yet.
  std::optional<PreparedReload> take();
  // Waits for a reload being prepared to finish (shutdown: the worker may be using the
  // installer the shutdown removes the rules with).
  void wait();

 private:
  explicit ReloadWorker(base::UniqueFd event) : event_(std::move(event)) {}

  base::UniqueFd event_;
  std::thread thread_;
  bool busy_ = false;
  std::mutex mutex_;
  std::optional<PreparedReload> result_;  // guarded by mutex_
};

}  // namespace lvs
