// Trunk post-build step (scripts/post-build.mjs), release builds only: makes each built
// WebAssembly module, and the JavaScript glue beside it, smaller to download.
//
// - wasm-bindgen names each function the wasm imports from its JavaScript after the Rust item
//   and a 16-digit hash (`__wbg_navigator_c17f443a6fe5d38d`), and both files carry every name:
//   some 8 KB that gzip cannot shrink much, since the hashes are random. Here they become short
//   names (`a`, `b`, ... `ba`, ...), and the module they are imported from becomes `w`.
// - Leptos depends on server_fn, which depends on wasm-streams, whose three stream adapter
//   classes (`IntoUnderlyingSource`, `IntoUnderlyingSink`, `IntoUnderlyingByteSource`) are
//   exported from every build although nothing here uses them. They are dropped from the
//   JavaScript and their exports from the wasm, and wasm-opt then removes the code that only
//   they reached.
// - The functions are put in an order where similar ones sit next to each other: gzip finds
//   repeats only within its last 32 KB, and a Rust build has many near-copies of one function
//   (one per type a generic is used with) that the compiler scatters. See `similarityOrder`.
//
// Every rename and removal is checked against the file it edits: if wasm-bindgen's output ever
// looks different from what this expects, the build fails with the reason rather than shipping
// a page that cannot start.
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** WebAssembly features the app is compiled with (Rust's defaults for wasm32), for wasm-opt. */
const WASM_FEATURES = [
  '--enable-bulk-memory',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-mutable-globals',
  '--enable-reference-types',
  '--enable-multivalue',
];

/** The wasm-streams classes, as wasm-bindgen names them in the glue. */
const STREAM_CLASSES = ['IntoUnderlyingByteSource', 'IntoUnderlyingSink', 'IntoUnderlyingSource'];

class ShrinkError extends Error {}

/**
 * Shrinks every `<name>_bg.wasm` in `dir` that has its glue, `<name>.js`, beside it, and the
 * glue. Returns the names of the files it rewrote.
 */
export async function shrinkWasm(dir, wasmOpt) {
  const names = await readdir(dir);
  const changed = [];
  for (const wasmName of names.filter((n) => n.endsWith('_bg.wasm'))) {
    const jsName = wasmName.replace(/_bg\.wasm$/, '.js');
    if (!names.includes(jsName)) continue;
    try {
      const wasmFile = join(dir, wasmName);
      const jsFile = join(dir, jsName);
      let wasm = new Uint8Array(await readFile(wasmFile));
      let js = await readFile(jsFile, 'utf8');
      const renamed = shortenImports(wasm, js);
      const dropped = dropStreamClasses(renamed.wasm, renamed.js);
      js = dropped.js;
      wasm = dropped.wasm;
      await writeFile(jsFile, js);
      // wasm-opt removes what only the dropped exports reached (if any), then puts the
      // functions in the order of the names given to them here, and drops the names.
      const edited = `${wasmFile}.edited`;
      await writeFile(edited, nameInSimilarityOrder(wasm));
      const passes = [...(dropped.any ? ['-Oz'] : []), '--reorder-functions-by-name'];
      execFileSync(
        wasmOpt,
        [...passes, '--strip-debug', '--strip-producers', ...WASM_FEATURES, edited, '-o', wasmFile],
        { stdio: 'inherit' },
      );
      await rm(edited);
      changed.push(wasmName, jsName);
    } catch (e) {
      if (e instanceof ShrinkError) throw new ShrinkError(`${wasmName}: ${e.message}`);
      throw e;
    }
  }
  return changed;
}

/** Short JavaScript identifiers: a ... z, A ... Z, ba, bb, ... */
function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  do {
    name = letters[index % letters.length] + name;
    index = Math.floor(index / letters.length);
  } while (index > 0);
  return name;
}

function shortenImports(wasm, js) {
  const sections = readSections(wasm);
  const importSection = sections.find((s) => s.id === 2);
  if (!importSection) return { wasm, js };
  const imports = readImports(importSection.body);

  // wasm-bindgen's glue builds the import object as
  //     const import0 = { __proto__: null, <name>: function(...) {...}, ... };
  //     return { __proto__: null, "<module>": import0, };
  // one object per module.
  const modules = [...new Set(imports.map((i) => i.module))];
  const moduleNames = new Map();
  for (const [index, module] of modules.entries()) {
    const entry = new RegExp(`^(\\s+)${quoteRegExp(JSON.stringify(module))}: (import\\d+),$`, 'm');
    const found = js.match(entry);
    if (!found) throw new ShrinkError(`the glue does not name the import module ${module}`);
    const short = index === 0 ? 'w' : `w${index}`;
    moduleNames.set(module, { short, object: found[2] });
    js = js.replace(entry, `$1${short}: $2,`);
  }

  const renamed = imports.map((item, index) => ({ ...item, field: shortName(index), old: item.field }));
  for (const [module, { object }] of moduleNames) {
    const start = js.indexOf(`const ${object} = {\n`);
    const end = js.indexOf('\n    };\n', start);
    if (start < 0 || end < 0) throw new ShrinkError(`the glue has no import object ${object}`);
    let block = js.slice(start, end);
    for (const item of renamed.filter((i) => i.module === module)) {
      const key = new RegExp(`^        ${quoteRegExp(item.old)}: `, 'gm');
      const count = block.match(key)?.length ?? 0;
      if (count !== 1) {
        throw new ShrinkError(`the import ${item.old} is defined ${count} times in the glue, not once`);
      }
      block = block.replace(key, `        ${item.field}: `);
    }
    js = js.slice(0, start) + block + js.slice(end);
  }

  importSection.body = writeImports(
    renamed.map((i) => ({ ...i, module: moduleNames.get(i.module).short })),
  );
  return { wasm: writeSections(wasm, sections), js };
}

function dropStreamClasses(wasm, js) {
  let found = 0;
  for (const name of STREAM_CLASSES) {
    const patterns = [
      new RegExp(
        `^export class ${name} \\{\\n[\\s\\S]*?^\\}\\n` +
          `if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[Symbol\\.dispose\\] = ${name}\\.prototype\\.free;\\n`,
        'm',
      ),
      new RegExp(
        `^const ${name}Finalization = \\(typeof FinalizationRegistry === 'undefined'\\)\\n.*\\n.*;\\n`,
        'm',
      ),
    ];
    for (const pattern of patterns) {
      if (pattern.test(js)) {
        js = js.replace(pattern, '');
        found += 1;
      }
    }
  }
  if (found === 0) return { wasm, js, any: false };
  if (found !== STREAM_CLASSES.length * 2) {
    throw new ShrinkError('the glue has only some of the wasm-streams classes; left as it was');
  }
  // Only the byte source's `type` getter used this enum.
  js = js.replace(/^const __wbindgen_enum_ReadableStreamType = \[[^\]]*\];\n/m, '');
  if (/intounderlying|ReadableStreamType/i.test(js)) {
    throw new ShrinkError('the glue still uses the wasm-streams classes after dropping them');
  }

  const sections = readSections(wasm);
  const exportSection = sections.find((s) => s.id === 7);
  const exports = readExports(exportSection.body);
  const kept = exports.filter((e) => !/^(__wbg_)?intounderlying(bytesource|sink|source)_/.test(e.name));
  if (kept.length === exports.length) {
    throw new ShrinkError('the wasm exports none of the wasm-streams classes the glue had');
  }
  exportSection.body = writeExports(kept);
  return { wasm: writeSections(wasm, sections), js, any: true };
}

/**
 * Gives every function defined in `wasm` a name that sorts in the order `similarityOrder`
 * chooses, in a new name section (replacing any other), for wasm-opt's
 * `--reorder-functions-by-name`.
 */
function nameInSimilarityOrder(wasm) {
  const sections = readSections(wasm).filter((s) => !(s.id === 0 && customName(s.body) === 'name'));
  const imports = sections.find((s) => s.id === 2);
  const importedFunctions = imports ? readImports(imports.body).filter((i) => i.descriptor[0] === 0).length : 0;
  const code = sections.find((s) => s.id === 10);
  if (!code) throw new ShrinkError('the wasm has no code section');
  const bodies = readFunctionBodies(code.body);
  const rank = new Array(bodies.length);
  similarityOrder(bodies).forEach((f, r) => {
    rank[f] = r;
  });
  const width = String(bodies.length).length;
  const names = [...writeU32(bodies.length)];
  bodies.forEach((_, f) => names.push(...writeU32(importedFunctions + f), ...writeName(String(rank[f]).padStart(width, '0'))));
  const payload = [...writeName('name'), 1, ...writeU32(names.length), ...names];
  sections.push({ id: 0, body: Uint8Array.from(payload) });
  return writeSections(wasm, sections);
}

/**
 * An order of the function bodies in which each is followed by the one most like the last
 * three placed (weighted 3, 2, 1 from the latest), among those not yet placed: a greedy chain
 * from the largest. "Like" is estimated with MinHash: the share of the two bodies' 6-byte
 * sequences they have in common, from 512 hashes. Fixed seeds, so the same wasm always gives
 * the same order.
 */
function similarityOrder(bodies) {
  const K = 512;
  const WINDOW = 3;
  const GRAM = 6;
  const n = bodies.length;
  const seeds = new Uint32Array(K);
  let state = 0x9e3779b9;
  for (let k = 0; k < K; k++) {
    state = mix32(state + 0x6d2b79f5);
    seeds[k] = state;
  }
  const signatures = new Uint32Array(n * K);
  for (let f = 0; f < n; f++) {
    const body = bodies[f];
    const grams = new Set();
    // Every 6-byte sequence, by its FNV-1a hash; a shorter body is one sequence.
    for (let i = 0; i <= Math.max(0, body.length - GRAM); i++) {
      let h = 0x811c9dc5;
      for (let j = i; j < Math.min(i + GRAM, body.length); j++) h = Math.imul(h ^ body[j], 0x01000193);
      grams.add(h >>> 0);
    }
    const signature = signatures.subarray(f * K, (f + 1) * K);
    signature.fill(0xffffffff);
    for (const gram of grams) {
      for (let k = 0; k < K; k++) {
        const h = mix32(gram ^ seeds[k]);
        if (h < signature[k]) signature[k] = h;
      }
    }
  }
  const placed = new Uint8Array(n);
  let current = 0;
  for (let f = 1; f < n; f++) if (bodies[f].length > bodies[current].length) current = f;
  const order = [current];
  placed[current] = 1;
  // shared[w][f]: hashes body f has in common with the body placed w steps ago; a step
  // computes them for the latest body only and shifts the others along.
  const shared = Array.from({ length: WINDOW }, () => new Uint16Array(n));
  for (let step = 1; step < n; step++) {
    const latest = shared.pop();
    shared.unshift(latest);
    const base = current * K;
    for (let f = 0; f < n; f++) {
      if (placed[f]) continue;
      const other = f * K;
      let count = 0;
      for (let k = 0; k < K; k++) if (signatures[base + k] === signatures[other + k]) count++;
      latest[f] = count;
    }
    let best = -1;
    let bestScore = -1;
    for (let f = 0; f < n; f++) {
      if (placed[f]) continue;
      let score = 0;
      for (let w = 0; w < WINDOW && w < step; w++) score += (WINDOW - w) * shared[w][f];
      if (score > bestScore) {
        bestScore = score;
        best = f;
      }
    }
    order.push(best);
    placed[best] = 1;
    current = best;
  }
  return order;
}

/** A 32-bit integer hash (the finaliser of MurmurHash3). */
function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function quoteRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// --- The WebAssembly binary format, as much of it as the import and export sections need ---

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new ShrinkError('the wasm ends inside a number');
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
    if (shift > 28) throw new ShrinkError('the wasm has a number longer than 32 bits');
  }
}

function writeU32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function readSections(wasm) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magic.every((b, i) => wasm[i] === b)) throw new ShrinkError('not a WebAssembly 1.0 module');
  const sections = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, bodyAt] = readU32(wasm, at + 1);
    if (bodyAt + size > wasm.length) throw new ShrinkError('a wasm section runs past the end');
    sections.push({ id, body: wasm.subarray(bodyAt, bodyAt + size) });
    at = bodyAt + size;
  }
  return sections;
}

function writeSections(wasm, sections) {
  const parts = [wasm.subarray(0, 8)];
  for (const { id, body } of sections) parts.push(Uint8Array.from([id, ...writeU32(body.length)]), body);
  return Buffer.concat(parts);
}

function customName(body) {
  return readName(body, 0)[0];
}

function readFunctionBodies(body) {
  let [count, at] = readU32(body, 0);
  const bodies = [];
  while (count-- > 0) {
    let size;
    [size, at] = readU32(body, at);
    if (at + size > body.length) throw new ShrinkError('a function body runs past the code section');
    bodies.push(body.subarray(at, at + size));
    at += size;
  }
  if (at !== body.length) throw new ShrinkError('the code section has bytes after its functions');
  return bodies;
}

function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [Buffer.from(bytes.subarray(start, start + length)).toString('utf8'), start + length];
}

function writeName(name) {
  const bytes = Buffer.from(name, 'utf8');
  return [...writeU32(bytes.length), ...bytes];
}

/** Skips a table's or memory's limits: a flag byte, the minimum, and the maximum if flagged. */
function skipLimits(bytes, at) {
  const flags = bytes[at];
  if (flags > 3) throw new ShrinkError(`unknown limits flags ${flags}`);
  [, at] = readU32(bytes, at + 1);
  if (flags & 1) [, at] = readU32(bytes, at);
  return at;
}

function readImports(body) {
  let [count, at] = readU32(body, 0);
  const imports = [];
  while (count-- > 0) {
    let module;
    let field;
    [module, at] = readName(body, at);
    [field, at] = readName(body, at);
    const start = at;
    const kind = body[at++];
    if (kind === 0) [, at] = readU32(body, at); // function: type index
    else if (kind === 1) at = skipLimits(body, at + 1); // table: element type, limits
    else if (kind === 2) at = skipLimits(body, at); // memory: limits
    else if (kind === 3) at += 2; // global: value type, mutability
    else if (kind === 4) [, at] = readU32(body, at + 1); // tag: attribute, type index
    else throw new ShrinkError(`unknown import kind ${kind}`);
    imports.push({ module, field, descriptor: body.subarray(start, at) });
  }
  if (at !== body.length) throw new ShrinkError('the import section has bytes after its imports');
  return imports;
}

function writeImports(imports) {
  const out = [...writeU32(imports.length)];
  for (const i of imports) out.push(...writeName(i.module), ...writeName(i.field), ...i.descriptor);
  return Uint8Array.from(out);
}

function readExports(body) {
  let [count, at] = readU32(body, 0);
  const exports = [];
  while (count-- > 0) {
    let name;
    [name, at] = readName(body, at);
    const start = at;
    [, at] = readU32(body, at + 1); // kind, index
    exports.push({ name, descriptor: body.subarray(start, at) });
  }
  if (at !== body.length) throw new ShrinkError('the export section has bytes after its exports');
  return exports;
}

function writeExports(exports) {
  const out = [...writeU32(exports.length)];
  for (const e of exports) out.push(...writeName(e.name), ...e.descriptor);
  return Uint8Array.from(out);
}

export { ShrinkError };
