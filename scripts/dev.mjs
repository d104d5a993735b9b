// `npm run dev`: the whole system on this machine, offline.
//   embedded Postgres (migrations + demo seed) → fake platform APIs → wrangler dev (Worker,
//   Workflows, Queues, crons) with Hyperdrive and the platform base URLs pointed at them.
// Ctrl-C stops everything it started.
import fs from 'node:fs';
import path from 'node:path';
import { applyMigrations, runSqlFile, startLocalPostgres } from './lib/local-postgres.mjs';
import { spawnWranglerDev } from './lib/wrangler-dev.mjs';
import { startFakePlatforms } from '../test/fakes/platform-server.mjs';
import { startFakeLoops } from '../test/fakes/loops-server.mjs';
import { startFakeTelegram } from '../test/fakes/telegram-server.mjs';
import { devToken } from './dev-token.mjs';

const root = path.resolve(import.meta.dirname, '..');
const PG_PORT = Number(process.env.INFLUTICS_PG_PORT ?? 54329);
const FAKE_PORT = Number(process.env.INFLUTICS_FAKE_PORT ?? 8790);
const WORKER_PORT = Number(process.env.INFLUTICS_PORT ?? 8787);
const LOOPS_PORT = Number(process.env.INFLUTICS_LOOPS_PORT ?? 8791);
const TELEGRAM_PORT = Number(process.env.INFLUTICS_TELEGRAM_PORT ?? 8792);
const log = (m) => console.log(`[dev] ${m}`);

if (!fs.existsSync(path.join(root, '.dev.vars'))) {
  fs.copyFileSync(path.join(root, '.dev.vars.example'), path.join(root, '.dev.vars'));
  log('created .dev.vars from .dev.vars.example');
}

const pg = await startLocalPostgres({ dataDir: path.join(root, '.dev/postgres/data'), port: PG_PORT, database: 'influtics' });
const applied = await applyMigrations(pg.url, path.join(root, 'supabase/migrations'));
log(`postgres   ${pg.url}  (${applied.length} new migrations applied)`);
await runSqlFile(pg.url, path.join(root, 'supabase/seed.sql'));
log('demo seed  applied (organization "demo", user demo@influtics.local)');
const fake = await startFakePlatforms({ port: FAKE_PORT });
log(`platforms  ${fake.url}  (fake TikTok /tiktok, Instagram /instagram, YouTube /youtube/v3; control at /__control)`);

// The fake Loops accepts the key in .dev.vars.example (LOOPS_API_KEY); every template gets a local id.
const loops = await startFakeLoops({ port: LOOPS_PORT });
log(`loops      ${loops.url}  (fake Loops email; sent mail: GET ${loops.url}/__control/sent)`);
// The fake Telegram bot's token and webhook secret come from .dev.vars; "pressing Start" in the
// fake POSTs the update to our webhook (README: Telegram locally).
const devVars = fs.readFileSync(path.join(root, '.dev.vars'), 'utf8');
const devVar = (name) => new RegExp(`^${name}=(.*)$`, 'm').exec(devVars)?.[1]?.trim();
const telegram = await startFakeTelegram({ port: TELEGRAM_PORT, botToken: devVar('TELEGRAM_BOT_TOKEN') ?? undefined, botUsername: 'influtics_local_bot' });
await fetch(`${telegram.url}/__control/webhook`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ url: `http://127.0.0.1:${WORKER_PORT}/telegram/webhook`, secret_token: devVar('TELEGRAM_WEBHOOK_SECRET') }),
});
log(`telegram   ${telegram.url}  (fake Bot API @influtics_local_bot; press Start: POST ${telegram.url}/__control/press-start)`);

const wrangler = spawnWranglerDev({
  port: WORKER_PORT,
  persistTo: path.join(root, '.dev/wrangler'),
  databaseUrl: pg.url,
  platforms: fake,
  vars: {
    LOOPS_API_BASE_URL: loops.url,
    LOOPS_TRANSACTIONAL_IDS: JSON.stringify({ organization_invitation: 'local-organization-invitation' }),
    APP_BASE_URL: `http://127.0.0.1:${WORKER_PORT}`,
    TELEGRAM_API_BASE_URL: telegram.url,
    TELEGRAM_BOT_USERNAME: telegram.botUsername,
  },
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
  await loops.close().catch(() => {});
  await telegram.close().catch(() => {});
  await pg.stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
wrangler.on('exit', (code) => stop(code ?? 0));
