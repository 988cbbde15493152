// TLS on every listener and between the services, with a throw-away PKI made by openssl
// (tests/support/make_test_certs.sh): the whole suite works over mutual TLS; where mutual
// TLS is required a client without a certificate, with one from an unknown CA, or without
// TLS at all is refused; where it is optional a client without a certificate gets in.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ChildProcess make;
    ASSERT_TRUE(make.Start({"bash", SourceDir() + "/tests/support/make_test_certs.sh", certs_.path()},
                           certs_.File("make.log"))
                    .ok());
    auto status = make.Wait(kWait);
    ASSERT_TRUE(status.ok() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << ReadFile(certs_.File("make.log"));
  }
  void TearDown() override { SetClientCredentials(nullptr); }

  std::shared_ptr<grpc::ChannelCredentials> Creds(const std::string& client, const std::string& ca = "ca") {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(certs_.File(ca + ".pem"));
    if (!client.empty()) {
      options.pem_cert_chain = ReadFile(certs_.File(client + ".pem"));
      options.pem_private_key = ReadFile(certs_.File(client + ".key"));
    }
    return grpc::SslCredentials(options);
  }

  TlsOptions ServiceTls(bool require_client_cert) {
    return TlsOptions{certs_.File("ca.pem"), certs_.File("service.pem"), certs_.File("service.key"),
                      require_client_cert};
  }

  // A health check over its own channel: OK, or how the connection failed.
  static grpc::Status Check(const std::string& address, std::shared_ptr<grpc::ChannelCredentials> creds) {
    auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(address, creds));
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&ctx, request, &response);
  }

  // Registers a subscribed newsroom client and publishes once; true if it received it.
  static bool PublishAndReceive(Suite& suite) {
    EXPECT_TRUE(suite.PutAgency("MOH", "Bộ Y tế").ok());
    EXPECT_TRUE(suite.PutSpokesperson("moh-sp", "MOH").ok());
    EXPECT_TRUE(suite.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    EXPECT_TRUE(suite.PutClient("tt-cms", "tuoitre").ok());
    reg::Subscription everything;
    everything.set_recipient_id("client:tt-cms");
    EXPECT_TRUE(suite.SetSubscription(everything).ok());
    auto spokesperson = suite.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
    auto client = suite.IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
    if (!spokesperson.ok() || !client.ok()) return false;
    TestSubscriber subscriber(suite.subscription_address(), *client);
    subscriber.Start();
    if (!subscriber.WaitCaughtUp(kWait)) return false;
    auto published = suite.Publish(*spokesperson, MakeDraft("MOH", "Qua TLS"));
    EXPECT_TRUE(published.ok()) << published.status();
    if (!subscriber.WaitForCount(1, kWait)) return false;
    return subscriber.deliveries()[0].statement().headline() == "Qua TLS";
  }

  TempDir certs_;
};

TEST_F(TlsTest, WholeSuiteOverMutualTlsRefusesClientsWithoutAValidCertificate) {
  SuiteOptions options;
  options.tls = ServiceTls(/*require_client_cert=*/true);
  SetClientCredentials(Creds("newsroom"));
  Suite suite(options);
  ASSERT_TRUE(suite.Start().ok());
  // Spokesperson, registry, distribution, subscription and the newsroom: all over mTLS.
  EXPECT_TRUE(PublishAndReceive(suite));

  for (const auto& address : {suite.registry_address(), suite.distribution_address(), suite.subscription_address()}) {
    EXPECT_TRUE(Check(address, Creds("newsroom")).ok()) << address;
    const grpc::Status no_cert = Check(address, Creds(""));
    EXPECT_EQ(no_cert.error_code(), grpc::StatusCode::UNAVAILABLE) << address << " " << no_cert.error_message();
    const grpc::Status rogue = Check(address, Creds("rogue"));
    EXPECT_EQ(rogue.error_code(), grpc::StatusCode::UNAVAILABLE) << address << " " << rogue.error_message();
    const grpc::Status plaintext = Check(address, grpc::InsecureChannelCredentials());
    EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << address;
    // And a client that trusts another CA does not accept the server.
    EXPECT_EQ(Check(address, Creds("newsroom", "rogue-ca")).error_code(), grpc::StatusCode::UNAVAILABLE) << address;
  }
}

TEST_F(TlsTest, AServiceWithoutItsClientCertificateCannotReachTheOthers) {
  SuiteOptions options;
  options.tls = ServiceTls(/*require_client_cert=*/true);
  SetClientCredentials(Creds("newsroom"));
  Suite suite(options);
  ASSERT_TRUE(suite.Start().ok());
  ASSERT_TRUE(suite.PutAgency("MOH", "Bộ Y tế").ok());
  ASSERT_TRUE(suite.PutSpokesperson("moh-sp", "MOH").ok());
  const std::string spokesperson = *suite.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  // Two more distribution replicas that serve TLS and trust the CA, alike but for one thing:
  // the first has a client certificate for calling the registry (which requires one), the
  // second has none. Its service token alone does not get it in.
  auto start = [&](ChildProcess* replica, bool with_client_cert, const std::string& log) -> std::string {
    std::vector<std::string> argv = {
        BinaryPath("pressrelay-distribution"), "--listen", "127.0.0.1:0", "--redis", suite.redis().address(),
        "--registry", suite.registry_address(), "--service_token_file", suite.service_token_file(),
        "--signing_keys_dir", suite.keys_dir(), "--shards", std::to_string(options.shards),
        "--tls_cert=" + certs_.File("service.pem"), "--tls_key=" + certs_.File("service.key"),
        "--tls_client_ca=" + certs_.File("ca.pem"), "--tls_require_client_cert", "--peer_tls_ca=" + certs_.File("ca.pem")};
    if (with_client_cert) {
      argv.push_back("--peer_tls_cert=" + certs_.File("service.pem"));
      argv.push_back("--peer_tls_key=" + certs_.File("service.key"));
    }
    EXPECT_TRUE(replica->Start(argv, certs_.File(log)).ok());
    auto ready = replica->WaitForLine("READY ", kWait);
    EXPECT_TRUE(ready.ok()) << ReadFile(certs_.File(log));
    return ready.ok() ? absl::StrCat("127.0.0.1:", ready->substr(ready->find("port=") + 5)) : "";
  };
  ChildProcess control, replica;
  const std::string control_address = start(&control, true, "control.log");
  const std::string address = start(&replica, false, "replica.log");
  ASSERT_FALSE(control_address.empty() || address.empty());
  // The control becomes ready; the replica without a certificate finds the registry
  // unreachable (its health probe says so) and stays not ready...
  EXPECT_TRUE(WaitServing(control_address, kWait).ok()) << ReadFile(certs_.File("control.log"));
  ASSERT_TRUE(replica.WaitForLog("health: NOT_SERVING", kWait).ok()) << ReadFile(certs_.File("replica.log"));
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(address, Creds("newsroom")));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::health::v1::HealthCheckResponse health;
  ASSERT_TRUE(stub->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &health).ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  // ...and publishing through it fails without anything being stored.
  auto distribution = dist::Distribution::NewStub(grpc::CreateChannel(address, Creds("newsroom")));
  dist::PublishRequest request;
  *request.mutable_draft() = MakeDraft("MOH", "Không qua được");
  dist::PublishResponse response;
  auto call = CallContext(spokesperson, kWait);
  const grpc::Status refused = distribution->Publish(call.get(), request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  // ...while the properly configured replica publishes.
  auto published = suite.Publish(spokesperson, MakeDraft("MOH", "Qua được"));
  ASSERT_TRUE(published.ok()) << published.status();
  auto redis = suite.redis().Client();
  EXPECT_EQ(redis.Run({"ZCARD", "{dist}:st:index"})->integer(), 1);
}

TEST_F(TlsTest, OptionalClientCertificatesLetPlainTlsClientsIn) {
  SuiteOptions options;
  options.tls = ServiceTls(/*require_client_cert=*/false);
  SetClientCredentials(Creds(""));  // TLS, no client certificate
  Suite suite(options);
  ASSERT_TRUE(suite.Start().ok());
  EXPECT_TRUE(PublishAndReceive(suite));
  const std::string address = suite.subscription_address();
  EXPECT_TRUE(Check(address, Creds("")).ok());
  EXPECT_TRUE(Check(address, Creds("newsroom")).ok());
  // A certificate that is presented is still verified.
  EXPECT_EQ(Check(address, Creds("rogue")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Check(address, grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace pressrelay::testing
