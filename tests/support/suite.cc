#include "tests/support/suite.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/domain/ids.h"
#include "services/common/domain/signing.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(30);
constexpr absl::Duration kCallDeadline = absl::Seconds(30);

// The fixed port a service listens on when it has a host of its own.
int HostPort(const std::string& name) {
  if (absl::StartsWith(name, "registry")) return 7401;
  if (absl::StartsWith(name, "distribution")) return 7402;
  return 7403;
}

int ParsePort(const std::string& ready_line) {
  const size_t at = ready_line.find("port=");
  return at == std::string::npos ? 0 : std::atoi(ready_line.c_str() + at + 5);
}

template <typename Stub, typename Request, typename Response>
absl::Status Invoke(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
  auto ctx = CallContext(token, kCallDeadline);
  return FromGrpcStatus((stub.*method)(ctx.get(), request, response));
}

absl::Mutex credentials_mu;
std::shared_ptr<grpc::ChannelCredentials>* credentials ABSL_GUARDED_BY(credentials_mu) = nullptr;

std::shared_ptr<grpc::Channel> Channel(const std::string& address) { return OpenChannel(address); }

}  // namespace

void SetClientCredentials(std::shared_ptr<grpc::ChannelCredentials> creds) {
  absl::MutexLock lock(&credentials_mu);
  delete credentials;
  credentials = creds ? new std::shared_ptr<grpc::ChannelCredentials>(std::move(creds)) : nullptr;
}

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address, const grpc::ChannelArguments& args) {
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  {
    absl::MutexLock lock(&credentials_mu);
    if (credentials != nullptr) creds = *credentials;
  }
  return grpc::CreateCustomChannel(address, creds, args);
}

// --- RedisServer --------------------------------------------------------------------------

absl::Status RedisServer::Start() {
  port_ = host_.netns.empty() ? FreePort() : 6379;
  return Launch();
}

absl::Status RedisServer::Restart() {
  process_.Kill();
  return Launch();
}

absl::Status RedisServer::Restart(const std::vector<std::string>& extra, bool wait_loaded) {
  process_.Kill();
  return Launch(extra, wait_loaded);
}

absl::Status RedisServer::Launch(const std::vector<std::string>& extra, bool wait_loaded) {
  std::vector<std::string> argv;
  if (!host_.netns.empty()) argv = {"ip", "netns", "exec", host_.netns};
  const std::vector<std::string> server = {"redis-server", "--port", std::to_string(port_), "--bind",
                                   host_.ip.empty() ? "127.0.0.1" : host_.ip,
                                   "--dir", dir_, "--save", "", "--daemonize", "no",
                                   // On a host of its own, Redis listens on the test's private
                                   // network (protected mode would refuse every other host).
                                   "--protected-mode", host_.ip.empty() ? "yes" : "no",
                                   "--appendonly", "yes", "--appendfsync", "everysec",
                                   "--zset-max-listpack-entries", "256", "--loglevel", "notice",
                                   // To the file, not stdout: nobody drains the stdout pipe, and
                                   // a full pipe would stall the server.
                                   "--logfile", dir_ + "/redis.log"};
  argv.insert(argv.end(), server.begin(), server.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (auto s = process_.Start(argv, dir_ + "/redis.log"); !s.ok()) return s;
  // Probe until it answers PING (or the process dies).
  const absl::Time deadline = absl::Now() + kStartTimeout;
  redis::Options options;
  if (!host_.ip.empty()) options.host = host_.ip;
  options.port = port_;
  options.connect_timeout = absl::Milliseconds(200);
  for (absl::Duration backoff = absl::Milliseconds(5);; backoff = std::min(backoff * 2, absl::Milliseconds(100))) {
    auto conn = redis::Connection::Connect(options);
    if (conn.ok()) {
      auto pong = (*conn)->Run({"PING"});
      if (pong.ok()) return absl::OkStatus();  // LOADING answers with an error until the AOF is read
      if (!wait_loaded && absl::StrContains(pong.status().message(), "LOADING")) return absl::OkStatus();
    }
    if (absl::Now() > deadline) return absl::DeadlineExceededError("redis-server did not start; see redis.log");
    if (auto exited = process_.Wait(backoff); exited.ok()) {
      return absl::InternalError("redis-server exited at start; see " + dir_ + "/redis.log");
    }
  }
}

redis::Client RedisServer::Client() const {
  redis::Options options;
  if (!host_.ip.empty()) options.host = host_.ip;
  options.port = port_;
  return redis::Client(options);
}

// --- Suite --------------------------------------------------------------------------------

Suite::Suite(SuiteOptions options) : options_(std::move(options)) {}

Suite::~Suite() {
  gateway_.process.reset();
  // Stop the readers of Redis first, then Redis.
  for (auto& s : subscription_) s.process.reset();
  for (auto& s : distribution_) s.process.reset();
  registry_.process.reset();
  redis_.reset();
  cluster_.reset();
}

absl::Status WaitHealth(const std::string& address, bool serving, absl::Duration timeout) {
  return WaitHealthOf(address, "", serving, timeout);
}

absl::Status WaitHealthOf(const std::string& address, const std::string& service, bool serving,
                          absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  // Watch streams every change; a broken connection (server restarting) is watched again.
  while (absl::Now() < deadline) {
    auto stub = grpc::health::v1::Health::NewStub(Channel(address));
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(deadline));
    ctx.set_wait_for_ready(true);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    auto reader = stub->Watch(&ctx, request);
    grpc::health::v1::HealthCheckResponse response;
    while (reader->Read(&response)) {
      const bool is_serving = response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
      if (is_serving == serving) {
        ctx.TryCancel();
        reader->Finish();
        return absl::OkStatus();
      }
    }
    grpc::Status end = reader->Finish();
    // A broken stream is no answer (a dead server is not "not serving"): watch again.
    if (end.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) break;
  }
  return absl::DeadlineExceededError(absl::StrCat(address, " (", service.empty() ? "readiness" : service,
                                                  ") did not become ", serving ? "SERVING" : "NOT_SERVING"));
}

absl::Status WaitServing(const std::string& address, absl::Duration timeout) {
  return WaitHealth(address, true, timeout);
}

absl::Status Suite::Launch(Service* service, const std::string& binary, const std::string& name,
                           std::vector<std::string> flags, const std::string& listen) {
  service->process = std::make_unique<ChildProcess>();
  // Tests run the services with absl's lock-order checking on: two mutexes ever taken in
  // opposite orders abort the service with both stacks in its log.
  std::vector<std::string> argv;
  const auto host = options_.hosts.find(name);
  std::string listen_at = listen;
  if (host != options_.hosts.end()) {
    argv = {"ip", "netns", "exec", host->second.netns};
    if (absl::StartsWith(listen_at, "127.0.0.1:")) listen_at = absl::StrCat(host->second.ip, ":", HostPort(name));
  }
  for (const std::string& word : {BinaryPath(binary), std::string("--listen"), listen_at, std::string("--redis"),
                                  cluster_ ? cluster_->seeds() : redis_->address(), std::string("--log_level"),
                                  std::string("info")}) {
    argv.push_back(word);
  }
  if (cluster_) argv.push_back("--redis_cluster");
  if (options_.check_lock_order) argv.push_back("--mutex_deadlock_detection");
  if (const TlsOptions& tls = options_.tls; !tls.ca.empty()) {
    // Every listener serves TLS and every service calls the others over (mutual) TLS.
    for (const std::string& flag :
         {"--tls_cert=" + tls.cert, "--tls_key=" + tls.key, "--tls_client_ca=" + tls.ca,
          "--peer_tls_ca=" + tls.ca, "--peer_tls_cert=" + tls.cert, "--peer_tls_key=" + tls.key}) {
      argv.push_back(flag);
    }
    if (tls.require_client_cert) argv.push_back("--tls_require_client_cert");
  }
  if (options_.metrics) argv.push_back("--metrics_listen=127.0.0.1:0");
  argv.insert(argv.end(), flags.begin(), flags.end());
  if (auto s = service->process->Start(argv, dir_.File(name + ".log")); !s.ok()) return s;
  auto line = service->process->WaitForLine("READY ", kStartTimeout);
  if (!line.ok()) return line.status();
  service->address =
      absl::StrCat(host != options_.hosts.end() ? host->second.ip : "127.0.0.1", ":", ParsePort(*line));
  if (auto s = ReadMetricsPort(service); !s.ok()) return s;
  return WaitServing(service->address, kStartTimeout);
}

absl::Status Suite::Start() {
  if (options_.redis_cluster) {
    cluster_ = std::make_unique<RedisCluster>(dir_.path());
    if (auto s = cluster_->Start(); !s.ok()) return s;
  } else {
    const auto host = options_.hosts.find("redis");
    redis_ = std::make_unique<RedisServer>(dir_.path(), host == options_.hosts.end() ? Host{} : host->second);
    if (auto s = redis_->Start(); !s.ok()) return s;
  }
  operator_token_ = ids::NewToken();
  const std::string service_token = ids::NewToken();
  WriteFile(dir_.File("bootstrap-tokens"),
            absl::StrCat("operator test-operator ", operator_token_, "\nservice test-services ", service_token, "\n"));
  service_token_file_ = dir_.File("service-token");
  WriteFile(service_token_file_, service_token);
  // The distribution service reports from the subscription service's ledger, which itself
  // needs the distribution service: the first subscription replica's port is chosen now.
  if (const auto host = options_.hosts.find("subscription-0"); host != options_.hosts.end()) {
    subscription_listen_ = absl::StrCat(host->second.ip, ":", HostPort("subscription-0"));
  } else {
    subscription_listen_ = absl::StrCat("127.0.0.1:", FreePort());
  }
  keys_dir_ = dir_.File("signing-keys");
  std::filesystem::create_directories(keys_dir_);
  if (auto s = StartRegistry(); !s.ok()) return s;
  if (auto s = StartDistribution(0); !s.ok()) return s;
  return StartSubscription(0);
}

absl::Status Suite::StartRegistry() {
  std::vector<std::string> flags = {"--bootstrap_tokens_file", dir_.File("bootstrap-tokens")};
  flags.insert(flags.end(), options_.registry_flags.begin(), options_.registry_flags.end());
  return Launch(&registry_, "pressrelay-registry", "registry", flags);
}

absl::Status Suite::RestartRegistry() {
  registry_.process->Kill();
  std::vector<std::string> flags = {"--bootstrap_tokens_file", dir_.File("bootstrap-tokens")};
  flags.insert(flags.end(), options_.registry_flags.begin(), options_.registry_flags.end());
  return Launch(&registry_, "pressrelay-registry", "registry", flags, registry_.address);
}

std::vector<std::string> Suite::DistributionFlags(const std::vector<std::string>& extra) const {
  std::vector<std::string> flags = {"--registry", registry_.address, "--service_token_file", service_token_file_,
                                    "--shards", std::to_string(options_.shards), "--subscription",
                                    subscription_listen_, "--signing_keys_dir", keys_dir_};
  flags.insert(flags.end(), options_.distribution_flags.begin(), options_.distribution_flags.end());
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

std::vector<std::string> Suite::SubscriptionFlags(const std::vector<std::string>& extra) const {
  std::vector<std::string> flags = {"--registry",           registry_.address,   "--distribution",
                                    distribution_[0].address, "--service_token_file", service_token_file_,
                                    "--shards",             std::to_string(options_.shards)};
  flags.insert(flags.end(), options_.subscription_flags.begin(), options_.subscription_flags.end());
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

absl::Status Suite::StartDistribution(int i, const std::vector<std::string>& extra_flags) {
  if (static_cast<int>(distribution_.size()) <= i) distribution_.resize(i + 1);
  return Launch(&distribution_[i], "pressrelay-distribution", absl::StrCat("distribution-", i),
                DistributionFlags(extra_flags));
}

absl::Status Suite::RestartDistribution(int i, const std::vector<std::string>& extra_flags) {
  distribution_[i].process->Kill();
  return Launch(&distribution_[i], "pressrelay-distribution", absl::StrCat("distribution-", i),
                DistributionFlags(extra_flags), distribution_[i].address);
}

absl::Status Suite::StartSubscription(int i, const std::vector<std::string>& extra_flags) {
  if (static_cast<int>(subscription_.size()) <= i) subscription_.resize(i + 1);
  return Launch(&subscription_[i], "pressrelay-subscription", absl::StrCat("subscription-", i),
                SubscriptionFlags(extra_flags), i == 0 ? subscription_listen_ : "127.0.0.1:0");
}

absl::Status Suite::RestartSubscription(int i, const std::vector<std::string>& extra_flags) {
  subscription_[i].process->Kill();
  return Launch(&subscription_[i], "pressrelay-subscription", absl::StrCat("subscription-", i),
                SubscriptionFlags(extra_flags), subscription_[i].address);
}

absl::Status Suite::StartGateway(const std::vector<std::string>& extra_flags) {
  PR_ASSIGN_OR_RETURN(gateway_token_, IssueToken(reg::SUBJECT_KIND_GATEWAY, "admin-gateway"));
  WriteFile(dir_.File("gateway-token"), gateway_token_);
  gateway_.process = std::make_unique<ChildProcess>();
  std::vector<std::string> argv = {BinaryPath("pressrelay-gateway"), "--listen", "127.0.0.1:0",
                                   "--registry", registry_.address, "--distribution", distribution_[0].address,
                                   "--gateway_token_file", dir_.File("gateway-token"),
                                   "--web_dir", SourceDir() + "/gateway/web", "--log_level", "info"};
  if (options_.check_lock_order) argv.push_back("--mutex_deadlock_detection");
  if (options_.metrics) argv.push_back("--metrics_listen=127.0.0.1:0");
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  if (auto s = gateway_.process->Start(argv, dir_.File("gateway.log")); !s.ok()) return s;
  auto line = gateway_.process->WaitForLine("READY ", kStartTimeout);
  if (!line.ok()) return line.status();
  gateway_.address = absl::StrCat("127.0.0.1:", ParsePort(*line));
  return ReadMetricsPort(&gateway_);
}

absl::Status Suite::ReadMetricsPort(Service* service) {
  service->metrics_port = 0;
  if (!options_.metrics) return absl::OkStatus();
  // Printed before READY: already in what the process has written.
  auto line = service->process->WaitForLine("METRICS ", kStartTimeout);
  if (!line.ok()) return line.status();
  service->metrics_port = ParsePort(*line);
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> Suite::metrics_targets() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&out](const std::string& name, const Service& s) {
    if (s.process != nullptr && s.metrics_port != 0) out.emplace_back(name, absl::StrCat("127.0.0.1:", s.metrics_port));
  };
  add("registry", registry_);
  for (size_t i = 0; i < distribution_.size(); ++i) add(absl::StrCat("distribution-", i), distribution_[i]);
  for (size_t i = 0; i < subscription_.size(); ++i) add(absl::StrCat("subscription-", i), subscription_[i]);
  add("gateway", gateway_);
  return out;
}

std::unique_ptr<reg::RegistryAdmin::Stub> Suite::Admin() const {
  return reg::RegistryAdmin::NewStub(Channel(registry_.address));
}
std::unique_ptr<dist::Distribution::Stub> Suite::Distribution(int i) const {
  return dist::Distribution::NewStub(Channel(distribution_[i].address));
}
std::unique_ptr<sub::Subscription::Stub> Suite::Subscription(int i) const {
  return sub::Subscription::NewStub(Channel(subscription_[i].address));
}

std::string Suite::RotateKey(const std::string& agency_code, absl::Time created) {
  const std::string key_id = absl::StrCat(agency_code, "-", ids::NewTokenId().substr(4, 8));
  WriteFile(absl::StrCat(keys_dir_, "/", key_id, ".key"),
            signing::FormatKeyFile(signing::GenerateKey(agency_code, key_id, created)));
  return key_id;
}

absl::Status Suite::PutAgency(const std::string& code, const std::string& name_vi, reg::AgencyKind kind) {
  // Each agency gets a signing key, as an operator would install one.
  bool has_key = false;
  for (const auto& entry : std::filesystem::directory_iterator(keys_dir_)) {
    has_key |= absl::StartsWith(entry.path().filename().string(), code + "-");
  }
  if (!has_key) RotateKey(code, absl::Now() - absl::Hours(1));
  reg::UpsertAgencyRequest request;
  request.mutable_agency()->set_code(code);
  request.mutable_agency()->set_name_vi(name_vi);
  request.mutable_agency()->set_kind(kind);
  reg::UpsertAgencyResponse response;
  auto admin = Admin();
  return Invoke(*admin, &reg::RegistryAdmin::Stub::UpsertAgency, operator_token_, request, &response);
}

absl::Status Suite::PutSpokesperson(const std::string& id, const std::string& agency_code, absl::Time valid_from,
                                    absl::Time valid_until) {
  reg::UpsertSpokespersonRequest request;
  auto* s = request.mutable_spokesperson();
  s->set_id(id);
  s->set_agency_code(agency_code);
  s->set_full_name(absl::StrCat("Người phát ngôn ", id));
  s->set_title("Người phát ngôn");
  s->set_role(reg::SPOKESPERSON_ROLE_SPOKESPERSON);
  s->set_authorised_by("15/QĐ-VPCP");  // a designated spokesperson's decision (Decree 09/2017)
  if (valid_from != absl::InfinitePast()) *s->mutable_valid_from() = ToProto(valid_from);
  if (valid_until != absl::InfiniteFuture()) *s->mutable_valid_until() = ToProto(valid_until);
  reg::UpsertSpokespersonResponse response;
  auto admin = Admin();
  return Invoke(*admin, &reg::RegistryAdmin::Stub::UpsertSpokesperson, operator_token_, request, &response);
}

absl::Status Suite::PutOutlet(const std::string& id, const std::string& name, bool trusted) {
  reg::UpsertOutletRequest request;
  auto* o = request.mutable_outlet();
  o->set_id(id);
  o->set_name(name);
  o->set_licence_number(absl::StrCat("TEST-", id));
  o->set_kind(reg::OUTLET_KIND_ONLINE);
  o->set_trusted(trusted);
  reg::UpsertOutletResponse response;
  auto admin = Admin();
  return Invoke(*admin, &reg::RegistryAdmin::Stub::UpsertOutlet, operator_token_, request, &response);
}

absl::StatusOr<std::string> Suite::PutClient(const std::string& id, const std::string& outlet_id, bool disabled) {
  reg::UpsertNewsroomClientRequest request;
  request.mutable_client()->set_id(id);
  request.mutable_client()->set_outlet_id(outlet_id);
  request.mutable_client()->set_disabled(disabled);
  reg::UpsertNewsroomClientResponse response;
  auto admin = Admin();
  if (auto s = Invoke(*admin, &reg::RegistryAdmin::Stub::UpsertNewsroomClient, operator_token_, request, &response);
      !s.ok()) {
    return s;
  }
  return absl::StrCat("client:", id);
}

absl::StatusOr<std::string> Suite::PutJournalist(const std::string& card, const std::string& outlet_id,
                                                 absl::Time card_expires) {
  reg::UpsertJournalistRequest request;
  auto* j = request.mutable_journalist();
  j->set_card_number(card);
  j->set_full_name(absl::StrCat("Nhà báo ", card));
  j->set_outlet_id(outlet_id);
  *j->mutable_card_expires() = ToProto(card_expires);
  reg::UpsertJournalistResponse response;
  auto admin = Admin();
  if (auto s = Invoke(*admin, &reg::RegistryAdmin::Stub::UpsertJournalist, operator_token_, request, &response);
      !s.ok()) {
    return s;
  }
  return absl::StrCat("journalist:", card);
}

absl::Status Suite::SetSubscription(const reg::Subscription& subscription) {
  reg::SetSubscriptionRequest request;
  *request.mutable_subscription() = subscription;
  reg::SetSubscriptionResponse response;
  auto admin = Admin();
  return Invoke(*admin, &reg::RegistryAdmin::Stub::SetSubscription, operator_token_, request, &response);
}

absl::StatusOr<std::vector<std::string>> Suite::ImportClients(const std::string& prefix, int count,
                                                              const std::string& outlet_id,
                                                              const reg::Subscription& filter) {
  reg::ImportRecipientsRequest request;
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    auto* c = request.add_clients();
    c->set_id(absl::StrCat(prefix, "-", i));
    c->set_outlet_id(outlet_id);
    auto* s = request.add_subscriptions();
    *s = filter;
    s->set_recipient_id(absl::StrCat("client:", c->id()));
    ids.push_back(s->recipient_id());
  }
  reg::ImportRecipientsResponse response;
  auto admin = Admin();
  if (auto s = Invoke(*admin, &reg::RegistryAdmin::Stub::ImportRecipients, operator_token_, request, &response);
      !s.ok()) {
    return s;
  }
  return ids;
}

absl::StatusOr<reg::RevokeTokenResponse> Suite::RevokeToken(const std::string& token_id) {
  reg::RevokeTokenRequest request;
  request.set_token_id(token_id);
  reg::RevokeTokenResponse response;
  auto admin = Admin();
  if (auto s = Invoke(*admin, &reg::RegistryAdmin::Stub::RevokeToken, operator_token_, request, &response); !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<reg::IssueTokenResponse> Suite::IssueTokenFull(reg::SubjectKind kind, const std::string& subject_id) {
  reg::IssueTokenRequest request;
  request.set_subject_kind(kind);
  request.set_subject_id(subject_id);
  reg::IssueTokenResponse response;
  auto admin = Admin();
  if (auto s = Invoke(*admin, &reg::RegistryAdmin::Stub::IssueToken, operator_token_, request, &response); !s.ok()) {
    return s;
  }
  return response;
}

absl::Status Suite::PutPressOfficer(const std::string& id, const std::string& agency_code, bool disabled) {
  reg::UpsertPressOfficerRequest request;
  auto* o = request.mutable_press_officer();
  o->set_id(id);
  o->set_agency_code(agency_code);
  o->set_full_name(absl::StrCat("Cán bộ báo chí ", id));
  o->set_title("Chuyên viên Văn phòng");
  o->set_disabled(disabled);
  reg::UpsertPressOfficerResponse response;
  auto admin = Admin();
  return Invoke(*admin, &reg::RegistryAdmin::Stub::UpsertPressOfficer, operator_token_, request, &response);
}

absl::StatusOr<reg::Account> Suite::PutAccount(const std::string& username, reg::SubjectKind kind,
                                               const std::string& subject_id, const std::string& password,
                                               bool disabled) {
  reg::UpsertAccountRequest request;
  auto* a = request.mutable_account();
  a->set_username(username);
  a->set_subject_kind(kind);
  a->set_subject_id(subject_id);
  a->set_display_name(absl::StrCat("Người dùng ", username));
  a->set_disabled(disabled);
  request.set_password(password);
  reg::Account response;
  auto admin = Admin();
  PR_RETURN_IF_ERROR(Invoke(*admin, &reg::RegistryAdmin::Stub::UpsertAccount, operator_token_, request, &response));
  return response;
}

absl::StatusOr<reg::SignInResponse> Suite::SignIn(const std::string& gateway_token, const std::string& username,
                                                  const std::string& password, const std::string& totp_code,
                                                  const std::string& client_address) {
  reg::SignInRequest request;
  request.set_username(username);
  request.set_password(password);
  request.set_totp_code(totp_code);
  request.set_client_address(client_address);
  reg::SignInResponse response;
  auto directory = reg::Directory::NewStub(Channel(registry_.address));
  PR_RETURN_IF_ERROR(Invoke(*directory, &reg::Directory::Stub::SignIn, gateway_token, request, &response));
  return response;
}

absl::StatusOr<std::string> Suite::IssueToken(reg::SubjectKind kind, const std::string& subject_id) {
  auto response = IssueTokenFull(kind, subject_id);
  if (!response.ok()) return response.status();
  return response->token();
}

absl::StatusOr<std::string> Suite::AddSpeaker(const std::string& agency, const std::string& agency_name) {
  const std::string spokesperson = absl::StrCat(absl::AsciiStrToLower(agency), "-sp");
  PR_RETURN_IF_ERROR(PutAgency(agency, agency_name));
  PR_RETURN_IF_ERROR(PutSpokesperson(spokesperson, agency));
  return IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, spokesperson);
}

absl::StatusOr<std::string> Suite::AddJournalist(const std::string& card, const std::string& outlet_id,
                                                 reg::Subscription filter) {
  PR_ASSIGN_OR_RETURN(const std::string recipient, PutJournalist(card, outlet_id));
  filter.set_recipient_id(recipient);
  PR_RETURN_IF_ERROR(SetSubscription(filter));
  return IssueToken(reg::SUBJECT_KIND_JOURNALIST, card);
}

absl::StatusOr<dist::PublishResponse> Suite::PublishText(const std::string& token, const std::string& agency,
                                                         const std::string& headline, const std::string& body) {
  dist::StatementDraft draft = MakeDraft(agency, headline);
  draft.set_body(body);
  return Publish(token, draft);
}

absl::StatusOr<Suite::SmallWire> Suite::SetUpSmallWire(const std::string& agency, const std::string& agency_name,
                                                        const std::string& outlet, const std::string& outlet_name) {
  const std::string client = absl::StrCat(outlet, "-ingest");
  SmallWire wire;
  PR_ASSIGN_OR_RETURN(wire.spokesperson_token, AddSpeaker(agency, agency_name));
  PR_RETURN_IF_ERROR(PutOutlet(outlet, outlet_name));
  PR_ASSIGN_OR_RETURN(const std::string recipient, PutClient(client, outlet));
  reg::Subscription everything;
  everything.set_recipient_id(recipient);
  PR_RETURN_IF_ERROR(SetSubscription(everything));
  PR_ASSIGN_OR_RETURN(wire.newsroom, IssueTokenFull(reg::SUBJECT_KIND_NEWSROOM_CLIENT, client));
  return wire;
}

absl::StatusOr<std::vector<reg::AgencyKey>> Suite::AgencyKeys(const std::string& token) {
  auto stub = reg::Keys::NewStub(Channel(registry_.address));
  reg::ListAgencyKeysResponse response;
  PR_RETURN_IF_ERROR(Invoke(*stub, &reg::Keys::Stub::ListAgencyKeys, token, reg::ListAgencyKeysRequest(), &response));
  return std::vector<reg::AgencyKey>(response.keys().begin(), response.keys().end());
}

absl::StatusOr<dist::PublishResponse> Suite::Publish(const std::string& token, const dist::StatementDraft& draft,
                                                     const std::string& idempotency_key, bool early, int replica) {
  dist::PublishRequest request;
  *request.mutable_draft() = draft;
  request.set_idempotency_key(idempotency_key);
  request.set_early_to_trusted(early);
  dist::PublishResponse response;
  auto stub = Distribution(replica);
  if (auto s = Invoke(*stub, &dist::Distribution::Stub::Publish, token, request, &response); !s.ok()) return s;
  return response;
}

absl::StatusOr<dist::PublishResponse> Suite::Revise(const std::string& token, const dist::ReviseRequest& request,
                                                    int replica) {
  dist::PublishResponse response;
  auto stub = Distribution(replica);
  if (auto s = Invoke(*stub, &dist::Distribution::Stub::Revise, token, request, &response); !s.ok()) return s;
  return response;
}

// --- TestSubscriber -------------------------------------------------------------------------

TestSubscriber::TestSubscriber(std::string address, std::string token, std::string cursor, bool from_oldest)
    : address_(std::move(address)), token_(std::move(token)), cursor_(std::move(cursor)), from_oldest_(from_oldest) {
  channel_ = Channel(address_);
}

std::unique_ptr<TestSubscriber> SubscribeCaughtUp(const Suite& suite, const std::string& token,
                                                  absl::Duration wait) {
  auto subscriber = std::make_unique<TestSubscriber>(suite.subscription_address(), token);
  subscriber->Start();
  EXPECT_TRUE(subscriber->WaitCaughtUp(wait)) << "the subscriber did not catch up";
  return subscriber;
}

TestSubscriber::~TestSubscriber() { Stop(); }

void TestSubscriber::Start() { thread_ = std::thread([this] { Loop(); }); }

void TestSubscriber::SetReadLimit(int messages) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 * 1024);
  channel_ = OpenChannel(address_, args);
  absl::MutexLock lock(&mu_);
  read_limit_ = messages;
}

void TestSubscriber::ResumeReading() {
  absl::MutexLock lock(&mu_);
  read_limit_ = -1;
}

std::vector<absl::Time> TestSubscriber::arrivals() const {
  absl::MutexLock lock(&mu_);
  return arrivals_;
}

void TestSubscriber::Stop() {
  ResumeReading();
  ctx_.TryCancel();
  if (thread_.joinable()) thread_.join();
}

void TestSubscriber::Loop() {
  auto stub = sub::Subscription::NewStub(channel_);
  if (!token_.empty()) ctx_.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  sub::SubscribeRequest request;
  request.set_cursor(cursor_);
  request.set_from_oldest_retained(from_oldest_);
  auto reader = stub->Subscribe(&ctx_, request);
  sub::SubscribeResponse response;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto may_read = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return read_limit_ < 0 || reads_ < read_limit_; };
      mu_.Await(absl::Condition(&may_read));
    }
    if (!reader->Read(&response)) break;
    absl::MutexLock lock(&mu_);
    ++reads_;
    const absl::Time now = absl::Now();
    for (const auto& d : response.deliveries()) {
      deliveries_.push_back(d);
      arrivals_.push_back(now);
    }
    if (response.caught_up()) caught_up_ = true;
  }
  grpc::Status status = reader->Finish();
  absl::MutexLock lock(&mu_);
  status_ = status;
  ended_ = true;
}

bool TestSubscriber::WaitForCount(size_t n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return deliveries_.size() >= n || ended_; };
  mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  return deliveries_.size() >= n;
}

bool TestSubscriber::WaitCaughtUp(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return caught_up_ || ended_; };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return caught_up_;
}

bool TestSubscriber::WaitEnded(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&ended_), timeout);
}

std::vector<sub::Delivery> TestSubscriber::deliveries() const {
  absl::MutexLock lock(&mu_);
  return deliveries_;
}

size_t TestSubscriber::count() const {
  absl::MutexLock lock(&mu_);
  return deliveries_.size();
}

grpc::Status TestSubscriber::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

bool TestSubscriber::ended() const {
  absl::MutexLock lock(&mu_);
  return ended_;
}

grpc::Status TestSubscriber::AckLast() {
  std::string cursor;
  {
    absl::MutexLock lock(&mu_);
    if (deliveries_.empty()) return grpc::Status::OK;
    cursor = deliveries_.back().cursor();
  }
  auto stub = sub::Subscription::NewStub(channel_);
  sub::AckRequest request;
  request.set_cursor(cursor);
  sub::AckResponse response;
  auto ctx = CallContext(token_, kCallDeadline);
  return stub->Ack(ctx.get(), request, &response);
}

// --- ResilientSubscriber ----------------------------------------------------------------------

ResilientSubscriber::ResilientSubscriber(std::vector<std::string> addresses, std::string token, Resume resume,
                                         int ack_every)
    : addresses_(std::move(addresses)),
      token_(std::move(token)),
      resume_(resume),
      ack_every_(ack_every >= 0 ? ack_every : (resume == Resume::kFromAck ? 1 : 0)) {}

ResilientSubscriber::~ResilientSubscriber() { Stop(); }

void ResilientSubscriber::Start() { thread_ = std::thread([this] { Loop(); }); }

void ResilientSubscriber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void ResilientSubscriber::Loop() {
  std::string cursor;
  for (size_t attempt = 0;; ++attempt) {
    const std::string& address = addresses_[attempt % addresses_.size()];
    auto channel = Channel(address);
    auto stub = sub::Subscription::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_wait_for_ready(true);  // a restarting server: wait for it rather than fail
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    sub::SubscribeRequest request;
    if (resume_ == Resume::kFromCursor) request.set_cursor(cursor);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      current_ = &ctx;
      ++connections_;
      acked_at_connect_.push_back(acked_);
    }
    auto reader = stub->Subscribe(&ctx, request);
    sub::SubscribeResponse response;
    while (reader->Read(&response)) {
      for (const auto& d : response.deliveries()) {
        cursor = d.cursor();
        size_t received;
        {
          absl::MutexLock lock(&mu_);
          deliveries_.push_back(d);
          received = deliveries_.size();
        }
        if (ack_every_ > 0 && received % ack_every_ == 0) {
          sub::AckRequest ack;
          ack.set_cursor(d.cursor());
          sub::AckResponse ignored;
          auto ack_ctx = CallContext(token_, kCallDeadline);
          if (stub->Ack(ack_ctx.get(), ack, &ignored).ok()) {
            absl::MutexLock lock(&mu_);
            acked_ = received;
          }
        }
      }
    }
    grpc::Status status = reader->Finish();
    absl::MutexLock lock(&mu_);
    current_ = nullptr;
    endings_.push_back(status);
    if (stopping_) return;
    // Back off a little before reconnecting (as a real client would), unless told to stop.
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(50));
    if (stopping_) return;
  }
}

bool ResilientSubscriber::WaitForCount(size_t n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return deliveries_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool ResilientSubscriber::WaitForHeadline(const std::string& headline, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto arrived = [this, &headline]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return std::any_of(deliveries_.begin(), deliveries_.end(),
                       [&](const sub::Delivery& d) { return d.statement().headline() == headline; });
  };
  return mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
}

std::vector<sub::Delivery> ResilientSubscriber::deliveries() const {
  absl::MutexLock lock(&mu_);
  return deliveries_;
}

std::vector<std::string> ResilientSubscriber::headlines() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& d : deliveries_) out.push_back(d.statement().headline());
  return out;
}

int ResilientSubscriber::connections() const {
  absl::MutexLock lock(&mu_);
  return connections_;
}

std::vector<grpc::Status> ResilientSubscriber::endings() const {
  absl::MutexLock lock(&mu_);
  return endings_;
}

std::vector<size_t> ResilientSubscriber::acked_at_connect() const {
  absl::MutexLock lock(&mu_);
  return acked_at_connect_;
}

dist::StatementDraft MakeDraft(const std::string& agency_code, const std::string& headline,
                               const std::vector<std::string>& topics, const std::string& region, int urgency,
                               const std::string& language) {
  dist::StatementDraft draft;
  draft.set_agency_code(agency_code);
  draft.set_kind(pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE);
  draft.set_urgency(urgency);
  draft.set_language(language);
  draft.set_headline(headline);
  draft.set_body(absl::StrCat("Nội dung: ", headline));
  for (const auto& t : topics) draft.add_subjects()->set_code(t);
  if (!region.empty()) draft.mutable_located()->set_region_code(region);
  return draft;
}

}  // namespace pressrelay::testing
