// The bounded queue between the input reader and the model: a fixed number
// of slots, each holding one cleaned line (or a piece of a long one), all
// allocated at creation. When the input arrives faster than the model
// consumes it, the policy decides:
//   block        (regular files; the default there) the reader stops reading
//                until a slot frees: nothing is lost, the input is delayed
//                (delayed_reads counts the times the reader had to wait).
//   drop_oldest  (live FIFOs / stdin; the default there) the oldest queued
//                line is discarded to make room, so the model always works
//                on the most recent speech (dropped_lines / dropped_bytes
//                count what was lost).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "platform/status.h"
#include "runtime/stream/transcript_line.h"

namespace ballast {

enum class QueuePolicy { block, drop_oldest };
const char *queue_policy_name(QueuePolicy policy);
Result<QueuePolicy> parse_queue_policy(std::string_view name);

struct QueuedLine {
  const char *text = nullptr;  // cleaned UTF-8, text_bytes long (points into the queue)
  size_t text_bytes = 0;
  uint64_t end_offset = 0;     // input bytes consumed through the end of this line
  TranscriptLine info;
};

struct InputQueueCounters {
  uint64_t pushed_lines = 0;
  uint64_t dropped_lines = 0;
  uint64_t dropped_bytes = 0;
  uint64_t delayed_reads = 0;  // block policy: times the reader found the queue full
};

class InputQueue {
 public:
  // slots >= 1; slot_bytes: the longest cleaned line a slot holds (longer
  // ones are cut at a character boundary).
  static Result<InputQueue> create(QueuePolicy policy, uint32_t slots, size_t slot_bytes);

  bool full() const { return count_ == slots_; }
  bool empty() const { return count_ == 0; }
  uint32_t size() const { return count_; }
  QueuePolicy policy() const { return policy_; }

  // Cleans raw[0..n) into the next slot. block policy + full queue: refuses
  // (returns false, counts a delayed read) — the caller must not read more
  // until pop(). drop_oldest + full: the oldest line is discarded first.
  bool push(const char *raw, size_t n, uint64_t end_offset);

  // The oldest line (valid until the next push/pop); empty() must be false.
  QueuedLine front() const;
  void pop();

  // Counts a time the reader had to wait for a free slot (block policy).
  void note_delayed() { counters_.delayed_reads += 1; }
  const InputQueueCounters &counters() const { return counters_; }

 private:
  InputQueue() = default;
  QueuePolicy policy_ = QueuePolicy::block;
  uint32_t slots_ = 0;
  size_t slot_bytes_ = 0;
  std::vector<char> text_;         // [slots][slot_bytes]
  std::vector<QueuedLine> lines_;  // [slots]
  uint32_t head_ = 0;              // oldest
  uint32_t count_ = 0;
  InputQueueCounters counters_;
};

}  // namespace ballast
