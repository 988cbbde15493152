// A request id travels: from the CLI, the admin gateway or any gRPC caller (x-request-id),
// through every service the request touches, into their JSON log lines and into the audit
// entry of each call; the caller is told the id its request goes by.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/rpc/grpc_util.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);
using common::v1::AuditEntry;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class RequestIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The registry logs reads too (at debug), so a call made on a publish's behalf shows.
    SuiteOptions options;
    options.registry_flags = {"--log_level", "debug"};
    suite_ = std::make_unique<Suite>(options);
    ASSERT_TRUE(suite_->Start().ok());
    auto wire = suite_->SetUpSmallWire("MOH", "Bộ Y tế", "tuoitre", "Báo Tuổi Trẻ");
    ASSERT_TRUE(wire.ok()) << wire.status();
    wire_ = *wire;
  }

  std::vector<AuditEntry> Audit(const std::string& method) {
    auto admin = suite_->Admin();
    auto ctx = CallContext(suite_->operator_token(), kWait);
    reg::QueryAuditRequest request;
    request.set_method(method);
    reg::QueryAuditResponse response;
    EXPECT_TRUE(admin->QueryAudit(ctx.get(), request, &response).ok());
    return std::vector<AuditEntry>(response.entries().begin(), response.entries().end());
  }

  // Publishes as the spokesperson with `request_id` in the metadata; returns the id the
  // distribution service says the request goes by.
  std::string PublishWithId(const std::string& request_id, const std::string& headline) {
    auto stub = suite_->Distribution();
    auto ctx = CallContext(wire_.spokesperson_token, kWait);
    ctx->AddMetadata("x-request-id", request_id);
    dist::PublishRequest request;
    *request.mutable_draft() = MakeDraft("MOH", headline);
    dist::PublishResponse response;
    EXPECT_TRUE(stub->Publish(ctx.get(), request, &response).ok());
    const auto& md = ctx->GetServerInitialMetadata();
    auto told = md.find("x-request-id");
    return told == md.end() ? "" : std::string(told->second.data(), told->second.size());
  }

  std::unique_ptr<Suite> suite_;
  Suite::SmallWire wire_;
};

TEST_F(RequestIdTest, AGrpcCallersIdReachesEveryServiceItTouchesTheirLogsAndTheAudit) {
  // Told back to the caller.
  EXPECT_EQ(PublishWithId("req-trace-0007", "Thông báo lịch họp báo"), "req-trace-0007");
  // In the audit entry of the publish.
  auto entries = Audit("Distribution.Publish");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].request_id(), "req-trace-0007");
  // In the distribution service's JSON log line for the call, and in the registry's for the
  // calls the publish made to it (the speaker check, the audience).
  const std::string needle = R"("request_id":"req-trace-0007")";
  ASSERT_TRUE(suite_->distribution().WaitForLog(needle, kWait).ok());
  ASSERT_TRUE(suite_->registry().WaitForLog(needle, kWait).ok());
  const std::string dist_log = ReadAll(suite_->distribution().log_path());
  const size_t at = dist_log.find(needle);
  const size_t line_start = dist_log.rfind('\n', at) + 1;
  const std::string line = dist_log.substr(line_start, dist_log.find('\n', at) - line_start);
  EXPECT_TRUE(absl::StartsWith(line, R"({"time":")")) << line;
  EXPECT_TRUE(absl::StrContains(line, R"("service":"distribution")")) << line;
  EXPECT_TRUE(absl::StrContains(line, "Distribution.Publish by moh-sp: OK")) << line;
}

TEST_F(RequestIdTest, AnIdThatCouldForgeALogLineIsReplacedByANewOne) {
  const std::string id = PublishWithId("fake\"} {\"level\":\"info", "Thông cáo thứ hai");
  EXPECT_EQ(id.size(), 16u) << id;
  auto entries = Audit("Distribution.Publish");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].request_id(), id);
}

TEST_F(RequestIdTest, TheCliGivesOneIdToItsCallsAndTheAuditRecordsIt) {
  WriteFile(suite_->dir() + "/operator.token", suite_->operator_token());
  auto [rc, out] = RunProgram({BinaryPath("pressrelay"), "--registry", suite_->registry_address(), "--token-file",
                               suite_->dir() + "/operator.token", "--request-id", "req-cli-0042", "outlet", "put",
                               R"({"id":"vtv","licence_number":"214/GP-BTTTT","name":"Đài Truyền hình Việt Nam","kind":"OUTLET_KIND_TELEVISION"})"},
                              suite_->dir() + "/cli.log");
  ASSERT_EQ(rc, 0) << ReadAll(suite_->dir() + "/cli.log");
  auto entries = Audit("RegistryAdmin.UpsertOutlet");
  bool found = false;
  for (const auto& e : entries) found = found || (e.request_id() == "req-cli-0042" && e.target() == "vtv");
  EXPECT_TRUE(found);
  // A bad id is refused before anything is sent.
  auto [bad_rc, bad_out] = RunProgram({BinaryPath("pressrelay"), "--registry", suite_->registry_address(),
                                       "--token-file", suite_->dir() + "/operator.token", "--request-id", "a b",
                                       "outlet", "list"},
                                      suite_->dir() + "/cli-bad.log");
  EXPECT_EQ(bad_rc, 2);
  EXPECT_TRUE(absl::StrContains(ReadAll(suite_->dir() + "/cli-bad.log"), "--request-id"));
}

TEST_F(RequestIdTest, TheGatewayTakesOrMakesAnIdForEachHttpRequestAndSaysWhichInItsAnswer) {
  ASSERT_TRUE(suite_->StartGateway().ok());
  const std::string address = suite_->gateway_address();
  httplib::Client http("127.0.0.1", std::stoi(address.substr(address.find(':') + 1)));
  auto given = http.Get("/healthz", {{"X-Request-Id", "req-desk-0001"}});
  ASSERT_TRUE(given);
  EXPECT_EQ(given->get_header_value("X-Request-Id"), "req-desk-0001");
  auto made = http.Get("/healthz");
  ASSERT_TRUE(made);
  EXPECT_EQ(made->get_header_value("X-Request-Id").size(), 16u);
  auto forged = http.Get("/healthz", {{"X-Request-Id", "has space"}});
  ASSERT_TRUE(forged);
  EXPECT_NE(forged->get_header_value("X-Request-Id"), "has space");
  // A signed-in call through the gateway reaches the registry with the same id: the sign-in
  // is audited there.
  auto account = suite_->PutAccount("moh.sp", reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp", "mật khẩu đủ dài 2026");
  ASSERT_TRUE(account.ok()) << account.status();
  auto signed_in = http.Post("/api/session", {{"X-Request-Id", "req-desk-0002"}},
                             R"({"username":"moh.sp","password":"mật khẩu đủ dài 2026"})", "application/json");
  ASSERT_TRUE(signed_in);
  EXPECT_EQ(signed_in->get_header_value("X-Request-Id"), "req-desk-0002");
  bool found = false;
  for (const auto& e : Audit("Directory.SignIn")) found = found || e.request_id() == "req-desk-0002";
  EXPECT_TRUE(found) << signed_in->status << " " << signed_in->body;
}

}  // namespace
}  // namespace pressrelay::testing
