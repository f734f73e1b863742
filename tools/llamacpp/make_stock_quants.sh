#!/usr/bin/env bash
# Makes "stock" quantized files with llama.cpp's own quantizer, the mixes
# real downloads have: Q4_0 (Q4_0 matrices, Q6_K output tensor) and Q4_K_M
# (Q4_K matrices, Q6_K for output and some attn_v / ffn_down), and checks that
# llama.cpp loads and runs each (one decode of 4 tokens through `logits`).
#   usage: tools/llamacpp/make_stock_quants.sh IN_F16.gguf OUT_DIR [TYPE...]
# IN_F16.gguf: e.g. from ballast-mkmodel --type f16 (row lengths must be
# multiples of 256 for the K types, e.g. --dim 256 --ffn 512).
# Writes OUT_DIR/<stem>-<TYPE>.gguf and prints the tensor-type mix of each.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "make_stock_quants.sh: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: make_stock_quants.sh IN_F16.gguf OUT_DIR [TYPE...] (default types Q4_0 Q4_K_M)"
input="$1"
out_dir="$2"
shift 2
types=("$@")
[ ${#types[@]} -gt 0 ] || types=(Q4_0 Q4_K_M)
harness="$here/build/llamacpp_ref"
[ -x "$harness" ] || die "$harness missing: run tools/llamacpp/setup.sh first"
[ -f "$input" ] || die "no such file: $input"

mkdir -p "$out_dir"
stem="$(basename "$input" .gguf)"
stem="${stem%-f16}"
stem="${stem%-F16}"
for type in "${types[@]}"; do
  out="$out_dir/$stem-$type.gguf"
  "$harness" quantize "$input" "$out" "$type"
  echo "$out: $("$harness" tensors "$out" | awk '{ print $2 }' | sort | uniq -c | awk '{ printf "%s %s, ", $1, $2 }')"
  echo "  output.weight: $("$harness" tensors "$out" | awk '$1 == "output.weight" { print $2 }')"
  # llama.cpp must load it and decode a few tokens (ids below any vocab size).
  "$harness" logits --model "$out" --tokens 1,2,3,4 --out "$out_dir/$stem-$type.check-logits.f32" \
    || die "llama.cpp could not run $out"
  rm -f "$out_dir/$stem-$type.check-logits.f32"
done
