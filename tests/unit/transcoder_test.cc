// The JSON API's transcoding without a server: routes made from the protos' google.api.http
// annotations, matching paths and custom verbs, building requests from path, query and body
// through protobuf's JSON mapping, Google's code-to-HTTP table, the error body, and the OpenAPI
// document made from the same routes.
#include "gateway/transcoder.h"

#include <gtest/gtest.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "gateway/openapi.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/base/status.h"

namespace pressrelay::gateway {
namespace {

namespace dist = pressrelay::distribution::v1;
namespace reg = pressrelay::registry::v1;

class TranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Channels are never used here: nothing is called.
    auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    auto t = Transcoder::Create({{"pressrelay.registry.v1.RegistryAdmin", channel},
                                 {"pressrelay.registry.v1.Keys", channel},
                                 {"pressrelay.distribution.v1.Distribution", channel}});
    ASSERT_TRUE(t.ok()) << t.status();
    transcoder_ = std::move(*t);
  }
  std::unique_ptr<Transcoder> transcoder_;
};

TEST_F(TranscoderTest, EveryAnnotatedRpcHasARoute) {
  std::set<std::string> methods;
  for (const Route& r : transcoder_->routes()) methods.insert(r.method->full_name());
  EXPECT_TRUE(methods.contains("pressrelay.distribution.v1.Distribution.Publish"));
  EXPECT_TRUE(methods.contains("pressrelay.distribution.v1.Distribution.ApproveDraft"));
  EXPECT_TRUE(methods.contains("pressrelay.registry.v1.RegistryAdmin.UpsertAgency"));
  EXPECT_TRUE(methods.contains("pressrelay.registry.v1.Keys.ListAgencyKeys"));
  // Every RPC of the distribution and registry admin APIs is annotated.
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : {"pressrelay.distribution.v1.Distribution", "pressrelay.registry.v1.RegistryAdmin"}) {
    const auto* service = pool->FindServiceByName(name);
    for (int i = 0; i < service->method_count(); ++i) {
      EXPECT_TRUE(methods.contains(service->method(i)->full_name())) << service->method(i)->full_name();
    }
  }
}

TEST_F(TranscoderTest, PathsAndCustomVerbsMatchTheirRoute) {
  auto revise = transcoder_->Find("POST", "/v1/statements/01JD3Z6Q8M4T2V5X7Y9A0B1C2D:revise");
  ASSERT_TRUE(revise.has_value());
  EXPECT_EQ(revise->route->method->name(), "Revise");
  EXPECT_EQ(revise->bindings.at("statement_id"), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  auto preview = transcoder_->Find("POST", "/v1/drafts:preview");
  ASSERT_TRUE(preview.has_value());
  EXPECT_EQ(preview->route->method->name(), "PreviewDraft");
  EXPECT_EQ(transcoder_->Find("POST", "/v1/drafts")->route->method->name(), "CreateDraft");
  EXPECT_EQ(transcoder_->Find("GET", "/v1/statements/S1/report")->route->method->name(), "GetDeliveryReport");
  // A variable may hold a colon when the route has no verb (recipient ids do).
  auto subscription = transcoder_->Find("GET", "/v1/subscriptions/client:tuoitre-cms");
  ASSERT_TRUE(subscription.has_value());
  EXPECT_EQ(subscription->bindings.at("recipient_id"), "client:tuoitre-cms");
  EXPECT_FALSE(transcoder_->Find("DELETE", "/v1/statements/S1").has_value());
  EXPECT_FALSE(transcoder_->Find("GET", "/v1/nothing").has_value());
  EXPECT_FALSE(transcoder_->Find("GET", "/v1/statements/").has_value());
}

TEST_F(TranscoderTest, RequestsAreBuiltFromPathQueryAndBodyThroughTheJsonMapping) {
  // body "*": the whole request; the path wins over the body.
  auto revise = *transcoder_->Find("POST", "/v1/statements/S1:revise");
  dist::ReviseRequest r;
  ASSERT_TRUE(transcoder_
                  ->Fill(revise, {},
                         R"({"statementId": "OTHER", "signal": "VERSION_SIGNAL_KILL", "reason": "Sai số liệu",
                             "expectedVersion": 2})",
                         &r)
                  .ok());
  EXPECT_EQ(r.statement_id(), "S1");
  EXPECT_EQ(r.signal(), common::v1::VERSION_SIGNAL_KILL);
  EXPECT_EQ(r.reason(), "Sai số liệu");
  EXPECT_EQ(r.expected_version(), 2);
  // body "<field>": the body is that field.
  auto agency = *transcoder_->Find("PUT", "/v1/agencies/MOH");
  reg::UpsertAgencyRequest a;
  ASSERT_TRUE(transcoder_->Fill(agency, {}, R"({"nameVi": "Bộ Y tế", "kind": "AGENCY_KIND_MINISTRY"})", &a).ok());
  EXPECT_EQ(a.agency().code(), "MOH");
  EXPECT_EQ(a.agency().name_vi(), "Bộ Y tế");
  // Query parameters: numbers, booleans, enums, repeated, by proto or JSON name.
  auto report = *transcoder_->Find("GET", "/v1/statements/S1/report");
  dist::GetDeliveryReportRequest g;
  ASSERT_TRUE(transcoder_->Fill(report, {{"version", "3"}, {"onlyUnacknowledged", "true"}}, "", &g).ok());
  EXPECT_EQ(g.statement_id(), "S1");
  EXPECT_EQ(g.version(), 3);
  EXPECT_TRUE(g.only_unacknowledged());
  auto drafts = *transcoder_->Find("GET", "/v1/drafts");
  dist::ListDraftsRequest l;
  ASSERT_TRUE(transcoder_->Fill(drafts, {{"state", "DRAFT_STATE_IN_REVIEW"}, {"page_size", "20"}}, "", &l).ok());
  EXPECT_EQ(l.state(), dist::DRAFT_STATE_IN_REVIEW);
  EXPECT_EQ(l.page_size(), 20);
}

TEST_F(TranscoderTest, WhatCannotBeReadIsNamed) {
  auto report = *transcoder_->Find("GET", "/v1/statements/S1/report");
  dist::GetDeliveryReportRequest g;
  absl::Status s = transcoder_->Fill(report, {{"version", "three"}}, "", &g);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "version");
  s = transcoder_->Fill(report, {{"nosuch", "1"}}, "", &g);
  EXPECT_EQ(ErrorField(s), "nosuch");
  s = transcoder_->Fill(report, {{"onlyUnacknowledged", "yes"}}, "", &g);
  EXPECT_EQ(ErrorField(s), "onlyUnacknowledged");
  auto publish = *transcoder_->Find("POST", "/v1/statements");
  dist::PublishRequest p;
  EXPECT_EQ(ErrorField(transcoder_->Fill(publish, {}, "{not json", &p)), "body");
  EXPECT_EQ(ErrorField(transcoder_->Fill(publish, {}, R"({"draft": {"headlin": "x"}})", &p)), "body");
  EXPECT_EQ(ErrorField(transcoder_->Fill(publish, {{"idempotencyKey", "k"}}, "{}", &p)), "idempotencyKey");
  EXPECT_EQ(ErrorField(transcoder_->Fill(report, {}, R"({"x": 1})", &g)), "body");
}

TEST(HttpStatus, GoogleCodeTable) {
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kCancelled), 499);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnimplemented), 501);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDataLoss), 500);
}

TEST(HttpStatus, AnErrorBodyIsTheRpcStatusWithItsFieldViolations) {
  FieldViolations v;
  v.Add("draft.headline", "is required");
  v.Add("draft.body", "is required");
  HttpAnswer answer = ErrorAnswer(v.ToStatus());
  EXPECT_EQ(answer.status, 400);
  google::protobuf::Struct body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(answer.body, &body).ok()) << answer.body;
  EXPECT_EQ(body.fields().at("code").number_value(), 3);
  EXPECT_TRUE(absl::StartsWith(body.fields().at("message").string_value(), "draft.headline: is required"));
  const auto& detail = body.fields().at("details").list_value().values(0).struct_value().fields();
  EXPECT_EQ(detail.at("@type").string_value(), "type.googleapis.com/google.rpc.BadRequest");
  const auto& violations = detail.at("fieldViolations").list_value();
  ASSERT_EQ(violations.values_size(), 2);
  EXPECT_EQ(violations.values(1).struct_value().fields().at("field").string_value(), "draft.body");
}

TEST_F(TranscoderTest, TheOpenApiDocumentDescribesEveryRoute) {
  google::protobuf::Struct doc;
  const std::string text = OpenApiDocument(*transcoder_, "pressrelay admin API", "v1");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(text, &doc).ok());
  EXPECT_EQ(doc.fields().at("openapi").string_value(), "3.0.3");
  const auto& paths = doc.fields().at("paths").struct_value().fields();
  size_t operations = 0;
  for (const auto& [path, item] : paths) operations += item.struct_value().fields().size();
  EXPECT_EQ(operations, transcoder_->routes().size());
  const auto& revise = paths.at("/api/v1/statements/{statement_id}:revise").struct_value().fields().at("post");
  EXPECT_EQ(revise.struct_value().fields().at("operationId").string_value(), "Distribution_Revise");
  // Schemas use the JSON mapping's names and types.
  const auto& schemas =
      doc.fields().at("components").struct_value().fields().at("schemas").struct_value().fields();
  const auto& draft = schemas.at("pressrelay.distribution.v1.StatementDraft").struct_value().fields();
  const auto& props = draft.at("properties").struct_value().fields();
  EXPECT_TRUE(props.contains("agencyCode"));
  EXPECT_TRUE(props.contains("inReplyTo"));
  EXPECT_EQ(props.at("embargoed").struct_value().fields().at("format").string_value(), "date-time");
}

}  // namespace
}  // namespace pressrelay::gateway
