// Starts the real parts the Worker talks to: Postgres (embedded, with our migrations) and the fake
// platform APIs, and hands their URLs to vitest-plugin's Miniflare options and to the tests.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import { applyMigrations, scratchDir, startLocalPostgres } from '../../scripts/lib/local-postgres.mjs';
import { startFakePlatforms } from '../fakes/platform-server.mjs';
import { startFakeCloudflareApi } from '../fakes/cloudflare-api.mjs';
import { startFakeLoops } from '../fakes/loops-server.mjs';
import { startFakeTelegram } from '../fakes/telegram-server.mjs';

import { startFakeGoogle } from '../fakes/google.mjs';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export default async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, '../..');
  // (a folder Postgres can reach even when it runs as the `postgres` user and TMPDIR is private)
  const scratch = scratchDir('influtics-test-pg-');
  const pg = await startLocalPostgres({ dataDir: path.join(scratch, 'data'), port: await freePort(), database: 'influtics_test', fresh: true });
  await applyMigrations(pg.url, path.join(root, 'supabase/migrations'));
  const fake = await startFakePlatforms({ port: 0 });
  // Node-side servers must start here: tests run inside workerd and cannot listen.
  const cloudflareApi = await startFakeCloudflareApi({ port: 0 });
  const loops = await startFakeLoops({ port: 0 });
  const telegram = await startFakeTelegram({ port: 0 });

  const googleFake = await startFakeGoogle({ port: 0 });

  project.provide('databaseUrl', pg.url);
  project.provide('platformApiUrl', fake.url);
  project.provide('cloudflareApiUrl', cloudflareApi.url);
  project.provide('loopsApiUrl', loops.url);
  project.provide('telegramApiUrl', telegram.url);

  project.provide('googleApiUrl', googleFake.url);

  return async () => {
    await fake.close();
    await cloudflareApi.close();
    await loops.close();
    await telegram.close();

    await googleFake.close();
    await pg.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    platformApiUrl: string;
    cloudflareApiUrl: string;
    loopsApiUrl: string;
    telegramApiUrl: string;

    googleApiUrl: string;
  }
}
