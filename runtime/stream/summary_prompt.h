// The text fed after the transcript to ask for a summary, and the text that
// wraps the rolling memory when it is re-fed into the window.
//
// Chat models: the GGUF key `tokenizer.chat_template` (a Jinja template) is
// not executed; it is recognised by its markers and the matching fixed
// format is written out:
//   chatml   "<|im_start|>"          (Qwen2/Qwen2.5/Qwen3, SmolLM2)
//   llama3   "<|start_header_id|>"   (Llama 3.x)
//   zephyr   "<|user|>"              (TinyLlama-Chat, Zephyr)
//   llama2   "[INST]"                (Llama 2 chat, Mistral instruct)
// Models without a template (or one not recognised) get the plain template:
//   "\n\nSummary of the transcript so far:"
// and the generated summary ends at the first newline after some text.
#pragma once

#include <string>
#include <string_view>

namespace ballast {

enum class PromptStyle { plain, chatml, llama3, zephyr, llama2 };
const char *prompt_style_name(PromptStyle style);

// Recognises the template's family from its markers; plain if none.
PromptStyle detect_prompt_style(std::string_view chat_template);

struct SummaryPromptText {
  std::string before_summary;  // fed after the transcript, then the model writes
  std::string memory_prefix;   // the rolling memory is re-fed as prefix + summary + suffix
  std::string memory_suffix;
  bool stop_at_newline = false;  // plain style: a newline after text ends the summary
};

// `instruction`: what to ask (e.g. "Summarise the transcript above in one sentence.").
SummaryPromptText render_summary_prompt(PromptStyle style, std::string_view instruction);

}  // namespace ballast
