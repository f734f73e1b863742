// GgufFile against files made by GgufWriter: every value and array type, v2
// and v3, custom alignment, every tensor type's geometry, the typed getters'
// conversions and errors, value_to_string.
#include <doctest/doctest.h>

#include <cstring>
#include <limits>

#include "models/gguf/gguf_reader.h"
#include "models/gguf/gguf_writer.h"

using namespace ballast;

namespace {

template <typename T>
std::vector<uint8_t> raw_array(GgufValueType type, const std::vector<T> &values) {
  std::vector<uint8_t> out(12 + values.size() * sizeof(T));
  const uint32_t type_raw = static_cast<uint32_t>(type);
  const uint64_t count = values.size();
  std::memcpy(out.data(), &type_raw, 4);
  std::memcpy(out.data() + 4, &count, 8);
  if (!values.empty()) std::memcpy(out.data() + 12, values.data(), values.size() * sizeof(T));
  return out;
}

// Keeps the bytes alive next to the parsed file that points into them.
struct Parsed {
  std::vector<uint8_t> bytes;
  Result<GgufFile> file = Status(StatusCode::internal, "not parsed");
};

Parsed write_and_parse(const GgufWriter &writer) {
  Parsed p;
  Result<std::vector<uint8_t>> bytes = writer.to_bytes();
  REQUIRE_MESSAGE(bytes.is_ok(), bytes.status().to_string());
  p.bytes = std::move(bytes).value();
  p.file = GgufFile::parse(p.bytes.data(), p.bytes.size());
  REQUIRE_MESSAGE(p.file.is_ok(), p.file.status().to_string());
  return p;
}

void add_every_scalar(GgufWriter &w) {
  w.set_u8("t.u8", 250);
  w.set_i8("t.i8", -120);
  w.set_u16("t.u16", 65000);
  w.set_i16("t.i16", -32000);
  w.set_u32("t.u32", 4000000000u);
  w.set_i32("t.i32", -2000000000);
  w.set_u64("t.u64", 18000000000000000000ull);
  w.set_i64("t.i64", -9000000000000000000ll);
  w.set_f32("t.f32", 0.15625f);
  w.set_f64("t.f64", -1.0e300);
  w.set_bool("t.true", true);
  w.set_bool("t.false", false);
  w.set_string("t.string", "h\xc3\xa9llo \"world\"\n");
  w.set_string("t.empty", "");
}

}  // namespace

TEST_CASE("GGUF reader round-trips every scalar value type, v2 and v3") {
  for (uint32_t version : {2u, 3u}) {
    CAPTURE(version);
    GgufWriter w(version);
    add_every_scalar(w);
    Parsed p = write_and_parse(w);
    const GgufFile &f = p.file.value();
    CHECK(f.version() == version);
    CHECK(f.metadata().size() == 14);
    CHECK(f.tensors().empty());
    CHECK(f.get_uint("t.u8").value() == 250);
    CHECK(f.get_int("t.i8").value() == -120);
    CHECK(f.get_uint("t.u16").value() == 65000);
    CHECK(f.get_int("t.i16").value() == -32000);
    CHECK(f.get_uint("t.u32").value() == 4000000000u);
    CHECK(f.get_int("t.i32").value() == -2000000000);
    CHECK(f.get_uint("t.u64").value() == 18000000000000000000ull);
    CHECK(f.get_int("t.i64").value() == -9000000000000000000ll);
    CHECK(f.get_float("t.f32").value() == 0.15625);
    CHECK(f.get_float("t.f64").value() == -1.0e300);
    CHECK(f.get_bool("t.true").value() == true);
    CHECK(f.get_bool("t.false").value() == false);
    CHECK(f.get_string("t.string").value() == "h\xc3\xa9llo \"world\"\n");
    CHECK(f.get_string("t.empty").value().empty());
    CHECK(f.find("t.u16")->type == GgufValueType::uint16);
    CHECK(f.find("t.i64")->type == GgufValueType::int64);
    CHECK(f.find("t.missing") == nullptr);
    // Key order and offsets follow the file.
    CHECK(f.metadata()[0].key == "t.u8");
    CHECK(p.bytes[f.metadata()[0].value.file_offset] == 250);
  }
}

TEST_CASE("GGUF reader round-trips arrays of every element type") {
  GgufWriter w;
  w.set_raw("a.u8", GgufValueType::array, raw_array<uint8_t>(GgufValueType::uint8, {0, 7, 255}));
  w.set_raw("a.i8", GgufValueType::array, raw_array<int8_t>(GgufValueType::int8, {-128, 0, 127}));
  w.set_raw("a.u16", GgufValueType::array, raw_array<uint16_t>(GgufValueType::uint16, {1, 65535}));
  w.set_raw("a.i16", GgufValueType::array, raw_array<int16_t>(GgufValueType::int16, {-32768, 5}));
  w.set_u32_array("a.u32", {1, 2, 3000000000u});
  w.set_i32_array("a.i32", {-1, 0, 2147483647});
  w.set_raw("a.u64", GgufValueType::array, raw_array<uint64_t>(GgufValueType::uint64, {1, 1ull << 40}));
  w.set_raw("a.i64", GgufValueType::array, raw_array<int64_t>(GgufValueType::int64, {-5, 1ll << 40}));
  w.set_f32_array("a.f32", {0.5f, -2.0f, 1e-3f});
  w.set_raw("a.f64", GgufValueType::array, raw_array<double>(GgufValueType::float64, {0.25, -8.0}));
  w.set_raw("a.bool", GgufValueType::array, raw_array<uint8_t>(GgufValueType::boolean, {1, 0, 1}));
  w.set_string_array("a.string", {"<s>", "", "\xe2\x96\x81the", "a\nb"});
  w.set_string_array("a.empty", {});
  Parsed p = write_and_parse(w);
  const GgufFile &f = p.file.value();

  CHECK(f.get_i32_array("a.u8").value() == std::vector<int32_t>{0, 7, 255});
  CHECK(f.get_i32_array("a.i8").value() == std::vector<int32_t>{-128, 0, 127});
  CHECK(f.get_i32_array("a.u16").value() == std::vector<int32_t>{1, 65535});
  CHECK(f.get_i32_array("a.i16").value() == std::vector<int32_t>{-32768, 5});
  CHECK(f.get_i32_array("a.i32").value() == std::vector<int32_t>{-1, 0, 2147483647});
  CHECK(f.get_f32_array("a.f32").value() == std::vector<float>{0.5f, -2.0f, 1e-3f});
  const std::vector<std::string_view> strings = f.get_string_array("a.string").value();
  REQUIRE(strings.size() == 4);
  CHECK(strings[0] == "<s>");
  CHECK(strings[1].empty());
  CHECK(strings[2] == "\xe2\x96\x81the");
  CHECK(strings[3] == "a\nb");
  CHECK(f.get_string_array("a.empty").value().empty());

  const GgufValue *u64s = f.find("a.u64");
  REQUIRE(u64s != nullptr);
  CHECK(u64s->array_type == GgufValueType::uint64);
  CHECK(u64s->array_count == 2);
  CHECK(u64s->array_bytes == 16);
  CHECK(f.value_to_string(*f.find("a.f64")) == "[0.25, -8] (2 x f64)");
  CHECK(f.value_to_string(*f.find("a.bool")) == "[true, false, true] (3 x bool)");
  CHECK(f.value_to_string(*f.find("a.i64")) == "[-5, 1099511627776] (2 x i64)");
  CHECK(f.value_to_string(*f.find("a.string"), 2) == "[\"<s>\", \"\", ...] (4 x string)");
  CHECK(f.value_to_string(*f.find("a.empty")) == "[] (0 x string)");

  // Values that do not fit i32, and element types that are not integers.
  Result<std::vector<int32_t>> too_big = f.get_i32_array("a.u32");
  REQUIRE_FALSE(too_big.is_ok());
  CHECK(too_big.status().message().find("element 2") != std::string::npos);
  CHECK_FALSE(f.get_i32_array("a.u64").is_ok());
  CHECK_FALSE(f.get_i32_array("a.f32").is_ok());
  CHECK_FALSE(f.get_f32_array("a.f64").is_ok());
  CHECK_FALSE(f.get_string_array("a.u8").is_ok());
}

TEST_CASE("GGUF typed getters convert integers that fit and name key and types otherwise") {
  GgufWriter w;
  add_every_scalar(w);
  Parsed p = write_and_parse(w);
  const GgufFile &f = p.file.value();

  CHECK(f.get_int("t.u32").value() == 4000000000ll);  // unsigned that fits i64
  CHECK(f.get_uint("t.i8").status().code() == StatusCode::corrupt_file);  // negative
  CHECK(f.get_uint("t.i8").status().message().find("negative") != std::string::npos);
  CHECK(f.get_int("t.u64").status().message().find("does not fit") != std::string::npos);

  Result<std::string_view> wrong = f.get_string("t.u32");
  REQUIRE_FALSE(wrong.is_ok());
  CHECK(wrong.status().code() == StatusCode::corrupt_file);
  CHECK(wrong.status().message().find("'t.u32'") != std::string::npos);
  CHECK(wrong.status().message().find("type u32, expected string") != std::string::npos);
  CHECK_FALSE(f.get_float("t.u32").is_ok());
  CHECK_FALSE(f.get_bool("t.u8").is_ok());
  CHECK_FALSE(f.get_uint("t.f32").is_ok());

  Result<uint64_t> missing = f.get_uint("no.such.key");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == StatusCode::invalid_argument);
  CHECK(missing.status().message().find("'no.such.key' not found") != std::string::npos);

  CHECK(f.get_uint_or("no.such.key", 42).value() == 42);
  CHECK(f.get_float_or("no.such.key", 1.5).value() == 1.5);
  CHECK(f.get_bool_or("no.such.key", true).value() == true);
  CHECK(f.get_string_or("no.such.key", "dflt").value() == "dflt");
  CHECK(f.get_uint_or("t.u16", 42).value() == 65000);
  CHECK_FALSE(f.get_uint_or("t.string", 42).is_ok());  // present with a wrong type is still an error
  CHECK_FALSE(f.get_string_or("t.u8", "x").is_ok());

  CHECK(f.value_to_string(*f.find("t.i16")) == "-32000");
  CHECK(f.value_to_string(*f.find("t.u64")) == "18000000000000000000");
  CHECK(f.value_to_string(*f.find("t.f32")) == "0.15625");
  CHECK(f.value_to_string(*f.find("t.true")) == "true");
  CHECK(f.value_to_string(*f.find("t.string")) == "\"h\xc3\xa9llo \\\"world\\\"\\n\"");
}

TEST_CASE("GGUF reader gives every tensor type its block geometry, shape and data") {
  const TensorType types[] = {TensorType::f32,  TensorType::f16,  TensorType::bf16, TensorType::q4_0,
                              TensorType::q4_1, TensorType::q5_0, TensorType::q5_1, TensorType::q8_0,
                              TensorType::q4_k, TensorType::q5_k, TensorType::q6_k};
  GgufWriter w;
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); ++i) {
    const TensorTypeInfo *info = tensor_type_info(types[i]);
    REQUIRE(info != nullptr);
    const uint64_t bytes = 2ull * 3 * info->block_bytes;  // shape [2 blocks, 3 rows]
    std::vector<uint8_t> data(bytes);
    for (size_t j = 0; j < data.size(); ++j) data[j] = static_cast<uint8_t>(j + i * 13);
    w.add_tensor(std::string("t.") + info->name, types[i], {2ull * info->block_elements, 3}, data);
  }
  w.add_tensor("t.4d", TensorType::f16, {4, 3, 2, 5}, std::vector<uint8_t>(4 * 3 * 2 * 5 * 2, 9));
  Parsed p = write_and_parse(w);
  const GgufFile &f = p.file.value();
  REQUIRE(f.tensors().size() == 12);
  for (size_t i = 0; i < 11; ++i) {
    const TensorTypeInfo *info = tensor_type_info(types[i]);
    const GgufTensorInfo *t = f.find_tensor(std::string("t.") + info->name);
    REQUIRE(t != nullptr);
    CAPTURE(info->name);
    CHECK(t->type == types[i]);
    CHECK(t->n_dims == 2);
    CHECK(t->shape[0] == 2ull * info->block_elements);
    CHECK(t->shape[1] == 3);
    CHECK(t->shape[2] == 1);
    CHECK(t->element_count == 6ull * info->block_elements);
    CHECK(t->byte_size == 6ull * info->block_bytes);
    CHECK(t->data_offset % 32 == 0);
    CHECK(t->data == p.bytes.data() + t->data_offset);
    CHECK(t->data[0] == static_cast<uint8_t>(i * 13));
    CHECK(t->data[t->byte_size - 1] == static_cast<uint8_t>(t->byte_size - 1 + i * 13));
  }
  const GgufTensorInfo *t4 = f.find_tensor("t.4d");
  REQUIRE(t4 != nullptr);
  CHECK(t4->n_dims == 4);
  CHECK(t4->shape[3] == 5);
  CHECK(t4->element_count == 120);
  CHECK(t4->byte_size == 240);
  CHECK(f.find_tensor("t.none") == nullptr);
}

TEST_CASE("GGUF reader honours a custom general.alignment") {
  for (uint32_t alignment : {1u, 8u, 64u, 256u, 4096u}) {
    CAPTURE(alignment);
    GgufWriter w(3, alignment);
    w.set_string("general.architecture", "llama");
    w.add_tensor("a", TensorType::f32, {3}, std::vector<uint8_t>(12, 0xAB));
    w.add_tensor("b", TensorType::q8_0, {32}, std::vector<uint8_t>(34, 0xCD));
    Parsed p = write_and_parse(w);
    const GgufFile &f = p.file.value();
    CHECK(f.alignment() == alignment);
    CHECK(f.get_uint("general.alignment").value() == alignment);
    CHECK(f.data_section_offset() % alignment == 0);
    REQUIRE(f.tensors().size() == 2);
    CHECK(f.tensors()[0].data_offset == f.data_section_offset());
    CHECK(f.tensors()[1].data_offset % alignment == 0);
    CHECK(f.tensors()[0].data[11] == 0xAB);
    CHECK(f.tensors()[1].data[0] == 0xCD);
    CHECK(f.file_size() == p.bytes.size());
  }
}

TEST_CASE("GGUF reader accepts an empty file body and rejects null data with a size") {
  GgufWriter w;
  Parsed p = write_and_parse(w);
  CHECK(p.file->metadata().empty());
  CHECK(p.file->tensors().empty());
  CHECK(p.file->alignment() == 32);
  Result<GgufFile> null_data = GgufFile::parse(nullptr, 10);
  CHECK(null_data.status().code() == StatusCode::invalid_argument);
  Result<GgufFile> empty = GgufFile::parse(nullptr, 0);
  CHECK(empty.status().code() == StatusCode::corrupt_file);
}
