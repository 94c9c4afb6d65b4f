// Trunk post-build step (scripts/post-build.mjs), release builds only: minifies the built
// site's JavaScript and CSS with esbuild (Trunk's own minifier cannot parse wasm-bindgen's
// output) and puts the new Subresource Integrity hash of each file into the page tags that
// name it.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transform } from 'esbuild';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('minify: TRUNK_STAGING_DIR is not set; run me as a Trunk hook');
  process.exit(1);
}
const names = process.env.TRUNK_PROFILE === 'release' ? await readdir(dir) : [];
const integrity = new Map();
for (const name of names.filter((n) => n.endsWith('.js') || n.endsWith('.css'))) {
  const file = join(dir, name);
  const source = await readFile(file, 'utf8');
  // The service worker is a classic script; the other scripts are modules.
  const options = name.endsWith('.css')
    ? { loader: 'css' }
    : { format: name === 'sw.js' ? 'iife' : 'esm', target: 'es2020' };
  const { code } = await transform(source, { minify: true, ...options });
  await writeFile(file, code);
  integrity.set(name, `sha384-${createHash('sha384').update(code, 'utf8').digest('base64')}`);
}

for (const page of names.filter((n) => n.endsWith('.html'))) {
  const file = join(dir, page);
  let html = await readFile(file, 'utf8');
  html = html.replace(/<(link|script)\b[^>]*>/g, (tag) => {
    const named = [...integrity.keys()].find((name) => tag.includes(`/${name}"`));
    return named ? tag.replace(/integrity="sha384-[^"]*"/, `integrity="${integrity.get(named)}"`) : tag;
  });
  await writeFile(file, html);
}
