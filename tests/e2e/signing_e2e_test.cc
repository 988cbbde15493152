// Proof that a statement is authentic, end to end: what a newsroom receives verifies against
// the agency's published key with the CLI and with the Python client, offline; one flipped
// byte fails it; a rotated key signs new statements while old ones still verify.
#include <gtest/gtest.h>



#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/domain/signing.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(60);

std::string JsonLine(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

TEST(SigningE2E, ReceivedStatementsVerifyOfflineAndRotationKeepsOldOnesValid) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  auto wire = suite.SetUpSmallWire("MOH", "Bộ Y tế", "tuoitre", "Báo Tuổi Trẻ");
  ASSERT_TRUE(wire.ok()) << wire.status();
  const std::string reader = wire->newsroom.token();
  const std::string speaker = wire->spokesperson_token;

  TestSubscriber sub(suite.subscription_address(), reader);
  sub.Start();
  ASSERT_TRUE(sub.WaitCaughtUp(kWait));
  auto first = suite.Publish(speaker, MakeDraft("MOH", "Thông cáo trước khi đổi khóa"));
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string old_key = first->statement().signature().key_id();
  // The agency rotates its key: new statements are signed with the new one.
  const std::string new_key = suite.RotateKey("MOH");
  auto second = suite.Publish(speaker, MakeDraft("MOH", "Thông cáo sau khi đổi khóa"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->statement().signature().key_id(), new_key);
  EXPECT_NE(old_key, new_key);
  ASSERT_TRUE(sub.WaitForCount(2, kWait));
  // Every field of the canonical form, in versions the C++ and Python verifiers must agree
  // on: a full answer under embargo, a correction with new content and a reason, a kill.
  dist::StatementDraft full = MakeDraft("MOH", "Trả lời câu hỏi của báo Tuổi Trẻ về vắc-xin", {"health", "vac-xin"}, "VN-HN", 2);
  full.set_kind(common::v1::STATEMENT_KIND_ANSWER);
  full.set_in_reply_to("Câu hỏi ngày 3/3 về tiến độ tiêm chủng");
  full.set_summary("Tóm tắt: tiến độ tiêm chủng\nđạt 95%.");
  full.mutable_subjects(0)->set_name("Y tế");
  full.mutable_located()->set_name("Hà Nội");
  auto* attachment = full.add_attachments();
  attachment->set_href("https://moh.gov.vn/van-ban/cv-1234.pdf");
  attachment->set_media_type("application/pdf");
  attachment->set_size_bytes(48213);
  attachment->set_sha256(std::string(64, 'e'));
  attachment->set_title("Công văn 1234/BYT-DP");
  *full.mutable_embargoed() = ToProto(absl::Now() + absl::Milliseconds(800));
  auto answered = suite.Publish(speaker, full);
  ASSERT_TRUE(answered.ok()) << answered.status();
  dist::ReviseRequest correction;
  correction.set_statement_id(first->statement().id());
  correction.set_signal(common::v1::VERSION_SIGNAL_CORRECTION);
  correction.set_reason("Sửa số liệu ở đoạn 2");
  *correction.mutable_draft() = MakeDraft("MOH", "Thông cáo trước khi đổi khóa (đã sửa)");
  ASSERT_TRUE(suite.Revise(speaker, correction).ok());
  dist::ReviseRequest kill;
  kill.set_statement_id(second->statement().id());
  kill.set_signal(common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Thông tin chưa được kiểm chứng");
  ASSERT_TRUE(suite.Revise(speaker, kill).ok());
  ASSERT_TRUE(sub.WaitForCount(5, kWait));
  const auto got = sub.deliveries();

  // The newsroom fetches the published keys (both, the old one retired but listed) and
  // verifies what it received.
  auto keys = suite.AgencyKeys(reader);
  ASSERT_TRUE(keys.ok()) << keys.status();
  const std::vector<reg::AgencyKey>& key_list = *keys;
  EXPECT_EQ(key_list.size(), 2u);
  for (const auto& d : got) EXPECT_TRUE(signing::Verify(d.statement(), key_list).ok()) << d.statement().id();
  EXPECT_EQ(got[0].statement().signature().key_id(), old_key);

  // One flipped byte anywhere in the statement fails it.
  auto tampered = got[0];
  (*tampered.mutable_statement()->mutable_body())[3] ^= 0x01;
  EXPECT_EQ(signing::Verify(tampered.statement(), key_list).code(), absl::StatusCode::kPermissionDenied);

  // Offline, with the CLI: keys exported once, deliveries checked without the network.
  WriteFile(suite.dir() + "/reader.token", reader);
  auto [keys_rc, keys_json] = RunProgram({BinaryPath("pressrelay"), "--registry", suite.registry_address(), "--token-file",
                                   suite.dir() + "/reader.token", "keys"},
                                  suite.dir() + "/keys.log");
  ASSERT_EQ(keys_rc, 0) << ReadFile(suite.dir() + "/keys.log");
  WriteFile(suite.dir() + "/keys.json", keys_json);
  std::string good;
  for (const auto& d : got) absl::StrAppend(&good, JsonLine(d), "\n");
  WriteFile(suite.dir() + "/good.jsonl", good);
  WriteFile(suite.dir() + "/bad.jsonl", JsonLine(got[0]) + "\n" + JsonLine(tampered) + "\n");
  auto [good_rc, good_out] =
      RunProgram({BinaryPath("pressrelay"), "verify", "--keys", suite.dir() + "/keys.json", suite.dir() + "/good.jsonl"},
          suite.dir() + "/verify.log");
  EXPECT_EQ(good_rc, 0) << good_out << ReadFile(suite.dir() + "/verify.log");
  auto [bad_rc, bad_out] =
      RunProgram({BinaryPath("pressrelay"), "verify", "--keys", suite.dir() + "/keys.json", suite.dir() + "/bad.jsonl"},
          suite.dir() + "/verify-bad.log");
  EXPECT_NE(bad_rc, 0);
  EXPECT_NE(bad_out.find("FAILED"), std::string::npos) << bad_out;

  // And with the Python client's verifier (Debian's python3-cryptography), offline too.
  const std::string stubs = suite.dir() + "/py";
  ASSERT_TRUE(GeneratePythonStubs(stubs).ok());
  const std::string script = R"py(
import json, sys
from google.protobuf import json_format
import newsroom_client as nc
from pressrelay.registry.v1 import registry_pb2
from pressrelay.subscription.v1 import subscription_pb2
keys = {k.key_id: k for k in json_format.Parse(open(sys.argv[1]).read(), registry_pb2.ListAgencyKeysResponse()).keys}
for line in open(sys.argv[2]):
    d = json_format.Parse(line, subscription_pb2.Delivery())
    problem = nc.verify(d.statement, keys)
    print("FAILED " + problem if problem else "OK")
)py";
  WriteFile(suite.dir() + "/verify.py", script);
  const std::map<std::string, std::string> env = {{"PYTHONPATH", stubs + ":" + SourceDir() + "/tests/e2e"}};
  auto [py_rc, py_out] = RunProgram({"/usr/bin/python3", suite.dir() + "/verify.py", suite.dir() + "/keys.json",
                              suite.dir() + "/bad.jsonl"},
                             suite.dir() + "/py.log", env);
  ASSERT_EQ(py_rc, 0) << ReadFile(suite.dir() + "/py.log");
  EXPECT_EQ(py_out, "OK\nFAILED signature does not match\n");
  auto [py_good_rc, py_good] = RunProgram({"/usr/bin/python3", suite.dir() + "/verify.py", suite.dir() + "/keys.json",
                                           suite.dir() + "/good.jsonl"},
                                          suite.dir() + "/py-good.log", env);
  ASSERT_EQ(py_good_rc, 0) << ReadFile(suite.dir() + "/py-good.log");
  EXPECT_EQ(py_good, "OK\nOK\nOK\nOK\nOK\n");
}

}  // namespace
}  // namespace pressrelay::testing
