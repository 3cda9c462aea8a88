// node scripts/short-names.mjs APP.wasm GLUE.js
//
// Gives the functions that wasm-bindgen's JavaScript and the wasm hand each
// other short names, in both files at once. wasm-bindgen names each import
// after the Rust item and a 16-digit hash (`__wbg_remove_8228e91d7ddbc755`):
// 256 of them, each written once in the wasm and once in the JavaScript,
// and a hash does not compress. Short names take 6 KB of brotli off the two
// (README, "Performance"). Run by scripts/minify.sh before terser, on a
// release build only.
//
// Renamed:
// - every import (each must be written exactly once in the JavaScript, as
//   the key that provides it);
// - the exports with long names (the closures' entry points and
//   wasm-bindgen's helpers) where the JavaScript reads them, always as
//   `wasm.<name>`. `mount`, `memory` and the other short names stay.
// Anything unexpected stops the build rather than ship a wasm and a script
// that no longer fit together, and the new wasm must compile.
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, gluePath] = process.argv.slice(2);
if (!wasmPath || !gluePath) {
  fail("usage: short-names.mjs APP.wasm GLUE.js");
}
const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");

function fail(message) {
  console.error(`short-names.mjs: ${message}`);
  process.exit(1);
}

// Names a, b, …, Z, aa, ab, …. Some spell a JavaScript keyword (`do`,
// `in`), which is harmless: they only ever appear as an object's keys and
// after a dot.
const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
function shortName(index) {
  let name = "";
  for (let n = index; ; n = Math.floor(n / letters.length) - 1) {
    name = letters[n % letters.length] + name;
    if (n < letters.length) return name;
  }
}

// --- The wasm binary: unsigned LEB128 numbers and length-prefixed names.
function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length || shift > 28) fail(`${wasmPath} ends inside a number`);
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}
function u32(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}
function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [bytes.subarray(start, start + length).toString("utf8"), start + length];
}
function name(text) {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([u32(bytes.length), bytes]);
}
// Skips a table's or a memory's limits.
function skipLimits(bytes, at) {
  const flags = bytes[at++];
  [, at] = readU32(bytes, at);
  if (flags & 1) [, at] = readU32(bytes, at);
  return at;
}
// The end of one import's description (function, table, memory, global, tag).
function skipImportDescription(bytes, at) {
  const kind = bytes[at++];
  switch (kind) {
    case 0:
      return readU32(bytes, at)[1];
    case 1:
      return skipLimits(bytes, at + 1);
    case 2:
      return skipLimits(bytes, at);
    case 3:
      return at + 2;
    case 4:
      return readU32(bytes, at + 1)[1];
    default:
      fail(`an import of unknown kind ${kind} in ${wasmPath}`);
  }
}

// Every place `word` is written in the script as a whole identifier, with
// the character before each.
function uses(text, word) {
  const found = [];
  const literal = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?<![\\w$])${literal}(?![\\w$])`, "g");
  for (const match of text.matchAll(pattern)) {
    found.push({ index: match.index, before: text[match.index - 1] });
  }
  return found;
}
// Writes `replacement` over each of `found` (uses of one word) in `text`.
function replaceUses(text, found, length, replacement) {
  let out = "";
  let last = 0;
  for (const { index } of found) {
    out += text.slice(last, index) + replacement;
    last = index + length;
  }
  return out + text.slice(last);
}

if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a wasm module`);
const sections = [wasm.subarray(0, 8)];
let imports = 0;
let exports = 0;
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = readU32(wasm, at + 1);
  const end = start + size;
  if (end > wasm.length) fail(`${wasmPath} ends inside section ${id}`);
  const body = wasm.subarray(start, end);
  let rewritten = null;
  if (id === 2) {
    const [count, first] = readU32(body, 0);
    const parts = [u32(count)];
    let p = first;
    for (let i = 0; i < count; i++) {
      const [module, afterModule] = readName(body, p);
      const [field, afterField] = readName(body, afterModule);
      const afterDescription = skipImportDescription(body, afterField);
      const short = shortName(imports++);
      const found = uses(glue, field);
      if (found.length !== 1) {
        fail(`the import ${field} is written ${found.length} times in ${gluePath}, not once`);
      }
      glue = replaceUses(glue, found, field.length, short);
      parts.push(name(module), name(short), body.subarray(afterField, afterDescription));
      p = afterDescription;
    }
    if (p !== body.length) fail(`the import section of ${wasmPath} has trailing bytes`);
    rewritten = Buffer.concat(parts);
  } else if (id === 7) {
    const [count, first] = readU32(body, 0);
    const entries = [];
    let p = first;
    for (let i = 0; i < count; i++) {
      const [field, afterField] = readName(body, p);
      p = readU32(body, afterField + 1)[1];
      entries.push({ field, description: body.subarray(afterField, p) });
    }
    if (p !== body.length) fail(`the export section of ${wasmPath} has trailing bytes`);
    const taken = new Set(entries.map(({ field }) => field));
    const parts = [u32(count)];
    for (const { field, description } of entries) {
      let exported = field;
      // Read as `wasm.<name>` (the glue's name for the instance's exports,
      // before terser) and never as another object's property; a function
      // of the glue may have the same name, and keeps it.
      const read = uses(glue, field).filter(({ before }) => before === ".");
      const byWasm = read.filter(({ index }) => glue.slice(index - 5, index) === "wasm.");
      if (field.length >= 20 && byWasm.length > 0 && byWasm.length === read.length) {
        do exported = `_${shortName(exports++)}`;
        while (taken.has(exported));
        taken.add(exported);
        glue = replaceUses(glue, byWasm, field.length, exported);
      }
      parts.push(name(exported), description);
    }
    rewritten = Buffer.concat(parts);
  }
  sections.push(rewritten ? Buffer.concat([Buffer.from([id]), u32(rewritten.length), rewritten]) : wasm.subarray(at, end));
  at = end;
}
if (imports === 0) fail(`${wasmPath} imports nothing: not wasm-bindgen's output`);
const rewrittenWasm = Buffer.concat(sections);
try {
  // Compiles (validates) it: a misread section fails here, not in a browser.
  new WebAssembly.Module(rewrittenWasm);
} catch (error) {
  fail(`the rewritten ${wasmPath} is not valid: ${error.message}`);
}
writeFileSync(wasmPath, rewrittenWasm);
writeFileSync(gluePath, glue);
console.log(`short-names.mjs: ${imports} imports and ${exports} exports renamed`);
