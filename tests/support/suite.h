// The whole suite for integration, e2e and fault tests: a real redis-server on a free
// loopback port in a private directory, and the real registry, distribution and
// subscription binaries on port 0, talking real gRPC. Readiness is awaited by reading each
// process's READY line and watching its gRPC health until SERVING; nothing sleeps.
#pragma once

#include <map>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "pressrelay/distribution/v1/distribution.grpc.pb.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "pressrelay/subscription/v1/subscription.grpc.pb.h"
#include "services/common/redis/redis.h"
#include "tests/support/process.h"
#include "tests/support/redis_cluster.h"

namespace pressrelay::testing {

namespace reg = pressrelay::registry::v1;
namespace dist = pressrelay::distribution::v1;
namespace sub = pressrelay::subscription::v1;

// Where a process runs when it has a host of its own: a network namespace (`ip netns`) and
// its address there. Empty: this machine's loopback.
struct Host {
  std::string netns;
  std::string ip;
};

class RedisServer {
 public:
  explicit RedisServer(std::string dir, Host host = {}) : dir_(std::move(dir)), host_(std::move(host)) {}
  // With an append-only file fsynced every second (the documented default), on a free port.
  absl::Status Start();
  absl::Status Restart();  // same port, same directory (AOF reloaded)
  // The same with extra redis-server arguments; with `wait_loaded` false it returns as soon
  // as Redis accepts connections, while it may still be loading its data (LOADING).
  absl::Status Restart(const std::vector<std::string>& extra, bool wait_loaded);
  void Kill() { process_.Kill(); }
  int port() const { return port_; }
  std::string address() const { return (host_.ip.empty() ? "127.0.0.1" : host_.ip) + ":" + std::to_string(port_); }
  redis::Client Client() const;
  ChildProcess& process() { return process_; }

 private:
  absl::Status Launch(const std::vector<std::string>& extra = {}, bool wait_loaded = true);
  std::string dir_;
  Host host_;
  int port_ = 0;
  ChildProcess process_;
};

// Test-process-wide: the credentials every channel the support code opens uses
// (plaintext until set; null sets plaintext again).
void SetClientCredentials(std::shared_ptr<grpc::ChannelCredentials> creds);
std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address,
                                           const grpc::ChannelArguments& args = grpc::ChannelArguments());

// Certificates (PEM files) the services use for their listeners and for calling each other.
struct TlsOptions {
  std::string ca;    // signs every certificate; empty: plaintext
  std::string cert;  // the services' certificate (valid for 127.0.0.1)
  std::string key;
  bool require_client_cert = false;
};

struct SuiteOptions {
  int shards = 4;
  // absl's lock-order checking in every service (--mutex_deadlock_detection); the benchmark
  // turns it off, as a release deployment does, for its per-mutex cost.
  bool check_lock_order = true;
  TlsOptions tls;
  std::vector<std::string> registry_flags;
  std::vector<std::string> distribution_flags;
  std::vector<std::string> subscription_flags;
  // Every service (and the gateway) serves Prometheus metrics on a port of its own
  // (--metrics_listen), found in metrics_targets().
  bool metrics = false;
  // A Redis Cluster (RedisCluster: 3 primaries, 1 replica each) instead of one redis-server;
  // the services get its nodes as seeds with --redis_cluster. redis() is then not there:
  // use redis_cluster().
  bool redis_cluster = false;
  // Processes on hosts of their own, by name ("redis", "registry", "distribution-0",
  // "subscription-1", ...): started with `ip netns exec <netns>`, listening on the host's
  // address at the usual fixed ports (Redis 6379, registry 7401, distribution 7402,
  // subscription 7403), so that every replica's address is known before it starts.
  std::map<std::string, Host> hosts;
};

class Suite {
 public:
  explicit Suite(SuiteOptions options = {});
  ~Suite();

  // Redis and one replica of each service.
  absl::Status Start();

  absl::Status StartRegistry();
  // Restarts the registry on the port it had, so the other services find it again.
  absl::Status RestartRegistry();
  // Replica `i` (0, 1, ...); restarting an index reuses its slot.
  absl::Status StartDistribution(int i = 0, const std::vector<std::string>& extra_flags = {});
  absl::Status StartSubscription(int i = 0, const std::vector<std::string>& extra_flags = {});
  // The admin gateway (HTTP), with a gateway token of its own; once READY (both services it
  // needs answer). Its address is "127.0.0.1:<port>".
  absl::Status StartGateway(const std::vector<std::string>& extra_flags = {});
  ChildProcess& gateway() { return *gateway_.process; }
  std::string gateway_address() const { return gateway_.address; }
  const std::string& gateway_token() const { return gateway_token_; }
  // Restart a replica on the address it had (after a kill), so clients find it again.
  absl::Status RestartDistribution(int i = 0, const std::vector<std::string>& extra_flags = {});
  absl::Status RestartSubscription(int i = 0, const std::vector<std::string>& extra_flags = {});
  ChildProcess& distribution(int i = 0) { return *distribution_[i].process; }
  ChildProcess& subscription(int i = 0) { return *subscription_[i].process; }
  ChildProcess& registry() { return *registry_.process; }
  RedisServer& redis() { return *redis_; }
  RedisCluster& redis_cluster() { return *cluster_; }
  const std::string& dir() const { return dir_.path(); }

  std::string registry_address() const { return registry_.address; }
  std::string distribution_address(int i = 0) const { return distribution_[i].address; }
  std::string subscription_address(int i = 0) const { return subscription_[i].address; }
  const std::string& operator_token() const { return operator_token_; }
  // The agencies' private signing keys (the distribution service's --signing_keys_dir).
  const std::string& keys_dir() const { return keys_dir_; }
  // The file holding the services' own bearer token (--service_token_file).
  const std::string& service_token_file() const { return service_token_file_; }
  // Installs a new signing key for an agency (rotation); returns its key id.
  std::string RotateKey(const std::string& agency_code, absl::Time created = absl::Now());

  // With SuiteOptions::metrics: each running process's name ("registry", "distribution-0",
  // ...) and its metrics address ("127.0.0.1:<port>").
  std::vector<std::pair<std::string, std::string>> metrics_targets() const;

  std::unique_ptr<reg::RegistryAdmin::Stub> Admin() const;
  std::unique_ptr<dist::Distribution::Stub> Distribution(int i = 0) const;
  std::unique_ptr<sub::Subscription::Stub> Subscription(int i = 0) const;

  // Registry set-up as an operator (each fails the status on error).
  absl::Status PutAgency(const std::string& code, const std::string& name_vi,
                         reg::AgencyKind kind = reg::AGENCY_KIND_MINISTRY);
  // Valid from `valid_from` until `valid_until` (InfiniteFuture: no end).
  absl::Status PutSpokesperson(const std::string& id, const std::string& agency_code,
                               absl::Time valid_from = absl::InfinitePast(),
                               absl::Time valid_until = absl::InfiniteFuture());
  absl::Status PutOutlet(const std::string& id, const std::string& name, bool trusted = false);
  // Returns the recipient id ("client:<id>"). `disabled`: the client loses access.
  absl::StatusOr<std::string> PutClient(const std::string& id, const std::string& outlet_id, bool disabled = false);
  // Returns the recipient id ("journalist:<card>").
  absl::StatusOr<std::string> PutJournalist(const std::string& card, const std::string& outlet_id,
                                            absl::Time card_expires = absl::Now() + absl::Hours(24 * 365));
  absl::Status SetSubscription(const reg::Subscription& subscription);
  // Registers `count` newsroom clients "<prefix>-<n>" of `outlet_id` in one bulk import,
  // each subscribed with `filter`; returns their recipient ids.
  absl::StatusOr<std::vector<std::string>> ImportClients(const std::string& prefix, int count,
                                                         const std::string& outlet_id,
                                                         const reg::Subscription& filter = {});
  // A press officer of `agency_code` ("Cán bộ báo chí <id>"); `disabled`: they lose access.
  absl::Status PutPressOfficer(const std::string& id, const std::string& agency_code, bool disabled = false);
  // A sign-in account for the admin gateway, as the operator writes it (`password` empty
  // keeps the current one); returns the account as stored.
  absl::StatusOr<reg::Account> PutAccount(const std::string& username, reg::SubjectKind kind,
                                          const std::string& subject_id, const std::string& password,
                                          bool disabled = false);
  // Directory.SignIn as the admin gateway holding `gateway_token`, for a browser at
  // `client_address`.
  absl::StatusOr<reg::SignInResponse> SignIn(const std::string& gateway_token, const std::string& username,
                                             const std::string& password, const std::string& totp_code = "",
                                             const std::string& client_address = "203.0.113.7");
  absl::StatusOr<std::string> IssueToken(reg::SubjectKind kind, const std::string& subject_id);
  absl::StatusOr<reg::IssueTokenResponse> IssueTokenFull(reg::SubjectKind kind, const std::string& subject_id);
  // Revokes a token by its id, as the operator.
  absl::StatusOr<reg::RevokeTokenResponse> RevokeToken(const std::string& token_id);

  // One call as `token`.
  absl::StatusOr<dist::PublishResponse> Publish(const std::string& token, const dist::StatementDraft& draft,
                                                const std::string& idempotency_key = "", bool early = false,
                                                int replica = 0);
  absl::StatusOr<dist::PublishResponse> Revise(const std::string& token, const dist::ReviseRequest& request,
                                               int replica = 0);

  // An agency with one spokesperson ("<agency in lower case>-sp"); returns that person's token.
  absl::StatusOr<std::string> AddSpeaker(const std::string& agency, const std::string& agency_name);
  // A journalist with press card `card` at `outlet_id` (which must exist), subscribed with
  // `filter` (its recipient_id is filled in); returns their token.
  absl::StatusOr<std::string> AddJournalist(const std::string& card, const std::string& outlet_id,
                                            reg::Subscription filter = {});
  // Publishes MakeDraft(agency, headline) with `body` as `token`'s holder.
  absl::StatusOr<dist::PublishResponse> PublishText(const std::string& token, const std::string& agency,
                                                    const std::string& headline, const std::string& body);

  // The smallest wire: an agency with one spokesperson ("<agency in lower case>-sp") and an
  // outlet with one newsroom client ("<outlet>-ingest") subscribed to everything.
  struct SmallWire {
    std::string spokesperson_token;
    reg::IssueTokenResponse newsroom;  // the newsroom client's token and its info
  };
  absl::StatusOr<SmallWire> SetUpSmallWire(const std::string& agency, const std::string& agency_name,
                                           const std::string& outlet, const std::string& outlet_name);
  // The agencies' public signing keys, as the registry publishes them to `token`'s holder.
  absl::StatusOr<std::vector<reg::AgencyKey>> AgencyKeys(const std::string& token);

 private:
  struct Service {
    std::unique_ptr<ChildProcess> process;
    std::string address;
    int metrics_port = 0;
  };
  // With SuiteOptions::metrics: the service's metrics port, from its "METRICS" line.
  absl::Status ReadMetricsPort(Service* service);
  absl::Status Launch(Service* service, const std::string& binary, const std::string& name,
                      std::vector<std::string> flags, const std::string& listen = "127.0.0.1:0");
  std::vector<std::string> DistributionFlags(const std::vector<std::string>& extra) const;
  std::vector<std::string> SubscriptionFlags(const std::vector<std::string>& extra) const;

  SuiteOptions options_;
  TempDir dir_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RedisCluster> cluster_;
  Service registry_;
  Service gateway_;
  std::string gateway_token_;
  std::vector<Service> distribution_;
  std::vector<Service> subscription_;
  std::string operator_token_;
  std::string service_token_file_;
  std::string subscription_listen_;
  std::string keys_dir_;
};

// A newsroom client in the test: a Subscribe stream read on its own thread, collecting
// deliveries. Waits use a condition with a deadline, never sleep.
class TestSubscriber {
 public:
  TestSubscriber(std::string address, std::string token, std::string cursor = "", bool from_oldest = false);
  // Stops reading after this many messages until ResumeReading (a stuck newsroom); its
  // connection also stops accepting data beyond one 64 KiB HTTP/2 window, as a frozen host's
  // would (otherwise the gRPC library keeps reading into memory). Call before Start.
  void SetReadLimit(int messages);
  void ResumeReading();
  ~TestSubscriber();
  void Start();
  // Cancels the stream and joins the reader.
  void Stop();

  bool WaitForCount(size_t n, absl::Duration timeout);
  bool WaitCaughtUp(absl::Duration timeout);
  // Until the stream ends (server closed it); false on timeout.
  bool WaitEnded(absl::Duration timeout);
  std::vector<sub::Delivery> deliveries() const;
  // When each delivery arrived.
  std::vector<absl::Time> arrivals() const;
  size_t count() const;
  grpc::Status status() const;  // valid once ended
  bool ended() const;
  // Acknowledge everything received so far (the last cursor).
  grpc::Status AckLast();

 private:
  void Loop();
  const std::string address_;
  const std::string token_;
  const std::string cursor_;
  const bool from_oldest_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::ClientContext ctx_;
  mutable absl::Mutex mu_;
  std::vector<sub::Delivery> deliveries_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> arrivals_ ABSL_GUARDED_BY(mu_);
  int read_limit_ ABSL_GUARDED_BY(mu_) = -1;
  int reads_ ABSL_GUARDED_BY(mu_) = 0;
  bool caught_up_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// A subscriber to the suite's first subscription replica as `token`'s holder, started and
// caught up (a failed wait is a test failure).
std::unique_ptr<TestSubscriber> SubscribeCaughtUp(const Suite& suite, const std::string& token,
                                                  absl::Duration wait = absl::Seconds(20));

// A newsroom that keeps going: when its stream ends (server killed, drained) it reconnects,
// to the next address in turn, and resumes either from the last cursor it processed or,
// acknowledging every `ack_every` deliveries, from the server's record of its acks. A client
// that resumes from its cursor acknowledges only when given an `ack_every`.
class ResilientSubscriber {
 public:
  enum class Resume { kFromCursor, kFromAck };
  ResilientSubscriber(std::vector<std::string> addresses, std::string token, Resume resume, int ack_every = -1);
  ~ResilientSubscriber();
  void Start();
  void Stop();
  bool WaitForCount(size_t n, absl::Duration timeout);
  // Until a delivery with this headline arrived (counts include repeats after a resume
  // from the acknowledged position; this does not).
  bool WaitForHeadline(const std::string& headline, absl::Duration timeout);
  std::vector<sub::Delivery> deliveries() const;
  // Headlines in arrival order.
  std::vector<std::string> headlines() const;
  int connections() const;
  // Statuses the streams ended with.
  std::vector<grpc::Status> endings() const;
  // How many deliveries had been acknowledged when each connection began.
  std::vector<size_t> acked_at_connect() const;

 private:
  void Loop();
  const std::vector<std::string> addresses_;
  const std::string token_;
  const Resume resume_;
  const int ack_every_;
  mutable absl::Mutex mu_;
  std::vector<sub::Delivery> deliveries_ ABSL_GUARDED_BY(mu_);
  std::vector<grpc::Status> endings_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> acked_at_connect_ ABSL_GUARDED_BY(mu_);
  size_t acked_ ABSL_GUARDED_BY(mu_) = 0;
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

// A draft with sensible defaults for tests.
dist::StatementDraft MakeDraft(const std::string& agency_code, const std::string& headline,
                               const std::vector<std::string>& topics = {}, const std::string& region = "",
                               int urgency = 5, const std::string& language = "vi");

// Waits until the server at `address` reports SERVING (health Watch), or times out.
absl::Status WaitServing(const std::string& address, absl::Duration timeout);
// Waits until its health status is `serving` (true: SERVING, false: anything else).
absl::Status WaitHealth(const std::string& address, bool serving, absl::Duration timeout);
// The same for one health name ("" readiness, "pressrelay.liveness" liveness).
absl::Status WaitHealthOf(const std::string& address, const std::string& service, bool serving,
                          absl::Duration timeout);

}  // namespace pressrelay::testing
