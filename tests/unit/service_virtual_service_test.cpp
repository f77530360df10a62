// VirtualService: the kernel's list order, trash/revival, the overload flag as
// ip_vs_bind_dest()/ip_vs_unbind_dest()/__ip_vs_update_dest() keep it, and scheduler notifications.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "service/virtual_service.h"
#include "support/service_fixture.h"

namespace lvs {
namespace {

using test::ep;
using test::tcp_key;

// Records every callback so tests can check what the scheduler was told, and picks the head.
class RecordingScheduler : public Scheduler {
 public:
  explicit RecordingScheduler(std::vector<std::string>* log) : log_(log) {}
  std::string_view name() const override { return "recording"; }
  void destination_added(DestinationList list, Destination& d) override {
    log_->push_back("add " + format_endpoint(d.address) +
                    " head=" + format_endpoint(list[0]->address));
  }
  void destination_removed(DestinationList, Destination& d, std::size_t old_index) override {
    log_->push_back("del " + format_endpoint(d.address) + " at " + std::to_string(old_index));
  }
  void destination_updated(DestinationList, Destination& d) override {
    log_->push_back("upd " + format_endpoint(d.address) + " w=" + std::to_string(d.weight));
  }
  void load_changed(Destination& d) override {
    log_->push_back("load " + format_endpoint(d.address) + " " + std::to_string(d.activeconns) +
                    "/" + std::to_string(d.inactconns));
  }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    return list.empty() ? nullptr : list[0];
  }

 private:
  std::vector<std::string>* log_;
};

std::vector<std::string> order(const VirtualService& svc) {
  std::vector<std::string> out;
  for (const Destination* d : svc.destinations()) out.push_back(format_endpoint(d->address));
  return out;
}

TEST(VirtualService, AddLinksAtTheHeadSoTheListIsTheReverseOfTheAddOrder) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  svc.add_destination(ep("10.0.0.1:80"), {});
  svc.add_destination(ep("10.0.0.2:80"), {});
  svc.add_destination(ep("10.0.0.3:80"), {});
  EXPECT_EQ(order(svc), (std::vector<std::string>{"10.0.0.3:80", "10.0.0.2:80", "10.0.0.1:80"}));
  EXPECT_EQ(log, (std::vector<std::string>{"add 10.0.0.1:80 head=10.0.0.1:80",
                                           "add 10.0.0.2:80 head=10.0.0.2:80",
                                           "add 10.0.0.3:80 head=10.0.0.3:80"}));
  EXPECT_GT(svc.find(ep("10.0.0.3:80"))->list_seq, svc.find(ep("10.0.0.1:80"))->list_seq);
}

TEST(VirtualService, DuplicateAddIsRefusedAndEditKeepsThePosition) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  svc.add_destination(ep("10.0.0.1:80"), {});
  svc.add_destination(ep("10.0.0.2:80"), {});
  EXPECT_EQ(svc.add_destination(ep("10.0.0.1:80"), {}), nullptr);
  EXPECT_TRUE(svc.edit_destination(ep("10.0.0.1:80"), {5, 0, 0}));
  EXPECT_FALSE(svc.edit_destination(ep("10.0.0.9:80"), {5, 0, 0}));
  EXPECT_EQ(order(svc), (std::vector<std::string>{"10.0.0.2:80", "10.0.0.1:80"}));
  EXPECT_EQ(svc.find(ep("10.0.0.1:80"))->weight, 5);
  EXPECT_EQ(log.back(), "upd 10.0.0.1:80 w=5");
}

TEST(VirtualService, DeleteUnlinksAndReAddRevivesAReferencedDestinationWithItsCounters) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  svc.add_destination(ep("10.0.0.1:80"), {});
  Destination* a = svc.add_destination(ep("10.0.0.2:80"), {});
  svc.add_destination(ep("10.0.0.3:80"), {});
  VirtualService::bind(*a, ConnCount::Inactive);
  VirtualService::set_active(*a, true);
  ASSERT_TRUE(svc.delete_destination(ep("10.0.0.2:80")));
  EXPECT_EQ(log.back(), "del 10.0.0.2:80 at 1");
  EXPECT_FALSE(a->available);
  EXPECT_EQ(svc.trash_size(), 1u);
  EXPECT_EQ(order(svc), (std::vector<std::string>{"10.0.0.3:80", "10.0.0.1:80"}));

  Destination* again = svc.add_destination(ep("10.0.0.2:80"), {2, 0, 0});
  EXPECT_EQ(again, a);  // the same object, revived from the trash
  EXPECT_TRUE(again->available);
  EXPECT_EQ(again->activeconns, 1u);
  EXPECT_EQ(again->weight, 2);
  EXPECT_EQ(order(svc)[0], "10.0.0.2:80");  // revived at the head
  EXPECT_EQ(svc.trash_size(), 0u);
}

TEST(VirtualService, AnUnreferencedDeletedDestinationIsFreedAndAReferencedOneWhenReleased) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  svc.add_destination(ep("10.0.0.1:80"), {});
  Destination* b = svc.add_destination(ep("10.0.0.2:80"), {});
  svc.delete_destination(ep("10.0.0.1:80"));
  EXPECT_EQ(svc.trash_size(), 0u);
  VirtualService::bind(*b, ConnCount::Inactive);
  svc.delete_destination(ep("10.0.0.2:80"));
  EXPECT_EQ(svc.trash_size(), 1u);
  EXPECT_FALSE(svc.unreferenced());
  VirtualService::unbind(*b, ConnCount::Inactive);
  svc.expire(1000);
  EXPECT_EQ(svc.trash_size(), 0u);
  EXPECT_TRUE(svc.unreferenced());
}

TEST(VirtualService, OverloadSetAtUpperThresholdClearedBelowLowerThreshold) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  Destination* d = svc.add_destination(ep("10.0.0.1:80"), {1, 3, 2});
  VirtualService::bind(*d, ConnCount::Inactive);
  VirtualService::bind(*d, ConnCount::Inactive);
  EXPECT_FALSE(d->overloaded);
  VirtualService::bind(*d, ConnCount::Inactive);  // total 3 >= u_threshold 3
  EXPECT_TRUE(d->overloaded);
  VirtualService::unbind(*d, ConnCount::Inactive);  // total 2, not < l_threshold 2
  EXPECT_TRUE(d->overloaded);
  VirtualService::unbind(*d, ConnCount::Inactive);  // total 1 < 2
  EXPECT_FALSE(d->overloaded);
}

TEST(VirtualService, WithoutLowerThresholdOverloadClearsBelowThreeQuartersOfUpper) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  Destination* d = svc.add_destination(ep("10.0.0.1:80"), {1, 4, 0});
  for (int i = 0; i < 4; ++i) VirtualService::bind(*d, ConnCount::Inactive);
  EXPECT_TRUE(d->overloaded);
  VirtualService::unbind(*d, ConnCount::Inactive);  // 3*4 = 12 < 4*3 = 12? no
  EXPECT_TRUE(d->overloaded);
  VirtualService::unbind(*d, ConnCount::Inactive);  // 2*4 = 8 < 12
  EXPECT_FALSE(d->overloaded);
}

TEST(VirtualService, TemplatesCountInPersistconnsNotInTheOverloadTotal) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  Destination* d = svc.add_destination(ep("10.0.0.1:80"), {1, 1, 0});
  VirtualService::bind(*d, ConnCount::Template);
  EXPECT_EQ(d->persistconns, 1u);
  EXPECT_FALSE(d->overloaded);
  EXPECT_EQ(d->stats.conns, 0u);
  VirtualService::bind(*d, ConnCount::Inactive);
  EXPECT_TRUE(d->overloaded);
  EXPECT_EQ(d->stats.conns, 1u);
  EXPECT_EQ(svc.stats.conns, 1u);
  EXPECT_EQ(d->refcnt, 2u);
}

TEST(VirtualService, EditRaisingOrClearingTheUpperThresholdClearsOverload) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  Destination* d = svc.add_destination(ep("10.0.0.1:80"), {1, 1, 0});
  VirtualService::bind(*d, ConnCount::Inactive);
  ASSERT_TRUE(d->overloaded);
  svc.edit_destination(d->address, {1, 1, 0});  // unchanged threshold: still overloaded
  EXPECT_TRUE(d->overloaded);
  svc.edit_destination(d->address, {1, 5, 0});  // raised
  EXPECT_FALSE(d->overloaded);
  VirtualService::bind(*d, ConnCount::Inactive);
  svc.edit_destination(d->address, {1, 2, 0});  // total 2 >= 2 only re-flags on the next bind
  EXPECT_FALSE(d->overloaded);
  VirtualService::bind(*d, ConnCount::Inactive);
  EXPECT_TRUE(d->overloaded);
  svc.edit_destination(d->address, {1, 0, 0});  // cleared
  EXPECT_FALSE(d->overloaded);
}

// Issue 13, finding 2: -a of a server still in the trash is __ip_vs_update_dest() as -e is: the
// overload flag its connections set stays unless the new upper threshold is 0 or higher.
TEST(VirtualService, ReAddKeepsOverloadUnlessTheUpperThresholdIsRaisedOrCleared) {
  struct Case {
    std::uint32_t u_threshold;
    bool overloaded;
  };
  for (const Case c : {Case{2, true}, Case{1, true}, Case{3, false}, Case{0, false}}) {
    std::vector<std::string> log;
    VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
    svc.add_destination(ep("10.0.0.1:80"), {});
    Destination* d = svc.add_destination(ep("10.0.0.2:80"), {1, 2, 0});
    VirtualService::bind(*d, ConnCount::Inactive);
    VirtualService::bind(*d, ConnCount::Inactive);  // 2 >= 2
    ASSERT_TRUE(d->overloaded);
    ASSERT_TRUE(svc.delete_destination(d->address));
    EXPECT_TRUE(d->overloaded);  // __ip_vs_unlink_dest() clears only IP_VS_DEST_F_AVAILABLE

    Destination* again = svc.add_destination(d->address, {1, c.u_threshold, 0});
    ASSERT_EQ(again, d) << "revived from the trash";
    EXPECT_EQ(d->overloaded, c.overloaded) << "-x " << c.u_threshold;
    EXPECT_EQ(d->u_threshold, c.u_threshold);
    EXPECT_EQ(order(svc)[0], "10.0.0.2:80");  // linked at the head, counters kept
    EXPECT_EQ(d->inactconns, 2u);
  }
}

TEST(VirtualService, AFreshDestinationStartsWithoutOverloadWhateverItsThreshold) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  Destination* d = svc.add_destination(ep("10.0.0.1:80"), {1, 1, 0});
  VirtualService::bind(*d, ConnCount::Inactive);
  ASSERT_TRUE(d->overloaded);
  VirtualService::unbind(*d, ConnCount::Inactive);
  ASSERT_TRUE(svc.delete_destination(d->address));  // unreferenced: freed
  EXPECT_EQ(svc.trash_size(), 0u);
  Destination* fresh = svc.add_destination(ep("10.0.0.1:80"), {1, 1, 0});
  EXPECT_FALSE(fresh->overloaded);
  EXPECT_EQ(fresh->totalconns(), 0u);
}

TEST(VirtualService, CounterChangesReachTheScheduler) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  Destination* d = svc.add_destination(ep("10.0.0.1:80"), {});
  log.clear();
  VirtualService::bind(*d, ConnCount::Inactive);
  VirtualService::set_active(*d, true);
  VirtualService::set_active(*d, false);
  VirtualService::unbind(*d, ConnCount::Inactive);
  EXPECT_EQ(log, (std::vector<std::string>{"load 10.0.0.1:80 0/1", "load 10.0.0.1:80 1/0",
                                           "load 10.0.0.1:80 0/1", "load 10.0.0.1:80 0/0"}));
  EXPECT_EQ(d->refcnt, 0u);
}

TEST(VirtualService, ScheduleCountsNoDestination) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  EXPECT_EQ(svc.schedule({}, 0), nullptr);
  EXPECT_EQ(svc.no_dest_total(), 1u);
  svc.add_destination(ep("10.0.0.1:80"), {});
  EXPECT_NE(svc.schedule({}, 0), nullptr);
  EXPECT_EQ(svc.no_dest_total(), 1u);
}

TEST(VirtualService, RetireUnlinksEverythingAndKeepsReferencedDestinationsUntilReleased) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  Destination* d = svc.add_destination(ep("10.0.0.1:80"), {});
  svc.add_destination(ep("10.0.0.2:80"), {});
  VirtualService::bind(*d, ConnCount::Inactive);
  svc.retire();
  EXPECT_TRUE(svc.destinations().empty());
  EXPECT_EQ(svc.trash_size(), 1u);
  VirtualService::unbind(*d, ConnCount::Inactive);  // no scheduler any more: must not crash
  svc.expire(0);
  EXPECT_TRUE(svc.unreferenced());
  EXPECT_EQ(svc.trash_size(), 0u);
}

}  // namespace
}  // namespace lvs

namespace lvs {
namespace {

// ipvsadm -E -s wrr on a service that has B(5) (head) and A(1): ip_vs_wrr_init_svc() starts cw
// at the maximum, 5, so B takes the passes cw = 5..2 alone and A joins at cw = 1.
TEST(VirtualService, SwitchingSchedulerInitialisesItFromTheWholeList) {
  std::vector<std::string> log;
  VirtualService svc(tcp_key(), std::make_unique<RecordingScheduler>(&log), {});
  svc.add_destination(ep("10.0.0.1:80"), {1, 0, 0});  // A
  svc.add_destination(ep("10.0.0.2:80"), {5, 0, 0});  // B, now the head
  svc.set_scheduler(make_scheduler("wrr", {}), {});
  std::vector<std::string> picks;
  for (int i = 0; i < 7; ++i) picks.push_back(format_endpoint(svc.schedule({}, 0)->address));
  EXPECT_EQ(picks,
            (std::vector<std::string>{"10.0.0.2:80", "10.0.0.2:80", "10.0.0.2:80", "10.0.0.2:80",
                                      "10.0.0.2:80", "10.0.0.1:80", "10.0.0.2:80"}));
  EXPECT_EQ(svc.scheduler().name(), "wrr");
}

}  // namespace
}  // namespace lvs
