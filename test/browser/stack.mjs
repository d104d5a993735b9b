// A throwaway copy of the local stack for browser tests: embedded Postgres (fresh data dir, migrations
// + demo seed), the fake platform APIs and `wrangler dev` (Workflows, Queues, its own local explorer),
// each on a free port of its own, so it never collides with `npm run dev` or another test run.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SignJWT } from 'jose';
import { applyMigrations, runSqlFile, scratchDir, startLocalPostgres } from '../../scripts/lib/local-postgres.mjs';
import { spawnWranglerDev } from '../../scripts/lib/wrangler-dev.mjs';
import { startFakePlatforms } from '../fakes/platform-server.mjs';

const root = path.resolve(import.meta.dirname, '../..');

export const BROWSER_SECRETS = {
  SUPABASE_JWT_SECRET: 'browser-test-jwt-secret-at-least-32-characters',
  OPS_TOKEN: 'browser-test-ops-token',
  RAPIDAPI_KEY: 'browser-test-rapidapi-key',
  YOUTUBE_API_KEY: 'browser-test-youtube-key',
};
export const DEMO_USER_ID = '00000000-0000-4000-8000-000000000001';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** An access token of the seeded demo user, signed like Supabase's. */
export function demoToken() {
  return new SignJWT({ email: 'demo@influtics.local', role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(DEMO_USER_ID)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(BROWSER_SECRETS.SUPABASE_JWT_SECRET));
}

export async function startStack({ log = () => {} } = {}) {
  // Postgres runs as the `postgres` user when we are root: it must be able to enter this directory.
  const tmp = scratchDir('influtics-browser-');
  const cleanups = [];
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const pg = await startLocalPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'influtics_browser', fresh: true });
    cleanups.push(() => pg.stop());
    await applyMigrations(pg.url, path.join(root, 'supabase/migrations'));
    await runSqlFile(pg.url, path.join(root, 'supabase/seed.sql'));
    const platforms = await startFakePlatforms({ port: 0 });
    cleanups.push(() => platforms.close());

    const port = await freePort();
    const envFile = path.join(tmp, 'worker.env');
    fs.writeFileSync(envFile, Object.entries(BROWSER_SECRETS).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    // The secrets come from this env file only: it also keeps a developer's .dev.vars out of the test.
    const wrangler = spawnWranglerDev({
      port,
      persistTo: path.join(tmp, 'wrangler'),
      databaseUrl: pg.url,
      platforms,
      args: ['--inspector-port', String(await freePort()), '--env-file', envFile, '--show-interactive-dev-session=false', '--log-level', 'warn'],
      env: { CI: 'true' },
      spawnOptions: { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    });
    let output = '';
    wrangler.stdout.on('data', (d) => { output += d; log(String(d)); });
    wrangler.stderr.on('data', (d) => { output += d; log(String(d)); });
    const exited = new Promise((resolve) => wrangler.on('exit', resolve));
    cleanups.push(async () => {
      try {
        process.kill(-wrangler.pid, 'SIGINT');
      } catch {
        return;
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      try {
        process.kill(-wrangler.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    });

    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited with ${wrangler.exitCode}:\n${output.slice(-3000)}`);
      const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`wrangler dev did not become healthy:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    return { url, platforms, databaseUrl: pg.url, stop, output: () => output };
  } catch (err) {
    await stop();
    throw err;
  }
}
