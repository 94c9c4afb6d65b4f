// Trunk post-build step (scripts/post-build.mjs): Trunk writes the script that starts the app inline in index.html,
// with file names that change every build. The Content-Security-Policy allows inline scripts
// only by hash, so this puts the hash of every inline script of each built page in place of
// the `'sha256-BOOT'` placeholder of that page's policy.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp-hash: TRUNK_STAGING_DIR is not set; run me as a Trunk hook');
  process.exit(1);
}
const pages = (await readdir(dir)).filter((name) => name.endsWith('.html'));
if (pages.length === 0) {
  console.error(`csp-hash: no page in ${dir}`);
  process.exit(1);
}
for (const page of pages) {
  const file = join(dir, page);
  const html = await readFile(file, 'utf8');
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
  );
  if (!html.includes("'sha256-BOOT'")) {
    console.error(`csp-hash: ${page} has no 'sha256-BOOT' placeholder in its policy`);
    process.exit(1);
  }
  await writeFile(file, html.replace("'sha256-BOOT'", hashes.join(' ')));
}
