// Every role against every RPC of the running suite, checked against the table kept in the
// repo (tests/e2e/access_table.tsv), and the table against the protos: a new RPC without a
// row, or a row without an RPC, fails here.
//
// Each call is made generically (method name and an empty request, over a raw stream), so
// unary and streaming methods are probed the same way. "deny" means PERMISSION_DENIED from
// the access policy; "allow" means the call got past it (it may still fail on its empty
// input); a call without a token is UNAUTHENTICATED everywhere.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/rpc/access_policy.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);
const std::vector<std::string> kRoles = {"operator", "spokesperson", "newsroom_client",
                                         "journalist", "service", "gateway", "press_officer"};

struct Row {
  std::map<std::string, bool> allowed;  // role -> allow
};

std::map<std::string, Row> ReadTable() {
  std::ifstream in(SourceDir() + "/tests/e2e/access_table.tsv");
  std::map<std::string, Row> table;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    EXPECT_EQ(cells.size(), kRoles.size() + 1) << line;
    if (cells.size() != kRoles.size() + 1) continue;
    Row row;
    for (size_t i = 0; i < kRoles.size(); ++i) {
      EXPECT_TRUE(cells[i + 1] == "allow" || cells[i + 1] == "deny") << line;
      row.allowed[kRoles[i]] = cells[i + 1] == "allow";
    }
    EXPECT_FALSE(table.contains(cells[0])) << "two rows for " << cells[0];
    table[cells[0]] = row;
  }
  return table;
}

// "Service.Method" -> full gRPC path, for every RPC in protos/pressrelay.
std::map<std::string, std::string> RpcsInProtos() {
  std::map<std::string, std::string> out;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const std::string root = SourceDir() + "/protos/";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root + "pressrelay")) {
    if (entry.path().extension() != ".proto") continue;
    const std::string name = entry.path().string().substr(root.size());
    const auto* file = pool->FindFileByName(name);
    EXPECT_NE(file, nullptr) << name << " is not linked into this test";
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        out[absl::StrCat(service->name(), ".", service->method(m)->name())] =
            absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
      }
    }
  }
  return out;
}

// One call with `bytes` as its request (empty: an empty message); OK if a response (or a first
// stream message) arrived, else the status the call ended with.
grpc::Status Probe(const std::shared_ptr<grpc::Channel>& channel, const std::string& path, const std::string& token,
                   const std::string& bytes = "") {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  if (!token.empty()) ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  grpc::CompletionQueue cq;
  auto await = [&cq](void* tag) {
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&got, &ok));
    EXPECT_EQ(got, tag);
    return ok;
  };
  int tags[5];
  auto call = stub.PrepareCall(&ctx, path, &cq);
  call->StartCall(&tags[0]);
  await(&tags[0]);
  grpc::Slice slice(bytes);  // an empty message is zero bytes
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, &tags[1]);
  await(&tags[1]);
  call->WritesDone(&tags[2]);
  await(&tags[2]);
  grpc::ByteBuffer response;
  call->Read(&response, &tags[3]);
  const bool got_message = await(&tags[3]);
  if (got_message) ctx.TryCancel();  // streams stay open: one message is enough
  grpc::Status status;
  call->Finish(&status, &tags[4]);
  await(&tags[4]);
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  return got_message ? grpc::Status::OK : status;
}

bool DeniedByPolicy(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::PERMISSION_DENIED &&
         absl::StrContains(status.error_message(), " is for the role ");
}

// The running suite with a token of every role and a channel to every service.
class AccessMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    ASSERT_TRUE(suite_.PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_.PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_.PutPressOfficer("moh-press-1", "MOH").ok());
    ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    ASSERT_TRUE(suite_.PutClient("tt-cms", "tuoitre").ok());
    ASSERT_TRUE(suite_.PutJournalist("B-1", "tuoitre").ok());
    tokens_["operator"] = suite_.operator_token();
    tokens_["spokesperson"] = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
    tokens_["newsroom_client"] = *suite_.IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
    tokens_["journalist"] = *suite_.IssueToken(reg::SUBJECT_KIND_JOURNALIST, "B-1");
    tokens_["press_officer"] = *suite_.IssueToken(reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1");
    tokens_["gateway"] = *suite_.IssueToken(reg::SUBJECT_KIND_GATEWAY, "admin-gateway");
    tokens_["service"] = ReadFile(suite_.service_token_file());
    for (const auto& role : kRoles) ASSERT_FALSE(tokens_[role].empty()) << role;
    by_service_ = {
        {"RegistryAdmin", OpenChannel(suite_.registry_address())},
        {"Directory", OpenChannel(suite_.registry_address())},
        {"Keys", OpenChannel(suite_.registry_address())},
        {"PublicRegistry", OpenChannel(suite_.registry_address())},
        {"Distribution", OpenChannel(suite_.distribution_address())},
        {"Catalog", OpenChannel(suite_.distribution_address())},
        {"Questions", OpenChannel(suite_.distribution_address())},
        {"Subscription", OpenChannel(suite_.subscription_address())},
        {"Ledger", OpenChannel(suite_.subscription_address())},
    };
  }

  Suite suite_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> by_service_;
};

TEST_F(AccessMatrix, EveryRoleAgainstEveryRpcMatchesTheTable) {
  const auto table = ReadTable();
  const auto rpcs = RpcsInProtos();
  ASSERT_GT(rpcs.size(), 30u);
  // The table, the protos and the policy in the code name the same RPCs.
  for (const auto& [method, path] : rpcs) EXPECT_TRUE(table.contains(method)) << method << " has no row";
  for (const auto& [method, row] : table) EXPECT_TRUE(rpcs.contains(method)) << method << " is in no proto";
  std::set<std::string> in_policy;
  for (absl::string_view m : PolicyMethods()) in_policy.insert(std::string(m));
  for (const auto& [method, path] : rpcs) EXPECT_TRUE(in_policy.contains(method)) << method << " has no rule";

  auto& tokens = tokens_;
  auto& by_service = by_service_;
  int checked = 0;
  for (const auto& [method, path] : rpcs) {
    const std::string service = method.substr(0, method.find('.'));
    ASSERT_TRUE(by_service.contains(service)) << "which binary serves " << service << "?";
    const auto& channel = by_service[service];
    const grpc::Status anonymous = Probe(channel, path, "");
    EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << method << " without a token: " << anonymous.error_message();
    if (!table.contains(method)) continue;
    for (const auto& role : kRoles) {
      const grpc::Status status = Probe(channel, path, tokens[role]);
      const bool expect_allowed = table.at(method).allowed.at(role);
      // Every caller's token is valid (Directory.Authenticate answers about the token in its
      // request, which is empty here).
      if (method != "Directory.Authenticate") {
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method << " as " << role;
      }
      if (expect_allowed) {
        EXPECT_FALSE(DeniedByPolicy(status)) << method << " as " << role << ": " << status.error_message();
      } else {
        EXPECT_TRUE(DeniedByPolicy(status)) << method << " as " << role << " was not denied: "
                                            << status.error_code() << " " << status.error_message();
      }
      ++checked;
    }
  }
  std::cout << "checked " << checked << " (RPC, role) pairs and " << rpcs.size() << " anonymous calls\n";
}

// A varint, as the wire format writes it.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// Unknown groups nested deeper than protobuf reads: no message of the suite parses it.
std::string NestedGroups(int depth) {
  std::string bytes;
  for (int i = 0; i < depth; ++i) bytes += Varint((1000u << 3) | 3);  // start group 1000
  for (int i = 0; i < depth; ++i) bytes += Varint((1000u << 3) | 4);  // end group 1000
  return bytes;
}

// `message` serialised, with the bytes of `marker` in a string field replaced by the same
// number of bytes that are not UTF-8.
std::string WithInvalidUtf8(const google::protobuf::Message& message, const std::string& marker) {
  std::string bytes = message.SerializeAsString();
  const size_t at = bytes.find(marker);
  EXPECT_NE(at, std::string::npos);
  for (size_t i = 0; i < marker.size(); ++i) bytes[at + i] = static_cast<char>(0xC0 | (i & 1));
  return bytes;
}

// Bytes that do not parse used to get UNIMPLEMENTED with an empty message from gRPC itself,
// on every RPC. Now every RPC, as a caller allowed to make it, says what could not be read.
TEST_F(AccessMatrix, EveryRpcAnswersBytesThatDoNotParseWithInvalidArgument) {
  const auto table = ReadTable();
  const std::string junk = NestedGroups(150);
  int checked = 0;
  for (const auto& [method, path] : RpcsInProtos()) {
    const std::string service = method.substr(0, method.find('.'));
    std::string role;
    for (const auto& r : kRoles) {
      if (table.contains(method) && table.at(method).allowed.at(r)) {
        role = r;
        break;
      }
    }
    ASSERT_FALSE(role.empty()) << method;
    const grpc::Status status = Probe(by_service_[service], path, tokens_[role], junk);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method << " as " << role << ": " << status.error_code() << " " << status.error_message();
    EXPECT_TRUE(absl::StrContains(status.error_message(), "request: nests more than 100 levels deep"))
        << method << ": " << status.error_message();
    ++checked;
  }
  EXPECT_GT(checked, 30);

  // Text that is not UTF-8 (which protobuf 3 requires of strings) is named by its field.
  struct Case {
    std::string path, role, bytes, field;
  };
  dist::PublishRequest publish;
  *publish.mutable_draft() = MakeDraft("MOH", "HEADLINE-MARK");
  reg::UpsertAgencyRequest agency;
  agency.mutable_agency()->set_code("MOH");
  agency.mutable_agency()->set_name_vi("NAME-MARK");
  sub::AckRequest ack;
  ack.set_cursor("CURSOR-MARK");
  const std::vector<Case> cases = {
      {"/pressrelay.distribution.v1.Distribution/Publish", "spokesperson", WithInvalidUtf8(publish, "HEADLINE-MARK"),
       "draft.headline"},
      {"/pressrelay.registry.v1.RegistryAdmin/UpsertAgency", "operator", WithInvalidUtf8(agency, "NAME-MARK"),
       "agency.name_vi"},
      {"/pressrelay.subscription.v1.Subscription/Ack", "newsroom_client", WithInvalidUtf8(ack, "CURSOR-MARK"),
       "cursor"},
  };
  for (const Case& c : cases) {
    const std::string service = c.path.substr(c.path.rfind('.') + 1, c.path.rfind('/') - c.path.rfind('.') - 1);
    const grpc::Status status = Probe(by_service_[service], c.path, tokens_[c.role], c.bytes);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.path << ": " << status.error_message();
    EXPECT_TRUE(absl::StartsWith(status.error_message(), c.field + ": is not valid UTF-8")) << status.error_message();
    EXPECT_EQ(ErrorField(FromGrpcStatus(status)), c.field);
  }

  // A refused publish is in the audit trail like any other refused call.
  reg::QueryAuditRequest query;
  query.set_method("Distribution.Publish");
  reg::QueryAuditResponse audit;
  auto ctx = CallContext(tokens_["operator"], kWait);
  ASSERT_TRUE(suite_.Admin()->QueryAudit(ctx.get(), query, &audit).ok());
  ASSERT_GE(audit.entries_size(), 2);
  EXPECT_EQ(audit.entries(0).outcome(), "INVALID_ARGUMENT");
  EXPECT_EQ(audit.entries(0).principal_id(), "moh-sp");
  EXPECT_TRUE(absl::StartsWith(audit.entries(0).outcome_message(), "draft.headline: is not valid UTF-8"));
}

}  // namespace
}  // namespace pressrelay::testing
