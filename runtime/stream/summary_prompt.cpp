#include "runtime/stream/summary_prompt.h"

namespace ballast {

const char *prompt_style_name(PromptStyle style) {
  switch (style) {
    case PromptStyle::plain: return "plain";
    case PromptStyle::chatml: return "chatml";
    case PromptStyle::llama3: return "llama3";
    case PromptStyle::zephyr: return "zephyr";
    case PromptStyle::llama2: return "llama2";
  }
  return "plain";
}

PromptStyle detect_prompt_style(std::string_view t) {
  if (t.find("<|im_start|>") != std::string_view::npos) return PromptStyle::chatml;
  if (t.find("<|start_header_id|>") != std::string_view::npos) return PromptStyle::llama3;
  if (t.find("<|user|>") != std::string_view::npos) return PromptStyle::zephyr;
  if (t.find("[INST]") != std::string_view::npos) return PromptStyle::llama2;
  return PromptStyle::plain;
}

SummaryPromptText render_summary_prompt(PromptStyle style, std::string_view instruction) {
  SummaryPromptText p;
  const std::string ask(instruction);
  switch (style) {
    case PromptStyle::chatml:
      p.before_summary = "\n<|im_start|>user\n" + ask + "<|im_end|>\n<|im_start|>assistant\n";
      break;
    case PromptStyle::llama3:
      p.before_summary = "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n" + ask +
                         "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
      break;
    case PromptStyle::zephyr:
      p.before_summary = "</s>\n<|user|>\n" + ask + "</s>\n<|assistant|>\n";
      break;
    case PromptStyle::llama2:
      p.before_summary = " [INST] " + ask + " [/INST] ";
      break;
    case PromptStyle::plain:
      p.before_summary = "\n\nSummary of the transcript so far:";
      p.stop_at_newline = true;
      break;
  }
  p.memory_prefix = "\n(Earlier: ";
  p.memory_suffix = ")\n";
  return p;
}

}  // namespace ballast
