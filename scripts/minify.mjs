// Trunk post-build step (scripts/post-build.mjs), release builds only: minifies the built
// site's JavaScript and CSS with esbuild (Trunk's own minifier cannot parse wasm-bindgen's
// output). Returns the names of the files it rewrote.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transform } from 'esbuild';

export async function minify(dir) {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.js') || n.endsWith('.css'));
  for (const name of names) {
    const file = join(dir, name);
    const source = await readFile(file, 'utf8');
    // The service worker is a classic script; the other scripts are modules.
    const options = name.endsWith('.css')
      ? { loader: 'css' }
      : { format: name === 'sw.js' ? 'iife' : 'esm', target: 'es2020' };
    const { code } = await transform(source, { minify: true, ...options });
    await writeFile(file, code);
  }
  return names;
}
