#include "service/virtual_service.h"

#include <algorithm>
#include <utility>

namespace lvs {

VirtualService::VirtualService(config::ServiceKey key, std::unique_ptr<Scheduler> scheduler,
                               SchedulerFlags flags)
    : key_(std::move(key)), scheduler_(std::move(scheduler)), flags_(flags) {}

VirtualService::~VirtualService() {
  // The scheduler may hold references into owned_/trash_ (lblc entries): drop it first.
  scheduler_.reset();
}

Destination* VirtualService::find(const Endpoint& address) const {
  auto it = by_address_.find(address_key(address));
  return it == by_address_.end() ? nullptr : it->second;
}

void VirtualService::update_params(Destination& dest, const DestinationParams& params, bool add) {
  dest.weight = params.weight;
  // "keep the last_weight with latest non-0 weight"
  if (add || params.weight != 0) dest.last_weight = params.weight;
  // __ip_vs_update_dest(), for -a and -e alike: only raising or clearing the upper threshold
  // clears the overload flag. A new destination has none set; one revived from the trash keeps
  // it, since the connections that set it still count against the server (ip_vs_unbind_dest()
  // clears it as they close).
  if (params.u_threshold == 0 || params.u_threshold > dest.u_threshold) dest.overloaded = false;
  dest.u_threshold = params.u_threshold;
  dest.l_threshold = params.l_threshold;
}

Destination* VirtualService::add_destination(const Endpoint& address,
                                             const DestinationParams& params) {
  if (find(address) != nullptr) return nullptr;
  std::unique_ptr<Destination> dest;
  // ip_vs_trash_get_dest(): a deleted destination with the same address comes back as it was.
  auto it = std::find_if(trash_.begin(), trash_.end(),
                         [&](const auto& d) { return d->address == address; });
  if (it != trash_.end()) {
    dest = std::move(*it);
    trash_.erase(it);
  } else {
    dest = std::make_unique<Destination>();
    dest->address = address;
  }
  dest->service = this;
  update_params(*dest, params, /*add=*/true);
  dest->available = true;
  dest->list_seq = next_seq_++;
  dest->sched_slot = Destination::kNoSlot;
  dest->sched_mark = false;
  Destination* raw = dest.get();
  owned_.push_back(std::move(dest));
  list_.push_front(raw);  // list_add_rcu(): the head
  by_address_.emplace(address_key(address), raw);
  scheduler_->destination_added(destinations(), *raw);
  return raw;
}

bool VirtualService::edit_destination(const Endpoint& address, const DestinationParams& params) {
  Destination* dest = find(address);
  if (dest == nullptr) return false;
  update_params(*dest, params, /*add=*/false);
  scheduler_->destination_updated(destinations(), *dest);
  return true;
}

bool VirtualService::delete_destination(const Endpoint& address) {
  auto found = by_address_.find(address_key(address));
  if (found == by_address_.end()) return false;
  Destination* dest = found->second;
  by_address_.erase(found);
  // The list is ordered by list_seq, largest (most recently linked) first.
  auto pos =
      std::lower_bound(list_.begin(), list_.end(), dest->list_seq,
                       [](const Destination* d, std::uint64_t seq) { return d->list_seq > seq; });
  std::size_t old_index = static_cast<std::size_t>(pos - list_.begin());
  list_.erase_at(old_index);
  dest->available = false;
  scheduler_->destination_removed(destinations(), *dest, old_index);
  // owned_'s order means nothing: searched from both ends (a reload deletes in file order or
  // its reverse), then swapped with the last and popped (no O(n) shift per -d).
  std::size_t at = 0;
  for (std::size_t lo = 0, hi = owned_.size(); lo < hi;) {
    if (owned_[lo].get() == dest) {
      at = lo;
      break;
    }
    if (owned_[--hi].get() == dest) {
      at = hi;
      break;
    }
    ++lo;
  }
  trash_.push_back(std::move(owned_[at]));
  std::swap(owned_[at], owned_.back());
  owned_.pop_back();
  collect_trash();
  return true;
}

void VirtualService::set_scheduler(std::unique_ptr<Scheduler> scheduler, SchedulerFlags flags) {
  scheduler_ = std::move(scheduler);
  flags_ = flags;
  // ip_vs_bind_scheduler() → init_service(): the new scheduler sees the list as it is.
  for (Destination* d : list_) {
    d->sched_slot = Destination::kNoSlot;
    d->sched_mark = false;
  }
  scheduler_->init_service(destinations());
  collect_trash();
}

Destination* VirtualService::schedule(const PacketInfo& packet, TimeMs now) {
  Destination* dest = scheduler_->schedule(destinations(), packet, now);
  if (dest == nullptr) ++no_dest_total_;
  return dest;
}

void VirtualService::bind(Destination& dest, ConnCount count) {
  ++dest.refcnt;
  switch (count) {
    case ConnCount::Active:
      ++dest.activeconns;
      break;
    case ConnCount::Inactive:
      ++dest.inactconns;
      break;
    case ConnCount::Template:
      ++dest.persistconns;
      break;
  }
  if (count != ConnCount::Template) {
    ++dest.stats.conns;
    if (dest.service != nullptr) ++dest.service->stats.conns;
  }
  // ip_vs_bind_dest()
  if (dest.u_threshold != 0 && dest.totalconns() >= dest.u_threshold) dest.overloaded = true;
  if (dest.available && dest.service != nullptr) dest.service->scheduler_->load_changed(dest);
}

void VirtualService::unbind(Destination& dest, ConnCount count) {
  switch (count) {
    case ConnCount::Active:
      --dest.activeconns;
      break;
    case ConnCount::Inactive:
      --dest.inactconns;
      break;
    case ConnCount::Template:
      --dest.persistconns;
      break;
  }
  // ip_vs_unbind_dest()
  if (dest.l_threshold != 0) {
    if (dest.totalconns() < dest.l_threshold) dest.overloaded = false;
  } else if (dest.u_threshold != 0) {
    if (std::uint64_t{dest.totalconns()} * 4 < std::uint64_t{dest.u_threshold} * 3) {
      dest.overloaded = false;
    }
  } else {
    dest.overloaded = false;
  }
  if (dest.available && dest.service != nullptr) dest.service->scheduler_->load_changed(dest);
  dest.release();
}

void VirtualService::set_active(Destination& dest, bool active) {
  if (active) {
    --dest.inactconns;
    ++dest.activeconns;
  } else {
    --dest.activeconns;
    ++dest.inactconns;
  }
  if (dest.available && dest.service != nullptr) dest.service->scheduler_->load_changed(dest);
}

void VirtualService::set_dead(Destination& dest, bool dead) {
  if (dest.dead == dead) return;
  dest.dead = dead;
  if (dest.available && dest.service != nullptr) dest.service->scheduler_->load_changed(dest);
}

void VirtualService::retire() {
  // Every destination unlinked at once, in O(n): the scheduler is dropped anyway, so it need not
  // hear of each removal (its destructor releases what it held, e.g. lblc entries), and a -D of
  // a service with tens of thousands of servers stays a few milliseconds on the packet thread.
  scheduler_.reset();
  for (Destination* d : list_) d->available = false;
  list_.clear();
  by_address_.clear();
  for (auto& d : owned_) trash_.push_back(std::move(d));
  owned_.clear();
  collect_trash();
}

void VirtualService::expire(TimeMs now) {
  if (scheduler_ != nullptr) scheduler_->expire(now);
  collect_trash();
}

void VirtualService::collect_trash() {
  std::erase_if(trash_, [](const auto& d) { return d->refcnt == 0; });
}

bool VirtualService::unreferenced() const {
  for (const auto& d : owned_) {
    if (d->refcnt != 0) return false;
  }
  return std::all_of(trash_.begin(), trash_.end(), [](const auto& d) { return d->refcnt == 0; });
}

}  // namespace lvs
