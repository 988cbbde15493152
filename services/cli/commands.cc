#include "services/cli/commands.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <iostream>
#include <map>
#include <algorithm>
#include <filesystem>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "pressrelay/distribution/v1/distribution.grpc.pb.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "pressrelay/subscription/v1/subscription.grpc.pb.h"
#include "services/cli/args.h"
#include "services/cli/csv.h"
#include "services/cli/json.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/domain/legal_refs.h"
#include "services/common/domain/signing.h"
#include "services/common/domain/validation.h"
#include "services/common/base/configuration.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::cli {
namespace {

namespace reg = pressrelay::registry::v1;
namespace dist = pressrelay::distribution::v1;
namespace sub = pressrelay::subscription::v1;
using google::protobuf::Message;

constexpr absl::Duration kDeadline = absl::Seconds(30);

struct Context {
  const Endpoints& endpoints;
  const Args& args;
  std::istream& in;
  std::ostream& out;
};

absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(const Endpoints& e, const std::string& target) {
  TlsFiles tls;
  tls.ca_file = e.ca_file;
  tls.cert_file = e.cert_file;
  tls.key_file = e.key_file;
  tls.server_name_override = e.server_name;
  return MakeChannel(target, tls);
}

// The JSON argument of a command: inline text, "@file", "-" for stdin, or stdin when absent.
absl::StatusOr<std::string> JsonArgument(const Context& c, size_t index) {
  std::string source = index < c.args.positional().size() ? c.args.positional()[index] : "-";
  if (source == "-") {
    std::stringstream ss;
    ss << c.in.rdbuf();
    return ss.str();
  }
  if (!source.empty() && source[0] == '@') source = source.substr(1);
  if (!source.empty() && source[0] != '{') {
    std::ifstream file(source, std::ios::binary);
    if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", source));
    std::stringstream ss;
    ss << file.rdbuf();
    return ss.str();
  }
  return source;
}

absl::StatusOr<std::string> Positional(const Context& c, size_t index, absl::string_view what) {
  if (index >= c.args.positional().size()) return absl::InvalidArgumentError(absl::StrCat("missing ", what));
  return c.args.positional()[index];
}

// Calls one unary RPC with the caller's token and prints the answer as JSON.
template <typename Stub, typename Request, typename Response>
absl::Status Call(const Context& c, Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response, bool print = true) {
  auto ctx = CallContext(c.endpoints.token, kDeadline);
  grpc::Status status = (stub.*method)(ctx.get(), request, response);
  if (!status.ok()) return FromGrpcStatus(status);
  if (print) c.out << ToJsonPretty(*response) << "\n";
  return absl::OkStatus();
}

// --- registry ----------------------------------------------------------------------------

using Admin = reg::RegistryAdmin::Stub;

// One registry administration call: builds the request from the command line, calls
// `method`, prints the answer.
template <typename Request, typename Response>
absl::Status AdminCall(const Context& c, grpc::Status (Admin::*method)(grpc::ClientContext*, const Request&, Response*),
                       const std::function<absl::Status(const Context&, Request*)>& build) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.registry));
  auto stub = reg::RegistryAdmin::NewStub(channel);
  Request request;
  PR_RETURN_IF_ERROR(build(c, &request));
  Response response;
  return Call(c, *stub, method, request, &response);
}

// `<noun> put JSON`: the JSON is the entity the request carries.
template <typename Request, typename Response, typename Entity>
std::function<absl::Status(const Context&)> Put(grpc::Status (Admin::*method)(grpc::ClientContext*, const Request&,
                                                                              Response*),
                                                Entity* (Request::*entity)()) {
  return [method, entity](const Context& c) {
    return AdminCall<Request, Response>(c, method, [entity](const Context& c, Request* r) -> absl::Status {
      PR_ASSIGN_OR_RETURN(std::string json, JsonArgument(c, 2));
      return FromJson(json, (r->*entity)());
    });
  };
}

// A listing, filtered by the option `option` (if any) into the request's `field`.
template <typename Request, typename Response>
std::function<absl::Status(const Context&)> Listing(grpc::Status (Admin::*method)(grpc::ClientContext*, const Request&,
                                                                               Response*),
                                                 void (Request::*field)(const std::string&) = nullptr,
                                                 const char* option = nullptr) {
  return [method, field, option](const Context& c) {
    return AdminCall<Request, Response>(c, method, [field, option](const Context& c, Request* r) {
      if (field != nullptr) (r->*field)(c.args.GetOr(option, ""));
      return absl::OkStatus();
    });
  };
}

absl::Status GetSubscription(const Context& c) {
  return AdminCall<reg::GetSubscriptionRequest, reg::Subscription>(
      c, &Admin::GetSubscription, [](const Context& c, reg::GetSubscriptionRequest* r) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*r->mutable_recipient_id(), Positional(c, 2, "recipient id"));
        return absl::OkStatus();
      });
}

absl::Status Import(const Context& c) {
  // `import FILE`: the JSON is the second word.
  return AdminCall<reg::ImportRecipientsRequest, reg::ImportRecipientsResponse>(
      c, &Admin::ImportRecipients, [](const Context& c, reg::ImportRecipientsRequest* r) -> absl::Status {
        PR_ASSIGN_OR_RETURN(std::string json, JsonArgument(c, 1));
        return FromJson(json, r);
      });
}

absl::Status IssueToken(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.registry));
  auto stub = reg::RegistryAdmin::NewStub(channel);
  reg::IssueTokenRequest r;
  const std::string kind = absl::AsciiStrToUpper(c.args.GetOr("kind", ""));
  reg::SubjectKind parsed;
  if (!reg::SubjectKind_Parse(absl::StrCat("SUBJECT_KIND_", kind), &parsed)) {
    return FieldError("--kind", "must be operator, spokesperson, press_officer, newsroom_client, journalist, service or gateway");
  }
  r.set_subject_kind(parsed);
  r.set_subject_id(c.args.GetOr("subject", ""));
  r.set_description(c.args.GetOr("description", ""));
  PR_ASSIGN_OR_RETURN(int64_t ttl, c.args.GetInt("ttl-seconds", 0));
  r.set_ttl_seconds(ttl);
  reg::IssueTokenResponse resp;
  PR_RETURN_IF_ERROR(Call(c, *stub, &Admin::IssueToken, r, &resp, false));
  if (c.args.Has("token-only")) {
    c.out << resp.token() << "\n";
  } else {
    c.out << ToJsonPretty(resp) << "\n";
  }
  return absl::OkStatus();
}

absl::Status RevokeToken(const Context& c) {
  return AdminCall<reg::RevokeTokenRequest, reg::RevokeTokenResponse>(
      c, &Admin::RevokeToken, [](const Context& c, reg::RevokeTokenRequest* r) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*r->mutable_token_id(), Positional(c, 2, "token id"));
        return absl::OkStatus();
      });
}

absl::Status PutAccount(const Context& c) {
  return AdminCall<reg::UpsertAccountRequest, reg::Account>(
      c, &Admin::UpsertAccount, [](const Context& c, reg::UpsertAccountRequest* r) -> absl::Status {
        PR_ASSIGN_OR_RETURN(std::string json, JsonArgument(c, 2));
        PR_RETURN_IF_ERROR(FromJson(json, r->mutable_account()));
        // The password from a file (never on the command line, where ps shows it).
        if (const std::string file = c.args.GetOr("password-file", ""); !file.empty()) {
          PR_ASSIGN_OR_RETURN(*r->mutable_password(), ReadSecretFile(file));
        }
        return absl::OkStatus();
      });
}

absl::Status ResetTotp(const Context& c) {
  return AdminCall<reg::AccountRequest, reg::Account>(
      c, &Admin::ResetTotp, [](const Context& c, reg::AccountRequest* r) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*r->mutable_username(), Positional(c, 2, "username"));
        return absl::OkStatus();
      });
}

absl::Status Audit(const Context& c) {
  return AdminCall<reg::QueryAuditRequest, reg::QueryAuditResponse>(
      c, &Admin::QueryAudit, [](const Context& c, reg::QueryAuditRequest* r) -> absl::Status {
        r->set_principal_id(c.args.GetOr("principal", ""));
        r->set_method(c.args.GetOr("method", ""));
        r->set_target(c.args.GetOr("target", ""));
        if (const std::string since = c.args.GetOr("since", ""); !since.empty()) {
          absl::Time t;
          std::string error;
          if (!absl::ParseTime(absl::RFC3339_full, since, &t, &error)) {
            return FieldError("--since", "must be an RFC 3339 time such as 2026-11-26T08:00:00+07:00");
          }
          *r->mutable_since() = ToProto(t);
        }
        PR_ASSIGN_OR_RETURN(int64_t limit, c.args.GetInt("limit", 0));
        r->set_limit(static_cast<int32_t>(limit));
        r->set_page_token(c.args.GetOr("page-token", ""));
        return absl::OkStatus();
      });
}

// --- statements --------------------------------------------------------------------------

absl::Status Publish(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.distribution));
  auto stub = dist::Distribution::NewStub(channel);
  dist::PublishRequest r;
  PR_ASSIGN_OR_RETURN(std::string json, JsonArgument(c, 1));
  PR_ASSIGN_OR_RETURN(*r.mutable_draft(), ParseDraftJson(json));
  r.set_idempotency_key(c.args.GetOr("idempotency-key", ""));
  r.set_early_to_trusted(c.args.Has("early-to-trusted"));
  dist::PublishResponse resp;
  return Call(c, *stub, &dist::Distribution::Stub::Publish, r, &resp);
}

absl::Status Revise(const Context& c, pressrelay::common::v1::VersionSignal signal) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.distribution));
  auto stub = dist::Distribution::NewStub(channel);
  dist::ReviseRequest r;
  PR_ASSIGN_OR_RETURN(*r.mutable_statement_id(), Positional(c, 1, "statement id"));
  r.set_signal(signal);
  r.set_reason(c.args.GetOr("reason", ""));
  r.set_idempotency_key(c.args.GetOr("idempotency-key", ""));
  PR_ASSIGN_OR_RETURN(int64_t expected, c.args.GetInt("expected-version", 0));
  r.set_expected_version(static_cast<int32_t>(expected));
  if (auto draft = c.args.Get("draft")) {
    Args one = *Args::Parse({"x", *draft}, {});
    PR_ASSIGN_OR_RETURN(std::string json, JsonArgument(Context{c.endpoints, one, c.in, c.out}, 1));
    PR_ASSIGN_OR_RETURN(*r.mutable_draft(), ParseDraftJson(json));
  }
  dist::PublishResponse resp;
  return Call(c, *stub, &dist::Distribution::Stub::Revise, r, &resp);
}

absl::Status Get(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.distribution));
  auto stub = dist::Distribution::NewStub(channel);
  dist::GetStatementRequest r;
  PR_ASSIGN_OR_RETURN(*r.mutable_statement_id(), Positional(c, 1, "statement id"));
  PR_ASSIGN_OR_RETURN(int64_t version, c.args.GetInt("version", 0));
  r.set_version(static_cast<int32_t>(version));
  pressrelay::common::v1::Statement resp;
  return Call(c, *stub, &dist::Distribution::Stub::GetStatement, r, &resp);
}

absl::Status List(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.distribution));
  auto stub = dist::Distribution::NewStub(channel);
  dist::ListStatementsRequest r;
  r.set_agency_code(c.args.GetOr("agency", ""));
  PR_ASSIGN_OR_RETURN(int64_t size, c.args.GetInt("page-size", 0));
  r.set_page_size(static_cast<int32_t>(size));
  r.set_page_token(c.args.GetOr("page-token", ""));
  dist::ListStatementsResponse resp;
  return Call(c, *stub, &dist::Distribution::Stub::ListStatements, r, &resp);
}

absl::Status Report(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.distribution));
  auto stub = dist::Distribution::NewStub(channel);
  dist::GetDeliveryReportRequest r;
  PR_ASSIGN_OR_RETURN(*r.mutable_statement_id(), Positional(c, 1, "statement id"));
  PR_ASSIGN_OR_RETURN(int64_t version, c.args.GetInt("version", 0));
  r.set_version(static_cast<int32_t>(version));
  r.set_only_unacknowledged(c.args.Has("unacknowledged"));
  dist::DeliveryReport resp;
  return Call(c, *stub, &dist::Distribution::Stub::GetDeliveryReport, r, &resp);
}

// --- reading -----------------------------------------------------------------------------

absl::StatusOr<std::vector<reg::AgencyKey>> FetchKeys(const Context& c);

absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return absl::InternalError(absl::StrCat("cannot write ", tmp));
    f << content << "\n";
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// Prints each delivery as one JSON line, then acknowledges it. With --cursor-file the
// last processed cursor is kept in that file and used to resume.
absl::Status Subscribe(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.subscription));
  auto stub = sub::Subscription::NewStub(channel);
  const std::string cursor_file = c.args.GetOr("cursor-file", "");
  sub::SubscribeRequest request;
  request.set_cursor(c.args.GetOr("cursor", ""));
  if (!cursor_file.empty() && request.cursor().empty()) {
    std::ifstream f(cursor_file);
    std::string saved;
    if (f && std::getline(f, saved)) request.set_cursor(std::string(absl::StripAsciiWhitespace(saved)));
  }
  request.set_from_oldest_retained(c.args.Has("from-oldest"));
  PR_ASSIGN_OR_RETURN(int64_t count, c.args.GetInt("count", 0));
  const bool until_caught_up = c.args.Has("until-caught-up");
  const bool ack = !c.args.Has("no-ack");
  const bool verify = c.args.Has("verify");
  std::vector<reg::AgencyKey> keys;
  if (verify) {
    PR_ASSIGN_OR_RETURN(keys, FetchKeys(c));
  }

  grpc::ClientContext ctx;
  if (!c.endpoints.token.empty()) ctx.AddMetadata("authorization", absl::StrCat("Bearer ", c.endpoints.token));
  auto reader = stub->Subscribe(&ctx, request);
  sub::SubscribeResponse response;
  int64_t received = 0;
  bool done = false;
  while (!done && reader->Read(&response)) {
    for (const auto& delivery : response.deliveries()) {
      if (verify) {
        absl::Status v = signing::Verify(delivery.statement(), keys);
        if (!v.ok() && absl::StrContains(v.message(), "unknown signing key")) {
          PR_ASSIGN_OR_RETURN(keys, FetchKeys(c));  // a key rotated in since we started
          v = signing::Verify(delivery.statement(), keys);
        }
        if (!v.ok()) {
          ctx.TryCancel();
          return Annotate(v, absl::StrCat("statement ", delivery.statement().id(), " v", delivery.statement().version()));
        }
      }
      c.out << ToJsonLine(delivery) << std::endl;
      if (ack) {
        sub::AckRequest ack_request;
        ack_request.set_cursor(delivery.cursor());
        sub::AckResponse ack_response;
        PR_RETURN_IF_ERROR(Call(c, *stub, &sub::Subscription::Stub::Ack, ack_request, &ack_response, false));
      }
      if (!cursor_file.empty()) PR_RETURN_IF_ERROR(WriteFileAtomically(cursor_file, delivery.cursor()));
      if (count > 0 && ++received >= count) {
        done = true;
        break;
      }
    }
    if (response.caught_up() && until_caught_up) done = true;
  }
  if (done) {
    ctx.TryCancel();
    reader->Finish();
    return absl::OkStatus();
  }
  return FromGrpcStatus(reader->Finish());
}

absl::Status History(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.subscription));
  auto stub = sub::Subscription::NewStub(channel);
  sub::HistoryRequest r;
  PR_ASSIGN_OR_RETURN(int64_t size, c.args.GetInt("page-size", 0));
  r.set_page_size(static_cast<int32_t>(size));
  r.set_page_token(c.args.GetOr("page-token", ""));
  sub::HistoryResponse resp;
  return Call(c, *stub, &sub::Subscription::Stub::History, r, &resp);
}

// --- signing -----------------------------------------------------------------------------

// keygen --agency CODE --key-id ID --out DIR: a new private key file, mode 600.
absl::Status Keygen(const Context& c) {
  const std::string agency = c.args.GetOr("agency", "");
  const std::string key_id = c.args.GetOr("key-id", absl::StrCat(agency, "-", absl::FormatTime("%Y%m%d", absl::Now(), absl::UTCTimeZone())));
  const std::string dir = c.args.GetOr("out", ".");
  if (agency.empty()) return FieldError("--agency", "is required");
  const std::string path = absl::StrCat(dir, "/", key_id, ".key");
  if (std::ifstream(path).good()) return absl::AlreadyExistsError(absl::StrCat(path, " exists"));
  const signing::KeyFile key = signing::GenerateKey(agency, key_id, absl::Now());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
    out << signing::FormatKeyFile(key);
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  c.out << path << "\n";
  return absl::OkStatus();
}

absl::StatusOr<std::vector<reg::AgencyKey>> FetchKeys(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.registry));
  auto stub = reg::Keys::NewStub(channel);
  reg::ListAgencyKeysResponse resp;
  PR_RETURN_IF_ERROR(Call(c, *stub, &reg::Keys::Stub::ListAgencyKeys, reg::ListAgencyKeysRequest(), &resp, false));
  return std::vector<reg::AgencyKey>(resp.keys().begin(), resp.keys().end());
}

// keys: the agencies' public keys as JSON, to keep for offline verification.
absl::Status Keys(const Context& c) {
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.registry));
  auto stub = reg::Keys::NewStub(channel);
  reg::ListAgencyKeysRequest r;
  r.set_agency_code(c.args.GetOr("agency", ""));
  reg::ListAgencyKeysResponse resp;
  return Call(c, *stub, &reg::Keys::Stub::ListAgencyKeys, r, &resp);
}

// spokesperson public --agency CODE [--csv] [--out FILE]: the agency's public list of
// spokespeople (anyone with a token may read it), as JSON or as the CSV file it posts.
absl::Status PublicSpokespeople(const Context& c) {
  const std::string agency = c.args.GetOr("agency", "");
  if (agency.empty()) return FieldError("--agency", "is required: an agency code such as MOH, or - for every agency");
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, c.endpoints.registry));
  auto stub = reg::PublicRegistry::NewStub(channel);
  reg::ListAgencySpokespeopleRequest r;
  r.set_agency_code(agency);
  reg::ListAgencySpokespeopleResponse resp;
  PR_RETURN_IF_ERROR(Call(c, *stub, &reg::PublicRegistry::Stub::ListAgencySpokespeople, r, &resp, false));
  const std::string text = c.args.Has("csv") ? SpokespeopleCsv(resp) : ToJsonPretty(resp) + "\n";
  const std::string path = c.args.GetOr("out", "");
  if (path.empty()) {
    c.out << text;
    return absl::OkStatus();
  }
  // Whole or not at all: a portal that picks the file up never reads half of it.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f || !(f << text) || !f.flush()) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return absl::InternalError(absl::StrCat("cannot write ", path));
  c.out << path << "\n";
  return absl::OkStatus();
}

// verify --keys FILE [INPUT]: checks every statement (or delivery) JSON line of INPUT
// offline; prints one verdict per line; fails if any does not verify.
absl::Status VerifyCommand(const Context& c) {
  const std::string keys_file = c.args.GetOr("keys", "");
  if (keys_file.empty()) return FieldError("--keys", "is required: the output of `pressrelay keys`");
  std::ifstream kf(keys_file);
  if (!kf) return absl::NotFoundError(absl::StrCat("cannot read ", keys_file));
  std::stringstream ks;
  ks << kf.rdbuf();
  reg::ListAgencyKeysResponse keys;
  PR_RETURN_IF_ERROR(FromJson(ks.str(), &keys));
  const std::vector<reg::AgencyKey> list(keys.keys().begin(), keys.keys().end());
  PR_ASSIGN_OR_RETURN(std::string input, JsonArgument(c, 1));
  int bad = 0, total = 0;
  std::stringstream lines(input);
  std::string line;
  while (std::getline(lines, line)) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    ++total;
    pressrelay::common::v1::Statement statement;
    sub::Delivery delivery;
    if (FromJson(line, &delivery).ok() && delivery.has_statement()) {
      statement = delivery.statement();
    } else {
      PR_RETURN_IF_ERROR(FromJson(line, &statement));
    }
    absl::Status v = signing::Verify(statement, list);
    c.out << (v.ok() ? "OK " : "FAILED ") << statement.id() << " v" << statement.version();
    if (!v.ok()) c.out << ": " << v.message();
    c.out << "\n";
    bad += v.ok() ? 0 : 1;
  }
  if (bad > 0) return absl::PermissionDeniedError(absl::StrCat(bad, " of ", total, " statements failed verification"));
  return absl::OkStatus();
}

// Exit 0 if the server's health (name "" or --service) is SERVING: for exec probes and
// scripts, over TLS too.
absl::Status Health(const Context& c) {
  PR_ASSIGN_OR_RETURN(std::string address, Positional(c, 1, "address"));
  PR_ASSIGN_OR_RETURN(auto channel, Channel(c.endpoints, address));
  PR_ASSIGN_OR_RETURN(int64_t timeout_ms, c.args.GetInt("timeout-ms", 3000));
  PR_RETURN_IF_ERROR(CheckHealth(*channel, c.args.GetOr("service", ""), absl::Milliseconds(timeout_ms)));
  c.out << "SERVING\n";
  return absl::OkStatus();
}

// Legal documents the text on stdin cites (domain/legal_refs.h), one JSON object a line.
absl::Status Refs(const Context& c) {
  const std::string raw(std::istreambuf_iterator<char>(c.in), {});
  if (!validation::IsValidUtf8(raw)) return absl::InvalidArgumentError("stdin: not UTF-8 text");
  const std::string text = validation::ToNfc(raw);
  for (const legal::LegalRef& ref : legal::FindLegalRefs(text)) {
    google::protobuf::Struct line;
    auto& f = *line.mutable_fields();
    f["canonical"].set_string_value(ref.canonical);
    f["kind"].set_string_value(std::string(legal::KindName(ref.kind)));
    f["number"].set_string_value(ref.number);
    if (ref.year > 0) f["year"].set_number_value(ref.year);
    if (!ref.kind_code.empty()) f["kind_code"].set_string_value(ref.kind_code);
    f["issuer"].set_string_value(ref.issuer);
    if (!ref.unit.empty()) f["unit"].set_string_value(ref.unit);
    if (!ref.issued_on.empty()) f["issued_on"].set_string_value(ref.issued_on);
    if (!ref.name.empty()) f["name"].set_string_value(ref.name);
    f["text"].set_string_value(text.substr(ref.begin, ref.end - ref.begin));
    f["begin"].set_number_value(static_cast<double>(ref.begin));
    f["end"].set_number_value(static_cast<double>(ref.end));
    c.out << ToJsonLine(line) << "\n";
  }
  return absl::OkStatus();
}

// Every command: the words that name it, what follows them, and what it does. The usage text
// is made from this table, by section.
struct Command {
  std::vector<std::string> words;
  const char* section;
  const char* usage;  // after the words
  std::function<absl::Status(const Context&)> run;
};

const std::vector<Command>& Commands() {
  using pressrelay::common::v1::VERSION_SIGNAL_CORRECTION;
  using pressrelay::common::v1::VERSION_SIGNAL_KILL;
  using pressrelay::common::v1::VERSION_SIGNAL_UPDATE;
  using pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD;
  constexpr const char* kRegistry = "Registry (operators)";
  constexpr const char* kStatements = "Statements (spokespeople)";
  constexpr const char* kSignatures = "Signatures";
  constexpr const char* kOperations = "Operations";
  constexpr const char* kNewsrooms = "Newsrooms and journalists";
  static const auto* commands = new std::vector<Command>{
      {{"agency", "put"}, kRegistry, "JSON", Put(&Admin::UpsertAgency, &reg::UpsertAgencyRequest::mutable_agency)},
      {{"agency", "list"}, kRegistry, "", Listing(&Admin::ListAgencies)},
      {{"agency", "change"}, kRegistry,
       "JSON    rename, merge into another or dissolve, from a date, by a decision\n"
       "                   (a ChangeAgencyRequest: code, kind, name_vi, successor_code, effective_from, decided_by)",
       [](const Context& c) {
         return AdminCall<reg::ChangeAgencyRequest, reg::Agency>(
             c, &Admin::ChangeAgency, [](const Context& c, reg::ChangeAgencyRequest* r) -> absl::Status {
               PR_ASSIGN_OR_RETURN(std::string json, JsonArgument(c, 2));
               return FromJson(json, r);
             });
       }},
      {{"spokesperson", "put"}, kRegistry, "JSON",
       Put(&Admin::UpsertSpokesperson, &reg::UpsertSpokespersonRequest::mutable_spokesperson)},
      {{"spokesperson", "list"}, kRegistry, "[--agency CODE]",
       Listing(&Admin::ListSpokespeople, &reg::ListSpokespeopleRequest::set_agency_code, "agency")},
      {{"spokesperson", "public"}, kRegistry,
       "--agency CODE|- [--csv] [--out FILE]\n"
       "                   (the agency's public list of spokespeople, any token; --csv: the file it posts)",
       PublicSpokespeople},
      {{"outlet", "put"}, kRegistry, "JSON", Put(&Admin::UpsertOutlet, &reg::UpsertOutletRequest::mutable_outlet)},
      {{"outlet", "list"}, kRegistry, "", Listing(&Admin::ListOutlets)},
      {{"journalist", "put"}, kRegistry, "JSON",
       Put(&Admin::UpsertJournalist, &reg::UpsertJournalistRequest::mutable_journalist)},
      {{"journalist", "list"}, kRegistry, "[--outlet ID]",
       Listing(&Admin::ListJournalists, &reg::ListJournalistsRequest::set_outlet_id, "outlet")},
      {{"client", "put"}, kRegistry, "JSON",
       Put(&Admin::UpsertNewsroomClient, &reg::UpsertNewsroomClientRequest::mutable_client)},
      {{"client", "list"}, kRegistry, "[--outlet ID]",
       Listing(&Admin::ListNewsroomClients, &reg::ListNewsroomClientsRequest::set_outlet_id, "outlet")},
      {{"press-officer", "put"}, kRegistry, "JSON",
       Put(&Admin::UpsertPressOfficer, &reg::UpsertPressOfficerRequest::mutable_press_officer)},
      {{"press-officer", "list"}, kRegistry, "[--agency CODE]",
       Listing(&Admin::ListPressOfficers, &reg::ListPressOfficersRequest::set_agency_code, "agency")},
      {{"account", "put"}, kRegistry, "JSON [--password-file FILE]   (sign-in to the admin gateway)", PutAccount},
      {{"account", "list"}, kRegistry, "[--subject ID]",
       Listing(&Admin::ListAccounts, &reg::ListAccountsRequest::set_subject_id, "subject")},
      {{"account", "reset-totp"}, kRegistry, "USERNAME", ResetTotp},
      {{"subscription", "set"}, kRegistry, "JSON",
       Put(&Admin::SetSubscription, &reg::SetSubscriptionRequest::mutable_subscription)},
      {{"subscription", "get"}, kRegistry, "RECIPIENT_ID", GetSubscription},
      {{"refs"}, kStatements, "< TEXT   (the legal documents a text cites, normalised: one JSON object a line)", Refs},
      {{"import"}, kRegistry, "JSON      (outlets, journalists, clients, subscriptions in bulk; all or nothing)",
       Import},
      {{"token", "issue"}, kRegistry, "--kind KIND --subject ID [--ttl-seconds N] [--description TEXT] [--token-only]",
       IssueToken},
      {{"token", "revoke"}, kRegistry, "TOKEN_ID", RevokeToken},
      {{"token", "list"}, kRegistry, "[--subject ID]",
       Listing(&Admin::ListTokens, &reg::ListTokensRequest::set_subject_id, "subject")},
      {{"audit"}, kRegistry,
       "[--principal ID] [--method Service.Method] [--target ID] [--since TIME] [--limit N] [--page-token T]\n"
       "                   (the audit trail of state-changing calls, newest first)",
       Audit},
      {{"publish"}, kStatements, "[DRAFT_JSON | FILE | -] [--idempotency-key KEY] [--early-to-trusted]", Publish},
      {{"update"}, kStatements, "ID --draft FILE [--reason TEXT]",
       [](const Context& c) { return Revise(c, VERSION_SIGNAL_UPDATE); }},
      {{"correct"}, kStatements, "ID --reason TEXT [--draft FILE]",
       [](const Context& c) { return Revise(c, VERSION_SIGNAL_CORRECTION); }},
      {{"withhold"}, kStatements, "ID --reason TEXT", [](const Context& c) { return Revise(c, VERSION_SIGNAL_WITHHOLD); }},
      {{"kill"}, kStatements, "ID --reason TEXT", [](const Context& c) { return Revise(c, VERSION_SIGNAL_KILL); }},
      {{"get"}, kStatements, "ID [--version N]", Get},
      {{"list"}, kStatements, "[--agency CODE]", List},
      {{"report"}, kStatements, "ID [--version N] [--unacknowledged]", Report},
      {{"keygen"}, kSignatures, "--agency CODE [--key-id ID] [--out DIR]     a new private signing key file (operators)",
       Keygen},
      {{"keys"}, kSignatures, "[--agency CODE]                               agencies' public keys, as JSON", Keys},
      {{"verify"}, kSignatures, "--keys KEYS_JSON [FILE | -]                 check statements / deliveries offline",
       VerifyCommand},
      {{"health"}, kOperations,
       "ADDRESS [--service NAME] [--timeout-ms N]   exit 0 when SERVING (name \"pressrelay.liveness\"\n"
       "                                                     for liveness)",
       Health},
      {{"subscribe"}, kNewsrooms,
       "[--cursor C | --cursor-file FILE | --from-oldest] [--count N] [--until-caught-up] [--no-ack]\n"
       "            [--verify]   (checks each statement's signature; stops at the first that fails)",
       Subscribe},
      {{"history"}, kNewsrooms, "[--page-size N] [--page-token T]", History},
  };
  return *commands;
}

// The command the words name (the longest match), or null.
const Command* Find(const std::vector<std::string>& positional) {
  const Command* found = nullptr;
  for (const Command& command : Commands()) {
    if (command.words.size() > positional.size()) continue;
    if (!std::equal(command.words.begin(), command.words.end(), positional.begin())) continue;
    if (found == nullptr || command.words.size() > found->words.size()) found = &command;
  }
  return found;
}

}  // namespace

std::string Usage() {
  std::string out = R"(usage: pressrelay [--registry ADDR] [--distribution ADDR] [--subscription ADDR]
                  [--token TOKEN | --token-file FILE] [--ca FILE [--cert FILE --key FILE]]
                  [--request-id ID] COMMAND
)";
  const char* section = nullptr;
  for (const Command& command : Commands()) {
    if (section == nullptr || std::string(section) != command.section) {
      section = command.section;
      absl::StrAppend(&out, "\n", section, ":\n");
    }
    absl::StrAppend(&out, "  ", absl::StrJoin(command.words, " "), command.usage[0] ? " " : "", command.usage, "\n");
  }
  absl::StrAppend(&out, R"(
JSON arguments may be inline ('{...}'), a file name (or @file), or - for standard input.
Addresses and the token also come from PRESSRELAY_REGISTRY, PRESSRELAY_DISTRIBUTION,
PRESSRELAY_SUBSCRIPTION and PRESSRELAY_TOKEN.
)");
  return out;
}

int RunCommand(const Endpoints& endpoints, const std::vector<std::string>& words, std::istream& in,
               std::ostream& out, std::ostream& err) {
  if (words.empty() || words[0] == "help" || words[0] == "--help") {
    out << Usage();
    return words.empty() ? 2 : 0;
  }
  auto args = Args::Parse(words, {"early-to-trusted", "token-only", "until-caught-up", "no-ack", "from-oldest",
                                  "unacknowledged", "verify", "csv"});
  if (!args.ok()) {
    err << "error: " << args.status().message() << "\n";
    return 2;
  }
  if (args->positional().empty()) {
    err << "error: no command given (options only); see \"pressrelay help\"\n";
    return 2;
  }
  const Command* command = Find(args->positional());
  if (command == nullptr) {
    err << "error: unknown command: " << absl::StrJoin(args->positional(), " ") << "\n" << Usage();
    return 2;
  }
  Context c{endpoints, *args, in, out};
  if (absl::Status status = command->run(c); !status.ok()) {
    err << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace pressrelay::cli
