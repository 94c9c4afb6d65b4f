// Trunk's post-build hook (Trunk.toml): the steps that rewrite the built pages, one after the
// other, since both edit the same files.
await import('./minify.mjs');
await import('./csp-hash.mjs');
