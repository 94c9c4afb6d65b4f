// Trunk's post-build hook (Trunk.toml): the steps that rewrite the built pages, one after the
// other, since they edit the same files. Release builds get a smaller wasm and glue, minified
// scripts and styles (and the pages the new integrity hashes of those files); every build gets
// its Content-Security-Policy hashes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { updateIntegrity } from './integrity.mjs';
import { minify } from './minify.mjs';
import { shrinkWasm } from './shrink-wasm.mjs';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('post-build: TRUNK_STAGING_DIR is not set; run me as a Trunk hook');
  process.exit(1);
}
if (process.env.TRUNK_PROFILE === 'release') {
  // The same wasm-opt as Trunk's: the project's own (npm's binaryen) where installed.
  const local = join(process.env.TRUNK_SOURCE_DIR ?? process.cwd(), 'node_modules/.bin/wasm-opt');
  const wasmOpt = existsSync(local) ? local : 'wasm-opt';
  try {
    const changed = [...(await shrinkWasm(dir, wasmOpt)), ...(await minify(dir))];
    await updateIntegrity(dir, changed);
  } catch (e) {
    console.error(`post-build: ${e.message}`);
    process.exit(1);
  }
}
await import('./csp-hash.mjs');
