// Trunk post-build step (scripts/post-build.mjs): after earlier steps rewrote files, puts each
// file's new Subresource Integrity hash into the page tags that name it, so that browsers
// accept the rewritten file.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function updateIntegrity(dir, changed) {
  const integrity = new Map();
  for (const name of new Set(changed)) {
    const digest = createHash('sha384').update(await readFile(join(dir, name))).digest('base64');
    integrity.set(name, `sha384-${digest}`);
  }
  const pages = (await readdir(dir)).filter((n) => n.endsWith('.html'));
  for (const page of pages) {
    const file = join(dir, page);
    const html = await readFile(file, 'utf8');
    const updated = html.replace(/<(link|script)\b[^>]*>/g, (tag) => {
      const named = [...integrity.keys()].find((name) => tag.includes(`/${name}"`));
      return named ? tag.replace(/integrity="sha384-[^"]*"/, `integrity="${integrity.get(named)}"`) : tag;
    });
    await writeFile(file, updated);
  }
}
