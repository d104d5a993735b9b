// `npm run dev` as a new user runs it: from a checkout inside a private (0700) folder whose path has
// spaces — root's home and `mktemp -d` folders are 0700, and CI runs as root, where Postgres runs as
// the `postgres` user, which cannot enter such a folder. Also: every start-up failure is one line
// naming what failed and what to do (port taken, migration failing, wrangler missing), no stack.
// Node-side (node:test): it starts real processes, which tests inside workerd cannot.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyCheckout, freePort } from './checkout.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;


/** Holds a port the way another checkout's `npm run dev` would. */
async function occupiedPort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { port: /** @type {net.AddressInfo} */ (srv.address()).port, close: () => new Promise((r) => srv.close(r)) };
}


/** Runs `node scripts/dev.mjs` of `checkout` from another folder; collects its output. */
function startDev(checkout, env) {
  const child = spawn(process.execPath, [path.join(checkout, 'scripts', 'dev.mjs')], {
    cwd: os.tmpdir(),
    env: { ...process.env, ...env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

async function portEnv() {
  return {
    INFLUTICS_PG_PORT: String(await freePort()),
    INFLUTICS_PORT: String(await freePort()),
    INFLUTICS_FAKE_PORT: String(await freePort()),
    INFLUTICS_INSPECTOR_PORT: String(await freePort()),
    INFLUTICS_LOOPS_PORT: String(await freePort()),
    INFLUTICS_TELEGRAM_PORT: String(await freePort()),
    INFLUTICS_GOOGLE_PORT: String(await freePort()),
  };
}

/** stderr is exactly one `[dev] error:` line, with no stack trace. */
function assertOneLine(stderr, pattern) {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0], /^\[dev\] error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('npm run dev from a private folder', { timeout: 240_000 }, () => {
  let privateDir;
  let checkout;
  let dataDir;

  before(() => {
    privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'influtics startup '));
    fs.chmodSync(privateDir, 0o700);
    checkout = path.join(privateDir, 'my checkout');
    copyCheckout(checkout);
  });

  after(() => {
    fs.rmSync(privateDir, { recursive: true, force: true });
    if (dataDir) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it(`starts Postgres, migrates, seeds and serves /health and the API (${isRoot ? 'as root: Postgres runs as the postgres user' : 'as an ordinary user'})`, async () => {
    const env = await portEnv();
    const dev = startDev(checkout, env);
    try {
      const base = `http://127.0.0.1:${env.INFLUTICS_PORT}`;
      const deadline = Date.now() + 150_000;
      let health;
      for (;;) {
        const code = await Promise.race([dev.exited, new Promise((r) => setTimeout(() => r(undefined), 300))]);
        assert.equal(code, undefined, `npm run dev exited with ${code}:\n${dev.out.stdout.slice(-2000)}\n${dev.out.stderr}`);
        health = await fetch(`${base}/health`).then((r) => (r.ok ? r.json() : null), () => null);
        if (health) break;
        assert.ok(Date.now() < deadline, `no /health within the deadline:\n${dev.out.stdout.slice(-2000)}\n${dev.out.stderr}`);
      }
      assert.deepEqual(health, { status: 'ok', database: 'ok' });
      dataDir = /\[dev\] data\s+(.+?)\s+\(npm run dev -- --reset/.exec(dev.out.stdout)?.[1];
      assert.ok(dataDir, dev.out.stdout);
      // as root the data must live where the postgres user can reach it, i.e. not in the private folder
      if (isRoot) assert.ok(!dataDir.startsWith(privateDir), dataDir);
      else assert.equal(dataDir, path.join(checkout, '.dev', 'postgres'));
      // the printed token is the seeded demo user's: the seed ran and the API answers with it
      const token = /\[dev\] token\s+(\S+)/.exec(dev.out.stdout)?.[1];
      const limits = await fetch(`${base}/limits`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(limits.status, 200);
      assert.equal((await limits.json()).organization_id, '00000000-0000-4000-8000-0000000000a1'); // the seeded demo organization
    } finally {
      dev.child.kill('SIGTERM');
    }
    assert.equal(await dev.exited, 0);
    assert.equal(fs.existsSync(path.join(dataDir, 'pgdata', 'postmaster.pid')), false, 'Postgres was stopped');
  });

  it('a failing migration ends start-up with one line naming the file, and Postgres stops', async () => {
    fs.writeFileSync(path.join(checkout, 'supabase/migrations/29991231000000_broken.sql'), 'select * from no_such_table;\n');
    try {
      const dev = startDev(checkout, await portEnv());
      assert.equal(await dev.exited, 1);
      assertOneLine(dev.out.stderr, /migration 29991231000000_broken\.sql failed \(relation "no_such_table" does not exist\)/);
      assert.equal(fs.existsSync(path.join(dataDir, 'pgdata', 'postmaster.pid')), false, 'Postgres was stopped');
    } finally {
      fs.rmSync(path.join(checkout, 'supabase/migrations/29991231000000_broken.sql'));
    }
  });

  it('a checkout without wrangler (npm install not run) says so in one line', async () => {
    fs.rmSync(path.join(checkout, 'node_modules', '.bin'));
    const dev = startDev(checkout, await portEnv());
    assert.equal(await dev.exited, 1);
    assertOneLine(dev.out.stderr, /wrangler is not installed: run npm install/);
  });
});

describe('npm run dev beside another checkout (ports taken)', { timeout: 60_000 }, () => {
  for (const variable of ['INFLUTICS_PG_PORT', 'INFLUTICS_PORT', 'INFLUTICS_FAKE_PORT']) {
    it(`names ${variable} when its port is taken`, async () => {
      const taken = await occupiedPort();
      try {
        const dev = startDev(repo, { ...(await portEnv()), [variable]: String(taken.port) });
        assert.equal(await dev.exited, 1);
        assertOneLine(dev.out.stderr, new RegExp(`port ${taken.port} is already in use.*: set ${variable} to a free port`));
      } finally {
        await taken.close();
      }
    });
  }

  it('rejects a port variable that is not a port, in one line', async () => {
    const dev = startDev(repo, { ...(await portEnv()), INFLUTICS_PG_PORT: 'fivefour' });
    assert.equal(await dev.exited, 1);
    assertOneLine(dev.out.stderr, /INFLUTICS_PG_PORT=fivefour is not a port: set INFLUTICS_PG_PORT to a number/);
  });
});
