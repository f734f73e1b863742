#include "runtime/stream/input_queue.h"

namespace ballast {

const char *queue_policy_name(QueuePolicy policy) {
  return policy == QueuePolicy::block ? "block" : "drop-oldest";
}

Result<QueuePolicy> parse_queue_policy(std::string_view name) {
  if (name == "block") return QueuePolicy::block;
  if (name == "drop-oldest") return QueuePolicy::drop_oldest;
  return make_status(StatusCode::invalid_argument, "unknown queue policy '%.*s' (block, drop-oldest)",
                     static_cast<int>(name.size()), name.data());
}

Result<InputQueue> InputQueue::create(QueuePolicy policy, uint32_t slots, size_t slot_bytes) {
  if (slots == 0 || slot_bytes < 4) {
    return make_status(StatusCode::invalid_argument, "input queue needs >= 1 slot of >= 4 bytes");
  }
  InputQueue queue;
  queue.policy_ = policy;
  queue.slots_ = slots;
  queue.slot_bytes_ = slot_bytes;
  queue.text_.resize(size_t{slots} * slot_bytes);
  queue.lines_.resize(slots);
  return queue;
}

bool InputQueue::push(const char *raw, size_t n, uint64_t end_offset) {
  if (full()) {
    if (policy_ == QueuePolicy::block) {
      note_delayed();
      return false;
    }
    counters_.dropped_lines += 1;
    counters_.dropped_bytes += lines_[head_].text_bytes;
    pop();
  }
  const uint32_t slot = (head_ + count_) % slots_;
  char *dst = text_.data() + size_t{slot} * slot_bytes_;
  QueuedLine &line = lines_[slot];
  line.info = clean_transcript_line(raw, n, dst, slot_bytes_);
  line.text = dst;
  line.text_bytes = line.info.text_bytes;
  line.end_offset = end_offset;
  count_ += 1;
  counters_.pushed_lines += 1;
  return true;
}

QueuedLine InputQueue::front() const { return lines_[head_]; }

void InputQueue::pop() {
  if (count_ == 0) return;
  head_ = (head_ + 1) % slots_;
  count_ -= 1;
}

}  // namespace ballast
