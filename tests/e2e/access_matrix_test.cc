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
#include "services/common/access_policy.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);
const std::vector<std::string> kRoles = {"operator", "spokesperson", "newsroom_client",
                                         "journalist", "service", "gateway"};

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

// One call with an empty request; OK if a response (or a first stream message) arrived,
// else the status the call ended with.
grpc::Status Probe(const std::shared_ptr<grpc::Channel>& channel, const std::string& path, const std::string& token) {
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
  grpc::ByteBuffer request;  // an empty message is zero bytes
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
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

TEST(AccessMatrix, EveryRoleAgainstEveryRpcMatchesTheTable) {
  const auto table = ReadTable();
  const auto rpcs = RpcsInProtos();
  ASSERT_GT(rpcs.size(), 30u);
  // The table, the protos and the policy in the code name the same RPCs.
  for (const auto& [method, path] : rpcs) EXPECT_TRUE(table.contains(method)) << method << " has no row";
  for (const auto& [method, row] : table) EXPECT_TRUE(rpcs.contains(method)) << method << " is in no proto";
  std::set<std::string> in_policy;
  for (absl::string_view m : PolicyMethods()) in_policy.insert(std::string(m));
  for (const auto& [method, path] : rpcs) EXPECT_TRUE(in_policy.contains(method)) << method << " has no rule";

  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  ASSERT_TRUE(suite.PutAgency("MOH", "Bộ Y tế").ok());
  ASSERT_TRUE(suite.PutSpokesperson("moh-sp", "MOH").ok());
  ASSERT_TRUE(suite.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
  ASSERT_TRUE(suite.PutClient("tt-cms", "tuoitre").ok());
  ASSERT_TRUE(suite.PutJournalist("B-1", "tuoitre").ok());
  std::map<std::string, std::string> tokens;
  tokens["operator"] = suite.operator_token();
  tokens["spokesperson"] = *suite.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  tokens["newsroom_client"] = *suite.IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  tokens["journalist"] = *suite.IssueToken(reg::SUBJECT_KIND_JOURNALIST, "B-1");
  tokens["gateway"] = *suite.IssueToken(reg::SUBJECT_KIND_GATEWAY, "admin-gateway");
  tokens["service"] = ReadFile(suite.service_token_file());
  for (const auto& role : kRoles) ASSERT_FALSE(tokens[role].empty()) << role;

  std::map<std::string, std::shared_ptr<grpc::Channel>> by_service = {
      {"RegistryAdmin", OpenChannel(suite.registry_address())},
      {"Directory", OpenChannel(suite.registry_address())},
      {"Keys", OpenChannel(suite.registry_address())},
      {"Distribution", OpenChannel(suite.distribution_address())},
      {"Catalog", OpenChannel(suite.distribution_address())},
      {"Subscription", OpenChannel(suite.subscription_address())},
      {"Ledger", OpenChannel(suite.subscription_address())},
  };
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

}  // namespace
}  // namespace pressrelay::testing
