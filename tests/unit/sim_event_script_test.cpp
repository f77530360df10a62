// The simulator's event language: every verb, defaults, comments, and that a bad file is
// rejected whole with the line number of each error.
#include <gtest/gtest.h>

#include <sstream>

#include "sim/event_script.h"

namespace lvs::sim {
namespace {

ParseResult parse(const std::string& text) {
  std::istringstream in(text);
  return parse_event_script(in);
}

std::vector<ScriptEvent> events_of(const std::string& text) {
  auto result = parse(text);
  auto* events = std::get_if<std::vector<ScriptEvent>>(&result);
  if (events == nullptr) {
    for (const auto& e : std::get<std::vector<ScriptError>>(result)) {
      ADD_FAILURE() << "line " << e.line << ": " << e.message;
    }
    return {};
  }
  return *events;
}

std::vector<ScriptError> errors_of(const std::string& text) {
  auto result = parse(text);
  auto* errors = std::get_if<std::vector<ScriptError>>(&result);
  if (errors == nullptr) {
    ADD_FAILURE() << "expected errors";
    return {};
  }
  return *errors;
}

TEST(EventScript, ParsesEveryVerbWithLineNumbers) {
  auto events = events_of(
      "# comment line\n"
      "\n"
      "new 10.0.0.1:1234\n"
      "new 10.0.0.2:1235 udp/10.200.0.100:53   # trailing comment\n"
      "new 10.0.0.3:5 fwm/7 10.200.0.9:443\n"
      "fin 1\n"
      "close 2\n"
      "add tcp/10.200.0.100:80 10.200.0.14:80 3\n"
      "edit tcp/10.200.0.100:80 10.200.0.14:80 0\n"
      "del tcp/10.200.0.100:80 10.200.0.14:80\n"
      "tick 1.5\n"
      "tick 900\n");
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events[0].line, 3);
  const auto& n0 = std::get<NewConnection>(events[0].event);
  EXPECT_EQ(format_endpoint(n0.client), "10.0.0.1:1234");
  EXPECT_FALSE(n0.service.has_value());
  const auto& n1 = std::get<NewConnection>(events[1].event);
  ASSERT_TRUE(n1.service.has_value());
  EXPECT_EQ(n1.service->to_string(), "udp/10.200.0.100:53");
  const auto& n2 = std::get<NewConnection>(events[2].event);
  EXPECT_EQ(n2.service->to_string(), "fwm/7");
  EXPECT_EQ(format_endpoint(*n2.destination), "10.200.0.9:443");
  EXPECT_EQ(std::get<FinConnection>(events[3].event).number, 1u);
  EXPECT_EQ(std::get<CloseConnection>(events[4].event).number, 2u);
  const auto& add = std::get<ChangeRealServer>(events[5].event);
  EXPECT_EQ(add.kind, ChangeRealServer::Kind::Add);
  EXPECT_EQ(add.weight, 3);
  EXPECT_EQ(format_endpoint(add.address), "10.200.0.14:80");
  EXPECT_EQ(std::get<ChangeRealServer>(events[6].event).kind, ChangeRealServer::Kind::Edit);
  EXPECT_EQ(std::get<ChangeRealServer>(events[6].event).weight, 0);
  EXPECT_EQ(std::get<ChangeRealServer>(events[7].event).kind, ChangeRealServer::Kind::Delete);
  EXPECT_EQ(std::get<AdvanceClock>(events[8].event).ms, 1500u);
  EXPECT_EQ(std::get<AdvanceClock>(events[9].event).ms, 900000u);
  EXPECT_EQ(events[9].line, 12);
}

TEST(EventScript, RejectsTheWholeFileListingEveryBadLine) {
  auto errors = errors_of(
      "new 10.0.0.1:1\n"
      "new 10.0.0.300:1\n"  // bad address
      "fin 0\n"             // numbers are 1-based
      "close x\n"
      "add tcp/10.200.0.100:80 10.200.0.14:80 70000\n"  // weight out of range
      "edit tcp/10.200.0.100:80 10.200.0.14:80\n"       // missing weight
      "tick -1\n"
      "tick 1.2345\n"
      "jump 3\n"
      "new 10.0.0.1:1 sctp/1.2.3.4:5\n"
      "new 10.0.0.1:1 tcp/10.200.0.100:80 10.0.0.1:2\n");  // destination only for fwmark
  ASSERT_EQ(errors.size(), 10u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_NE(errors[0].message.find("10.0.0.300:1"), std::string::npos);
  EXPECT_EQ(errors[1].line, 3);
  EXPECT_EQ(errors[3].line, 5);
  EXPECT_NE(errors[3].message.find("0..65535"), std::string::npos);
  EXPECT_EQ(errors[7].line, 9);
  EXPECT_NE(errors[7].message.find("unknown event 'jump'"), std::string::npos);
  EXPECT_EQ(errors[9].line, 11);
}

// add/edit take ipvsadm's -x/-y (or --u-threshold/--l-threshold); omitted means 0, as ipvsadm
// sends for -a/-e without them.
TEST(EventScript, AddAndEditTakeOptionalThresholdsDefaultingToZero) {
  auto events = events_of(
      "add tcp/10.200.0.100:80 10.200.0.14:80 1\n"
      "add tcp/10.200.0.100:80 10.200.0.14:80 2 -x 3\n"
      "edit tcp/10.200.0.100:80 10.200.0.14:80 3 -y 2 -x 5\n"
      "edit tcp/10.200.0.100:80 10.200.0.14:80 4 --u-threshold 2147483647 --l-threshold 0\n"
      "add fwm/7 10.200.0.14 1 -x 0 -y 0\n");
  ASSERT_EQ(events.size(), 5u);
  const auto change = [&](std::size_t i) { return std::get<ChangeRealServer>(events[i].event); };
  EXPECT_EQ(change(0).u_threshold, 0u);
  EXPECT_EQ(change(0).l_threshold, 0u);
  EXPECT_EQ(change(1).weight, 2);
  EXPECT_EQ(change(1).u_threshold, 3u);
  EXPECT_EQ(change(1).l_threshold, 0u);
  EXPECT_EQ(change(2).kind, ChangeRealServer::Kind::Edit);
  EXPECT_EQ(change(2).u_threshold, 5u);
  EXPECT_EQ(change(2).l_threshold, 2u);
  EXPECT_EQ(change(3).u_threshold, 2147483647u);
  EXPECT_EQ(change(4).u_threshold, 0u);
}

TEST(EventScript, BadThresholdsAreOneErrorEachNamingTheLine) {
  auto errors = errors_of(
      "add tcp/10.200.0.100:80 10.200.0.14:80 1 -x\n"             // no value
      "add tcp/10.200.0.100:80 10.200.0.14:80 1 -x -1\n"          // not a number
      "add tcp/10.200.0.100:80 10.200.0.14:80 1 -x 2147483648\n"  // above INT_MAX
      "edit tcp/10.200.0.100:80 10.200.0.14:80 1 -x 3 -y 4\n"     // l above u
      "edit tcp/10.200.0.100:80 10.200.0.14:80 1 -y 1\n"          // l above u = 0
      "add tcp/10.200.0.100:80 10.200.0.14:80 1 -x 3 -x 4\n"      // twice
      "add tcp/10.200.0.100:80 10.200.0.14:80 1 -w 3\n"           // not an event option
      "del tcp/10.200.0.100:80 10.200.0.14:80 -x 3\n"             // del takes none
      "add tcp/10.200.0.100:80 10.200.0.14:80 1 -x 3\n");         // fine
  ASSERT_EQ(errors.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(errors[static_cast<std::size_t>(i)].line, i + 1);
  EXPECT_EQ(errors[0].message, "add: u-threshold (-x) needs a value");
  EXPECT_EQ(errors[1].message, "add: u-threshold '-1' must be an integer 0..2147483647");
  EXPECT_EQ(errors[2].message, "add: u-threshold '2147483648' must be an integer 0..2147483647");
  EXPECT_EQ(errors[3].message, "edit: l-threshold (4) must not exceed u-threshold (3)");
  EXPECT_EQ(errors[4].message,
            "edit: l-threshold (1) must not exceed u-threshold (0, i.e. no limit)");
  EXPECT_EQ(errors[5].message, "add: -x given twice");
  EXPECT_EQ(errors[6].message,
            "add: unexpected '-w' (options: -x|--u-threshold N, -y|--l-threshold N)");
  EXPECT_EQ(errors[7].message, "usage: del SERVICE RS_IP:PORT");
}

TEST(EventScript, OneTickIsAtMostThirtyOneDays) {
  auto events = events_of("tick 2678400\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<AdvanceClock>(events[0].event).ms, 2678400000u);
  auto errors = errors_of("tick 2678400.001\ntick 2678401\ntick 99999999999999\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].message.find("31 days"), std::string::npos);
}

TEST(EventScript, EmptyInputIsAnEmptyScript) {
  EXPECT_TRUE(events_of("").empty());
  EXPECT_TRUE(events_of("# only comments\n\n   \n").empty());
}

}  // namespace
}  // namespace lvs::sim
