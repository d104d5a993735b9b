// The layering lint (.dependency-cruiser.cjs, `npm run lint`) passes on a tree whose imports point
// down and fails, naming the rule, on each kind of upward import. It runs the real cruiser CLI on a
// scratch tree, so a rule that stopped matching (a typo in a path pattern) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const config = join(root, '.dependency-cruiser.cjs');
const cli = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** A tree with one module per layer, each importing only what lies below it. */
const CLEAN = {
  'src/domain/roles.ts': `export const role = 'owner';\n`,
  'src/db/members.ts': `import { role } from '../domain/roles';\nexport const members = [role];\n`,
  'src/platforms/tiktok.ts': `import { role } from '../domain/roles';\nexport const tiktok = role;\n`,
  'src/steps/track.ts': `import { members } from '../db/members';\nimport { tiktok } from '../platforms/tiktok';\nexport const track = [members, tiktok];\n`,
  'src/queues/consumer.ts': `import { track } from '../steps/track';\nexport const consume = track;\n`,
  'src/workflows/fetch.ts': `import { track } from '../steps/track';\nexport const run = track;\n`,
  'src/http/app.ts': `import { run } from '../workflows/fetch';\nimport { consume } from '../queues/consumer';\nexport const app = [run, consume];\n`,
  'src/index.ts': `import { app } from './http/app';\nexport default app;\n`,
};

/** One upward import per rule: the file to add and the rule that must refuse it. */
const UPWARD = [
  ['domain-is-pure', 'src/domain/bad.ts', `import { members } from '../db/members';\nexport const bad = members;\n`],
  ['db-stays-below', 'src/db/bad.ts', `import type { track } from '../steps/track';\nexport type Bad = typeof track;\n`],
  ['steps-below-workflows-and-queues', 'src/steps/bad.ts', `import { consume } from '../queues/consumer';\nexport const bad = consume;\n`],
  ['platforms-below-steps', 'src/platforms/bad.ts', `import { members } from '../db/members';\nexport const bad = members;\n`],
  ['http-is-the-top', 'src/queues/bad.ts', `import { app } from '../http/app';\nexport const bad = app;\n`],
  ['entry-is-imported-by-nobody', 'src/http/bad.ts', `import app from '../index';\nexport const bad = app;\n`],
];

function cruise(files) {
  const dir = mkdtempSync(join(tmpdir(), 'layering-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const run = spawnSync(process.execPath, [cli, 'src', '--config', config, '--output-type', 'err'], { cwd: dir, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('imports that point down pass the layering lint', () => {
  const { status, output } = cruise(CLEAN);
  assert.equal(status, 0, output);
  assert.match(output, /no dependency violations found \(8 modules/);
});

test('every kind of upward import fails the layering lint, naming its rule and file', () => {
  const { status, output } = cruise({ ...CLEAN, ...Object.fromEntries(UPWARD.map(([, path, text]) => [path, text])) });
  assert.notEqual(status, 0, output);
  for (const [rule, path] of UPWARD) assert.match(output, new RegExp(`error ${rule}: ${path.replace(/\./g, '\\.')} →`), `${rule} did not refuse ${path}:\n${output}`);
  assert.match(output, new RegExp(`${UPWARD.length} dependency violations \\(${UPWARD.length} errors`), output);
});
