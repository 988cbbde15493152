// One lane of a stream's outbox: deliveries waiting to be written, first in, first out.
//
// Not a std::deque because of idle streams: libstdc++'s deque allocates a 512-byte block and
// its map the moment it is constructed, about 1.1 KiB for a stream's two lanes whether or not
// anything ever waits in them (heaptrack, 5,000 idle streams). An empty OutboxLane owns no
// heap memory, and a drained one keeps at most a small buffer for the next message.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace pressrelay::subscription {

template <typename T>
class OutboxLane {
 public:
  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  const T& front() const { return items_[head_]; }
  T& front() { return items_[head_]; }

  void push_back(T item) { items_.push_back(std::move(item)); }

  // Removes the front item (releasing what it holds at once) in O(1) amortised.
  void pop_front() {
    items_[head_++] = T{};
    if (head_ == items_.size()) {
      clear();
    } else if (head_ >= kCompactAfter && head_ * 2 >= items_.size()) {
      // Never drained (a steady backlog): drop the consumed half instead of growing.
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  void clear() {
    head_ = 0;
    if (items_.capacity() > kKeptCapacity) {
      std::vector<T>().swap(items_);
    } else {
      items_.clear();
    }
  }

  size_t capacity() const { return items_.capacity(); }

 private:
  static constexpr size_t kCompactAfter = 64;
  static constexpr size_t kKeptCapacity = 8;  // a typical message's worth, reused

  std::vector<T> items_;
  size_t head_ = 0;  // items_[0, head_) are consumed
};

}  // namespace pressrelay::subscription
