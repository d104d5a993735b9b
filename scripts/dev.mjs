// `npm run dev`: the whole system on this machine, offline.
//   embedded Postgres (migrations + demo seed) → fake platform APIs → wrangler dev (Worker,
//   Workflows, Queues, crons) with Hyperdrive and the platform base URLs pointed at them.
// Ctrl-C stops everything it started.
import fs from 'node:fs';
import path from 'node:path';
import { applyMigrations, runSqlFile, startLocalPostgres } from './lib/local-postgres.mjs';
import { spawnWranglerDev } from './lib/wrangler-dev.mjs';
import { startFakePlatforms } from '../test/fakes/platform-server.mjs';
import { DEMO_SPREADSHEET_ID, startFakeGoogle } from '../test/fakes/google.mjs';
import { devToken } from './dev-token.mjs';

const root = path.resolve(import.meta.dirname, '..');
const PG_PORT = Number(process.env.INFLUTICS_PG_PORT ?? 54329);
const FAKE_PORT = Number(process.env.INFLUTICS_FAKE_PORT ?? 8790);
const WORKER_PORT = Number(process.env.INFLUTICS_PORT ?? 8787);
const GOOGLE_PORT = Number(process.env.INFLUTICS_GOOGLE_PORT ?? 8791);
const log = (m) => console.log(`[dev] ${m}`);

if (!fs.existsSync(path.join(root, '.dev.vars'))) {
  fs.copyFileSync(path.join(root, '.dev.vars.example'), path.join(root, '.dev.vars'));
  log('created .dev.vars from .dev.vars.example');
}
// secrets added to the example after a .dev.vars was made (e.g. GOOGLE_TOKEN_KEYS) are appended once
{
  const devVars = fs.readFileSync(path.join(root, '.dev.vars'), 'utf8');
  const missing = fs.readFileSync(path.join(root, '.dev.vars.example'), 'utf8').split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l) && !new RegExp(`^${l.split('=')[0]}=`, 'm').test(devVars));
  if (missing.length) {
    fs.appendFileSync(path.join(root, '.dev.vars'), `${devVars.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`);
    log(`added ${missing.map((l) => l.split('=')[0]).join(', ')} to .dev.vars from .dev.vars.example`);
  }
}

const pg = await startLocalPostgres({ dataDir: path.join(root, '.dev/postgres/data'), port: PG_PORT, database: 'influtics' });
const applied = await applyMigrations(pg.url, path.join(root, 'supabase/migrations'));
log(`postgres   ${pg.url}  (${applied.length} new migrations applied)`);
await runSqlFile(pg.url, path.join(root, 'supabase/seed.sql'));
log('demo seed  applied (organization "demo", user demo@influtics.local)');
const fake = await startFakePlatforms({ port: FAKE_PORT });
log(`platforms  ${fake.url}  (fake TikTok /tiktok, Instagram /instagram, YouTube /youtube/v3; control at /__control)`);
const google = await startFakeGoogle({ port: GOOGLE_PORT });
log(`google     ${google.url}  (fake OAuth + Sheets v4; demo spreadsheet ${DEMO_SPREADSHEET_ID}; control at /__control)`);

const wrangler = spawnWranglerDev({
  port: WORKER_PORT,
  persistTo: path.join(root, '.dev/wrangler'),
  databaseUrl: pg.url,
  platforms: fake,
  // Google OAuth and Sheets go to the fake Google (its client id/secret are fake too)
  vars: { ...google.vars, GOOGLE_REDIRECT_URI: `http://127.0.0.1:${WORKER_PORT}/integrations/google/callback` },
  args: ['--test-scheduled'],
  spawnOptions: { stdio: 'inherit' },
});
log(`worker     http://127.0.0.1:${WORKER_PORT}  (GET /health; crons: GET /__scheduled?cron=...)`);
log(`token      ${await devToken()}`);
log('           (or: npm run -s dev:token)');
const opsToken = /^OPS_TOKEN=(.*)$/m.exec(fs.readFileSync(path.join(root, '.dev.vars'), 'utf8'))?.[1]?.trim();
log(`ops page   http://127.0.0.1:${WORKER_PORT}/ops  (sign in with OPS_TOKEN from .dev.vars${opsToken ? `: ${opsToken}` : ', which is not set'})`);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  wrangler.kill('SIGINT');
  await fake.close().catch(() => {});
  await google.close().catch(() => {});
  await pg.stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
wrangler.on('exit', (code) => stop(code ?? 0));
