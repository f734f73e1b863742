// The hostile cases, derived from the labelled base file.
#include "tests/gguf/hostile_gguf_corpus.h"

#include <cstdio>

namespace ballast {
namespace testing {
namespace {

const std::string kK0 = "key 0 ('general.architecture')";
const std::string kK1 = "key 1 ('general.alignment')";
const std::string kK2 = "key 2 ('llama.context_length')";
const std::string kK4 = "key 4 ('tokenizer.ggml.tokens')";
const std::string kK5 = "key 5 ('tokenizer.ggml.scores')";
const std::string kK6 = "key 6 ('tokenizer.ggml.add_bos_token')";
const std::string kK8 = "key 8 ('test.flags')";
const std::string kT0 = "tensor 0 ('token_embd.weight')";
const std::string kT1 = "tensor 1 ('blk.0.attn_q.weight')";
const std::string kT2 = "tensor 2 ('output.weight')";

class CorpusBuilder {
 public:
  std::vector<HostileGgufCase> cases;

  void add(const std::string &name, std::vector<uint8_t> bytes, StatusCode code, std::vector<std::string> all_of) {
    HostileGgufCase c;
    c.name = name;
    c.bytes = std::move(bytes);
    c.code = code;
    c.all_of = std::move(all_of);
    cases.push_back(std::move(c));
  }

  // The base file with one field overwritten. A label the base lacks is a
  // generator bug: it becomes a case the tests report by name.
  void patch_u32(const std::string &name, const std::string &label, uint32_t value, StatusCode code,
                 std::vector<std::string> all_of, const BaseGgufOptions &options = {}) {
    LabeledGgufBytes b = make_base_gguf(options);
    if (!b.patch_u32(label, value)) return generator_error(name, label);
    add(name, b.bytes(), code, std::move(all_of));
  }
  void patch_u64(const std::string &name, const std::string &label, uint64_t value, StatusCode code,
                 std::vector<std::string> all_of, const BaseGgufOptions &options = {}) {
    LabeledGgufBytes b = make_base_gguf(options);
    if (!b.patch_u64(label, value)) return generator_error(name, label);
    add(name, b.bytes(), code, std::move(all_of));
  }
  void generator_error(const std::string &name, const std::string &label) {
    add("generator_error_" + name + "_no_field_" + label, {}, StatusCode::internal, {});
  }
};

void add_truncations(CorpusBuilder &corpus, uint32_t version) {
  BaseGgufOptions options;
  options.version = version;
  const LabeledGgufBytes base = make_base_gguf(options);
  for (size_t cut = 0; cut < base.size(); ++cut) {
    const LabeledField *field = base.field_at(cut);  // the first missing byte's field
    HostileGgufCase c;
    char name[64];
    std::snprintf(name, sizeof(name), "v%u_truncated_at_%04zu", version, cut);
    c.name = name;
    c.bytes.assign(base.bytes().begin(), base.bytes().begin() + static_cast<std::ptrdiff_t>(cut));
    c.all_of = {"end of file"};
    c.any_of = {field->label + " "};
    for (const std::string &also : field->also) c.any_of.push_back(also + " ");
    if (cut >= 24) {  // a whole header: the key/tensor counts may already be seen not to fit
      c.any_of.push_back("header kv_count ");
      c.any_of.push_back("header tensor_count ");
    }
    c.max_error_offset = cut;
    corpus.cases.push_back(std::move(c));
  }
}

void add_header_cases(CorpusBuilder &c) {
  const StatusCode bad = StatusCode::corrupt_file;
  const StatusCode unsupported = StatusCode::unsupported;
  c.add("empty_file", {}, bad, {"header magic ", "end of file"});
  c.patch_u32("bad_magic", "header magic", 0x12345678u, bad, {"header magic ", "GGUF"});
  c.patch_u32("magic_big_endian", "header magic", 0x47475546u, bad, {"header magic ", "big-endian"});
  c.patch_u32("version_0", "header version", 0, unsupported, {"header version ", "unsupported version"});
  c.patch_u32("version_1", "header version", 1, unsupported, {"header version ", "GGUF v1"});
  c.patch_u32("version_4", "header version", 4, unsupported, {"header version ", "unsupported version"});
  c.patch_u32("version_3_big_endian", "header version", 0x03000000u, unsupported, {"header version ", "big-endian"});
  c.patch_u32("version_2_big_endian", "header version", 0x02000000u, unsupported, {"header version ", "big-endian"});
  c.patch_u64("kv_count_max", "header kv_count", UINT64_MAX, bad, {"header kv_count "});
  c.patch_u64("kv_count_sign_bit", "header kv_count", (1ull << 63) + 8, bad, {"header kv_count "});
  c.patch_u64("kv_count_product_wraps", "header kv_count", UINT64_MAX / 14 + 2, bad, {"header kv_count "});
  c.patch_u64("kv_count_plus_one", "header kv_count", 10, bad, {});
  c.patch_u64("kv_count_minus_one", "header kv_count", 8, bad, {});
  c.patch_u64("tensor_count_max", "header tensor_count", UINT64_MAX, bad, {"header tensor_count "});
  c.patch_u64("tensor_count_sign_bit", "header tensor_count", (1ull << 63) + 3, bad, {"header tensor_count "});
  c.patch_u64("tensor_count_product_wraps", "header tensor_count", UINT64_MAX / 33 + 2, bad, {"header tensor_count "});
  c.patch_u64("tensor_count_plus_one", "header tensor_count", 4, bad, {});
  const uint64_t fits_header_only = (make_base_gguf().size() - 24) / 33;
  c.patch_u64("tensor_count_fits_file_not_metadata", "header tensor_count", fits_header_only, bad,
              {"header tensor_count ", "after the metadata"});
}

void add_metadata_cases(CorpusBuilder &c) {
  const StatusCode bad = StatusCode::corrupt_file;
  c.patch_u64("key_name_length_max", "key 0 name_length", UINT64_MAX, bad, {"key 0 name_length ", "end of file"});
  c.patch_u64("key_name_length_sign_bit", "key 3 name_length", 1ull << 63, bad, {"key 3 name_length "});
  c.patch_u64("key_name_empty", "key 2 name_length", 0, bad, {"key 2 name ", "empty"});
  c.patch_u64("string_length_max", kK0 + " string_length", UINT64_MAX, bad, {kK0 + " string_length "});
  c.patch_u64("string_length_sign_bit", kK0 + " string_length", 1ull << 63, bad, {kK0 + " string_length "});
  const LabeledGgufBytes base = make_base_gguf();
  const uint64_t bytes_after_length = base.size() - base.find(kK0 + " string")->offset;
  c.patch_u64("string_length_one_past_eof", kK0 + " string_length", bytes_after_length + 1, bad,
              {kK0 + " string_length ", "end of file"});
  c.patch_u32("value_type_13", kK2 + " value_type", 13, bad, {kK2 + " value_type ", "not a GGUF value type"});
  c.patch_u32("value_type_max", kK2 + " value_type", UINT32_MAX, bad, {kK2 + " value_type "});
  c.patch_u32("array_type_13", kK5 + " array_type", 13, bad, {kK5 + " array_type "});
  c.patch_u32("array_of_arrays", kK5 + " array_type", 9, StatusCode::unsupported, {kK5 + " array_type ", "arrays of arrays"});
  c.patch_u64("f32_array_count_max", kK5 + " array_count", UINT64_MAX, bad, {kK5 + " array_count "});
  c.patch_u64("f32_array_bytes_wrap_to_0", kK5 + " array_count", 1ull << 62, bad, {kK5 + " array_count "});
  c.patch_u64("f32_array_bytes_wrap_to_4", kK5 + " array_count", (1ull << 62) + 1, bad, {kK5 + " array_count "});
  c.patch_u64("f32_array_count_plus_one", kK5 + " array_count", 4, bad, {});
  c.patch_u64("string_array_count_max", kK4 + " array_count", UINT64_MAX, bad, {kK4 + " array_count "});
  c.patch_u64("string_array_bytes_wrap_to_0", kK4 + " array_count", 1ull << 61, bad, {kK4 + " array_count "});
  c.patch_u64("string_array_element_length_huge", kK4 + " array element 1 string_length", 1ull << 63, bad,
              {kK4 + " array element 1 string_length "});
  {
    LabeledGgufBytes b = make_base_gguf();
    if (!b.patch_u8(kK6 + " value", 2)) return c.generator_error("bool_value_2", kK6 + " value");
    c.add("bool_value_2", b.bytes(), bad, {kK6 + " value ", "bool = 2"});
  }
  {
    LabeledGgufBytes b = make_base_gguf();
    const LabeledField *flags = b.find(kK8 + " array_data");
    if (flags == nullptr) return c.generator_error("bool_array_element_2", kK8 + " array_data");
    std::vector<uint8_t> bytes = b.bytes();
    bytes[flags->offset + 1] = 2;
    c.add("bool_array_element_2", bytes, bad, {kK8 + " array element 1 value ", "bool = 2"});
  }
  c.patch_u64("bool_array_count_past_eof", kK8 + " array_count", make_base_gguf().size(), bad,
              {kK8 + " array_count ", "end of file"});
  BaseGgufOptions dup;
  dup.key2_name = "general.architecture";
  c.add("duplicate_key", make_base_gguf(dup).bytes(), bad, {"key 2 ('general.architecture') name ", "duplicate key"});
  BaseGgufOptions empty;
  empty.key2_name = "";
  c.add("empty_key_name", make_base_gguf(empty).bytes(), bad, {"key 2 name ", "empty"});
}

void add_alignment_cases(CorpusBuilder &c) {
  const StatusCode bad = StatusCode::corrupt_file;
  c.patch_u32("alignment_0", kK1 + " value", 0, bad, {kK1 + " value ", "power of two"});
  c.patch_u32("alignment_3", kK1 + " value", 3, bad, {kK1 + " value ", "power of two"});
  c.patch_u32("alignment_48", kK1 + " value", 48, bad, {kK1 + " value ", "power of two"});
  c.patch_u32("alignment_2pow31_data_past_eof", kK1 + " value", 1u << 31, bad, {"header data section ", "end of file"});
  BaseGgufOptions as_i32;
  as_i32.alignment_type = 5;
  c.add("alignment_is_i32", make_base_gguf(as_i32).bytes(), bad, {kK1 + " value_type ", "must be u32"});
  BaseGgufOptions as_u64;
  as_u64.alignment_type = 10;
  c.add("alignment_is_u64", make_base_gguf(as_u64).bytes(), bad, {kK1 + " value_type ", "must be u32"});
  BaseGgufOptions align64;
  align64.alignment_value = 64;  // the base's offsets 0, 64, 160: 160 is not 64-aligned
  c.add("tensor_offset_not_aligned_to_64", make_base_gguf(align64).bytes(), bad,
        {kT2 + " offset ", "not a multiple of the alignment 64"});
}

void add_tensor_cases(CorpusBuilder &c) {
  const StatusCode bad = StatusCode::corrupt_file;
  c.patch_u64("tensor_name_length_max", "tensor 1 name_length", UINT64_MAX, bad, {"tensor 1 name_length "});
  c.patch_u64("tensor_name_empty", "tensor 1 name_length", 0, bad, {"tensor 1 name ", "empty"});
  c.patch_u32("n_dims_7", kT1 + " n_dims", 7, bad, {kT1 + " n_dims ", "= 7"});
  c.patch_u32("n_dims_0", kT1 + " n_dims", 0, bad, {kT1 + " n_dims ", "= 0"});
  c.patch_u32("n_dims_max", kT1 + " n_dims", UINT32_MAX, bad, {kT1 + " n_dims "});
  c.patch_u64("dim_zero", kT0 + " ne[1]", 0, bad, {kT0 + " ne[1] ", "= 0"});
  c.patch_u64("dim_negative", kT0 + " ne[0]", 1ull << 63, bad, {kT0 + " ne[0] ", "negative"});
  c.patch_u64("dim_minus_one", kT0 + " ne[0]", UINT64_MAX, bad, {kT0 + " ne[0] ", "negative"});
  {
    LabeledGgufBytes b = make_base_gguf();
    if (!b.patch_u64(kT0 + " ne[0]", 1ull << 32) || !b.patch_u64(kT0 + " ne[1]", 1ull << 32)) {
      return c.generator_error("element_count_overflow", kT0);
    }
    c.add("element_count_overflow", b.bytes(), bad, {kT0 + " ne[1] ", "element count overflow"});
  }
  {
    LabeledGgufBytes b = make_base_gguf();
    if (!b.patch_u64(kT0 + " ne[0]", 1ull << 31) || !b.patch_u64(kT0 + " ne[1]", 1ull << 31)) {
      return c.generator_error("byte_size_overflow", kT0);
    }
    c.add("byte_size_overflow", b.bytes(), bad, {kT0 + " type ", "byte size overflow"});
  }
  c.patch_u64("tensor_bigger_than_file", kT0 + " ne[0]", 1ull << 20, bad, {kT0 + " data ", "end of file"});
  c.patch_u64("row_not_whole_blocks", kT1 + " ne[0]", 33, bad, {kT1 + " ne[0] ", "Q8_0 block size 32"});
  c.patch_u32("tensor_type_99", kT1 + " type", 99, bad, {kT1 + " type ", "= 99"});
  c.patch_u32("tensor_type_max", kT1 + " type", UINT32_MAX, bad, {kT1 + " type "});
  c.patch_u32("tensor_type_unsupported_iq2", kT1 + " type", 16, StatusCode::unsupported, {kT1 + " type ", "IQ2_XXS"});
  c.patch_u64("tensor_offset_unaligned", kT1 + " offset", 65, bad, {kT1 + " offset ", "not a multiple"});
  c.patch_u64("tensor_offset_wraps", kT2 + " offset", 0xFFFFFFFFFFFFFFE0ull, bad, {kT2 + " data ", "end of file"});
  c.patch_u64("tensor_offset_past_eof", kT2 + " offset", 1ull << 20, bad, {kT2 + " data ", "end of file"});
  c.patch_u64("tensor_overlap_partial", kT1 + " offset", 32, bad, {kT1 + " data ", "overlap"});
  c.patch_u64("tensor_overlap_same_start", kT2 + " offset", 0, bad, {kT2 + " data ", "overlap"});
  BaseGgufOptions dup;
  dup.tensor1_name = "token_embd.weight";
  c.add("duplicate_tensor_name", make_base_gguf(dup).bytes(), bad,
        {"tensor 1 ('token_embd.weight') name ", "duplicate tensor name"});
  BaseGgufOptions empty;
  empty.tensor1_name = "";
  c.add("empty_tensor_name", make_base_gguf(empty).bytes(), bad, {"tensor 1 name ", "empty"});
}

// Every byte before the data section flipped three ways. Some flips leave a
// valid file (a changed character in a name); none may crash.
void add_byte_flips(CorpusBuilder &corpus) {
  const LabeledGgufBytes base = make_base_gguf();
  const LabeledField *data_section = base.find("header data section");
  const size_t end = data_section != nullptr ? data_section->offset : base.size();
  const uint8_t kinds[3][2] = {{0xff, 0}, {0x01, 0}, {0x00, 0x80}};  // {xor mask, or mask}
  for (size_t at = 0; at < end; ++at) {
    for (size_t k = 0; k < 3; ++k) {
      HostileGgufCase c;
      char name[64];
      std::snprintf(name, sizeof(name), "flip_%04zu_%s", at, k == 0 ? "not" : k == 1 ? "xor1" : "or80");
      c.name = name;
      c.bytes = base.bytes();
      c.bytes[at] = static_cast<uint8_t>((c.bytes[at] ^ kinds[k][0]) | kinds[k][1]);
      if (c.bytes[at] == base.bytes()[at]) continue;
      c.must_reject = false;
      corpus.cases.push_back(std::move(c));
    }
  }
}

}  // namespace

std::vector<HostileGgufCase> make_hostile_gguf_corpus() {
  CorpusBuilder corpus;
  add_truncations(corpus, 3);
  add_truncations(corpus, 2);
  add_header_cases(corpus);
  add_metadata_cases(corpus);
  add_alignment_cases(corpus);
  add_tensor_cases(corpus);
  add_byte_flips(corpus);
  return corpus.cases;
}

}  // namespace testing
}  // namespace ballast
