// A fixed set of threads for work that may block (Redis, calls to other services), so
// that gRPC reactors never do.
//
// The queue is bounded: TrySubmit refuses work beyond `max_queued` waiting tasks, so an
// overloaded service answers RESOURCE_EXHAUSTED at once instead of queuing without end.
// Submit always queues: it is for the completion of work already admitted (an answer that
// must go out), never for new requests. OldestWait tells liveness how long the task at the
// head of the queue has been waiting for a thread.
#pragma once

#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace pressrelay {

class WorkerPool {
 public:
  // `max_queued` 0: no bound.
  WorkerPool(std::string name, int threads, size_t max_queued = 0);
  // Runs what is queued, then joins.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues new work; false (and the task is dropped) when max_queued tasks are waiting.
  [[nodiscard]] bool TrySubmit(absl::AnyInvocable<void() &&> task);
  // Queues work that must run whatever the load (completions of admitted work).
  void Submit(absl::AnyInvocable<void() &&> task);
  // Tasks queued and not yet started.
  size_t backlog() const;
  // How long the oldest queued task has waited (zero when none waits).
  absl::Duration OldestWait(absl::Time now) const;
  const std::string& name() const { return name_; }
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  struct Task {
    absl::AnyInvocable<void() &&> run;
    absl::Time queued;
  };
  void Loop();

  const std::string name_;
  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace pressrelay
