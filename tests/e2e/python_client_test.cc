// End to end across languages: a statement published with the `pressrelay` CLI reaches a
// Python newsroom client (Debian's python3 and python3-grpcio, stubs generated from
// protos/ during the test), byte for byte.
#include <gtest/gtest.h>

#include <cstdlib>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(60);

TEST(PythonNewsroomClient, ReceivesAStatementPublishedThroughTheCli) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  auto wire = suite.SetUpSmallWire("MOFA", "Bộ Ngoại giao", "vietnamplus", "VietnamPlus");
  ASSERT_TRUE(wire.ok()) << wire.status();
  const std::string client_token = wire->newsroom.token();
  const std::string spokesperson_token = wire->spokesperson_token;

  // Stubs from the .proto files, with Debian's protoc and gRPC Python plugin.
  const std::string stubs = suite.dir() + "/py";
  ASSERT_TRUE(GeneratePythonStubs(stubs).ok());

  WriteFile(suite.dir() + "/client.token", client_token);
  ChildProcess python;
  ASSERT_TRUE(python
                  .Start({"/usr/bin/python3", SourceDir() + "/tests/e2e/newsroom_client.py", "--target",
                          suite.subscription_address(), "--registry", suite.registry_address(), "--token-file",
                          suite.dir() + "/client.token",
                          "--cursor-file", suite.dir() + "/client.cursor", "--count", "1"},
                         suite.dir() + "/python.log", {{"PYTHONPATH", stubs}})
                  .ok());
  ASSERT_TRUE(python.WaitForLine("READY", kWait).ok()) << ReadFile(suite.dir() + "/python.log");

  // A spokesperson publishes with the CLI.
  const std::string draft = R"({
    "agency_code": "MOFA",
    "kind": "STATEMENT_KIND_ANSWER",
    "urgency": 3,
    "language": "vi",
    "headline": "Người phát ngôn Bộ Ngoại giao trả lời câu hỏi của phóng viên về Biển Đông",
    "body": "Việt Nam có đầy đủ cơ sở pháp lý và bằng chứng lịch sử khẳng định chủ quyền đối với quần đảo Hoàng Sa và Trường Sa phù hợp với luật pháp quốc tế.",
    "in_reply_to": "Câu hỏi của phóng viên tại họp báo thường kỳ",
    "subjects": [{"code": "foreign-affairs", "name": "Đối ngoại"}]
  })";
  WriteFile(suite.dir() + "/draft.json", draft);
  WriteFile(suite.dir() + "/spokesperson.token", spokesperson_token);
  ChildProcess cli;
  ASSERT_TRUE(cli.Start({BinaryPath("pressrelay"), "--distribution", suite.distribution_address(0), "--token-file",
                         suite.dir() + "/spokesperson.token", "publish", suite.dir() + "/draft.json",
                         "--idempotency-key", "mofa-2026-001"},
                        suite.dir() + "/cli.log")
                  .ok());
  ASSERT_TRUE(cli.ReadToEnd(kWait).ok());
  auto published_status = cli.Wait(kWait);
  ASSERT_TRUE(published_status.ok());
  ASSERT_TRUE(WIFEXITED(*published_status) && WEXITSTATUS(*published_status) == 0) << ReadFile(suite.dir() + "/cli.log");
  dist::PublishResponse published;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(cli.output(), &published).ok()) << cli.output();
  EXPECT_EQ(published.recipients_queued(), 1);

  // The Python client prints the delivery as JSON and exits after acknowledging it.
  auto line = python.WaitForLine("{", kWait);
  ASSERT_TRUE(line.ok()) << ReadFile(suite.dir() + "/python.log");
  sub::Delivery delivery;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*line, &delivery).ok()) << *line;
  EXPECT_EQ(delivery.statement().SerializeAsString(), published.statement().SerializeAsString());
  EXPECT_EQ(delivery.statement().headline(),
            "Người phát ngôn Bộ Ngoại giao trả lời câu hỏi của phóng viên về Biển Đông");
  auto exited = python.Wait(kWait);
  ASSERT_TRUE(exited.ok());
  EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0) << ReadFile(suite.dir() + "/python.log");
  // It kept its cursor, acknowledged on the server too.
  EXPECT_EQ(ReadFile(suite.dir() + "/client.cursor"), delivery.cursor() + "\n");
}

TEST(Cli, ErrorsPrintTheServersMessageAndExitNonZero) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  ASSERT_TRUE(suite.PutAgency("MOH", "Bộ Y tế").ok());
  ASSERT_TRUE(suite.PutSpokesperson("moh-sp", "MOH").ok());
  const std::string token = *suite.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  WriteFile(suite.dir() + "/bad.json", R"({"agency_code": "MOH", "kind": "STATEMENT_KIND_PRESS_RELEASE",
      "language": "vi", "headline": "", "body": "x"})");
  ChildProcess cli;
  ASSERT_TRUE(cli.Start({BinaryPath("pressrelay"), "--distribution", suite.distribution_address(0), "--token", token,
                         "publish", suite.dir() + "/bad.json"},
                        suite.dir() + "/cli.log")
                  .ok());
  auto status = cli.Wait(kWait);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
  const std::string err = ReadFile(suite.dir() + "/cli.log");
  EXPECT_NE(err.find("INVALID_ARGUMENT: draft.headline: is required"), std::string::npos) << err;
}

}  // namespace
}  // namespace pressrelay::testing
