// CoalescingAuthenticator: concurrent Authenticate calls go to the registry in batches, each
// caller gets the verdict on its own token, and a failed batch fails every caller in it.
// CachingAuthenticator::AuthenticateBatch (the stream opener's): cached answers from the
// cache, the rest in one registry batch, each distinct token once; a revocation is obeyed.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/common/rpc/auth.h"

namespace pressrelay {
namespace {

// Knows tokens "good-<n>" (principal id "<n>"); the first batch waits until released, so that
// callers pile up behind it.
class FakeRegistry : public BatchAuthenticator {
 public:
  absl::StatusOr<std::vector<absl::StatusOr<Principal>>> AuthenticateBatch(
      const std::vector<std::string>& tokens) override {
    {
      absl::MutexLock lock(&mu_);
      sizes_.push_back(tokens.size());
    }
    if (hold_first_.exchange(false)) release_.WaitForNotification();
    if (down_) return absl::UnavailableError("registry down");
    std::vector<absl::StatusOr<Principal>> out;
    for (const auto& token : tokens) {
      if (token.rfind("good-", 0) != 0) {
        out.push_back(absl::UnauthenticatedError("unknown token"));
        continue;
      }
      Principal p;
      p.set_id(token.substr(5));
      out.push_back(p);
    }
    return out;
  }
  std::vector<size_t> sizes() {
    absl::MutexLock lock(&mu_);
    return sizes_;
  }

  std::atomic<bool> hold_first_{false};
  absl::Notification release_;
  bool down_ = false;

 private:
  absl::Mutex mu_;
  std::vector<size_t> sizes_;
};

TEST(CoalescingAuthenticator, ALoneCallIsABatchOfOne) {
  FakeRegistry registry;
  CoalescingAuthenticator auth(&registry);
  auto p = auth.Authenticate("good-7");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id(), "7");
  EXPECT_TRUE(absl::IsUnauthenticated(auth.Authenticate("stolen").status()));
  EXPECT_TRUE(absl::IsUnauthenticated(auth.Authenticate("").status()));
  EXPECT_EQ(registry.sizes(), (std::vector<size_t>{1, 1}));
}

TEST(CoalescingAuthenticator, CallsThatArriveDuringARoundTripGoTogetherInTheNext) {
  FakeRegistry registry;
  registry.hold_first_ = true;
  CoalescingAuthenticator auth(&registry, /*max_batch=*/100);
  constexpr int kCallers = 250;
  std::vector<absl::StatusOr<Principal>> got(kCallers + 1, absl::UnknownError("not called"));
  std::thread first([&] { got[kCallers] = auth.Authenticate("good-first"); });
  // The first call is in its round trip once the registry has seen it.
  while (registry.sizes().empty()) std::this_thread::yield();
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] { got[i] = auth.Authenticate(i % 10 == 0 ? "bad" : absl::StrCat("good-", i)); });
  }
  while (auth.queued() < static_cast<size_t>(kCallers)) std::this_thread::yield();
  registry.release_.Notify();
  first.join();
  for (auto& t : callers) t.join();

  for (int i = 0; i < kCallers; ++i) {
    if (i % 10 == 0) {
      EXPECT_TRUE(absl::IsUnauthenticated(got[i].status())) << i;
    } else {
      ASSERT_TRUE(got[i].ok()) << i << ": " << got[i].status();
      EXPECT_EQ(got[i]->id(), absl::StrCat(i)) << i;
    }
  }
  ASSERT_TRUE(got[kCallers].ok());
  // 251 calls: the first alone, then the 250 that waited in batches of at most 100.
  EXPECT_EQ(registry.sizes(), (std::vector<size_t>{1, 100, 100, 50}));
  EXPECT_EQ(auth.batches(), 4u);
  EXPECT_EQ(auth.tokens(), 251u);
}

TEST(CoalescingAuthenticator, AFailedRoundTripIsEveryWaitersErrorAndTheNextCallTriesAgain) {
  FakeRegistry registry;
  registry.hold_first_ = true;
  registry.down_ = true;
  CoalescingAuthenticator auth(&registry);
  absl::StatusOr<Principal> a = absl::UnknownError(""), b = absl::UnknownError("");
  std::thread ta([&] { a = auth.Authenticate("good-1"); });
  while (registry.sizes().empty()) std::this_thread::yield();
  std::thread tb([&] { b = auth.Authenticate("good-2"); });
  while (auth.queued() < 1) std::this_thread::yield();
  registry.release_.Notify();
  ta.join();
  tb.join();
  EXPECT_TRUE(absl::IsUnavailable(a.status())) << a.status();
  EXPECT_TRUE(absl::IsUnavailable(b.status())) << b.status();
  registry.down_ = false;
  EXPECT_TRUE(auth.Authenticate("good-3").ok());
}

// An Authenticator that must not be called: the batch path goes to the batch upstream.
class NoSingleCalls : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override {
    ADD_FAILURE() << "a single registry call for " << token;
    return absl::InternalError("unexpected");
  }
};

TEST(CachingAuthenticatorBatch, AnswersFromTheCacheAndAsksTheRegistryOnceForTheRest) {
  FakeRegistry registry;
  NoSingleCalls single;
  CachingAuthenticator auth(&single, absl::Minutes(1), &registry);
  auto first = auth.AuthenticateBatch({"good-1", "good-2", "good-1", "", "stolen"});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 5u);
  EXPECT_EQ((*first)[0]->id(), "1");
  EXPECT_EQ((*first)[1]->id(), "2");
  EXPECT_EQ((*first)[2]->id(), "1");
  EXPECT_TRUE(absl::IsUnauthenticated((*first)[3].status()));  // no token at all
  EXPECT_TRUE(absl::IsUnauthenticated((*first)[4].status()));
  // good-1 asked once; the empty token never.
  EXPECT_EQ(registry.sizes(), (std::vector<size_t>{3}));

  // good-1 and good-2 are cached now: only good-3 goes to the registry. A refusal is not
  // cached ("stolen" is asked again).
  auto second = auth.AuthenticateBatch({"good-2", "good-3", "good-1", "stolen"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)[1]->id(), "3");
  EXPECT_EQ(registry.sizes(), (std::vector<size_t>{3, 2}));
  // Everything known: no round trip at all.
  ASSERT_TRUE(auth.AuthenticateBatch({"good-1", "good-2", "good-3"}).ok());
  EXPECT_EQ(registry.sizes().size(), 2u);
}

TEST(CachingAuthenticatorBatch, ARevokedPrincipalIsAskedForAgainAndARegistryFailureIsTheBatchs) {
  FakeRegistry registry;
  NoSingleCalls single;
  CachingAuthenticator auth(&single, absl::Minutes(1), &registry);
  ASSERT_TRUE(auth.AuthenticateBatch({"good-1", "good-2"}).ok());
  // The revocation feed names principal 1: its answer leaves the cache, 2's stays.
  auth.Forget([](const Principal& p) { return p.id() == "1"; });
  ASSERT_TRUE(auth.AuthenticateBatch({"good-1", "good-2"}).ok());
  EXPECT_EQ(registry.sizes(), (std::vector<size_t>{2, 1}));
  registry.down_ = true;
  auth.Clear();
  auto down = auth.AuthenticateBatch({"good-1"});
  EXPECT_TRUE(absl::IsUnavailable(down.status())) << down.status();
}

}  // namespace
}  // namespace pressrelay
