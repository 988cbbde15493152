#include "services/common/base/worker_pool.h"

#include <pthread.h>

namespace pressrelay {

WorkerPool::WorkerPool(std::string name, int threads, size_t max_queued)
    : name_(std::move(name)), max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { Loop(); });
    pthread_setname_np(threads_.back().native_handle(), name_.substr(0, 15).c_str());
  }
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.join();
}

bool WorkerPool::TrySubmit(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  if (max_queued_ > 0 && tasks_.size() >= max_queued_) return false;
  tasks_.push_back({std::move(task), absl::Now()});
  return true;
}

void WorkerPool::Submit(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back({std::move(task), absl::Now()});
}

size_t WorkerPool::backlog() const {
  absl::MutexLock lock(&mu_);
  return tasks_.size();
}

absl::Duration WorkerPool::OldestWait(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  if (tasks_.empty() || tasks_.front().queued > now) return absl::ZeroDuration();
  return now - tasks_.front().queued;
}

void WorkerPool::Loop() {
  for (;;) {
    absl::AnyInvocable<void() &&> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !tasks_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front().run);
      tasks_.pop_front();
    }
    std::move(task)();
  }
}

}  // namespace pressrelay
