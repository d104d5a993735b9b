// `npm run dev`: the whole system on this machine, offline.
//   embedded Postgres (migrations + demo seed) → fake platform APIs → wrangler dev (Worker,
//   Workflows, Queues, crons) with Hyperdrive and the platform base URLs pointed at them.
// Ctrl-C stops everything it started. `npm run dev -- --reset` first deletes the local database and
// wrangler's local state (queues, workflow instances) of this checkout.
// Every start-up failure ends with one line saying what failed and what to do (README: Troubleshooting).
import fs from 'node:fs';
import path from 'node:path';
import { applyMigrations, devDataDir, portIsFree, runSqlFile, startLocalPostgres, StartupError } from './lib/local-postgres.mjs';
import { spawnWranglerDev, wranglerBin } from './lib/wrangler-dev.mjs';
import { startFakePlatforms } from '../test/fakes/platform-server.mjs';
import { startFakeLoops } from '../test/fakes/loops-server.mjs';
import { startFakeTelegram } from '../test/fakes/telegram-server.mjs';
import { DEMO_SPREADSHEET_ID, startFakeGoogle } from '../test/fakes/google.mjs';
import { devToken } from './dev-token.mjs';

const root = path.resolve(import.meta.dirname, '..');
const log = (m) => console.log(`[dev] ${m}`);
const started = [];
let stopping = false;

/** The ports and the variable that moves each (a second checkout side by side sets all three). */
function port(variable, fallback) {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new StartupError(`${variable}=${raw} is not a port`, `set ${variable} to a number between 1 and 65535`);
  return n;
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const fn of started.reverse()) await fn().catch(() => {});
  process.exit(code);
}

async function main() {
  const PG_PORT = port('INFLUTICS_PG_PORT', 54329);
  const FAKE_PORT = port('INFLUTICS_FAKE_PORT', 8790);
  const WORKER_PORT = port('INFLUTICS_PORT', 8787);
  const INSPECTOR_PORT = port('INFLUTICS_INSPECTOR_PORT', 9229);
  const LOOPS_PORT = port('INFLUTICS_LOOPS_PORT', 8791);
  const TELEGRAM_PORT = port('INFLUTICS_TELEGRAM_PORT', 8792);
  const GOOGLE_PORT = port('INFLUTICS_GOOGLE_PORT', 8793);
  for (const [variable, p, what] of [['INFLUTICS_PORT', WORKER_PORT, 'Worker'], ['INFLUTICS_FAKE_PORT', FAKE_PORT, 'fake platform API'], ['INFLUTICS_INSPECTOR_PORT', INSPECTOR_PORT, 'wrangler inspector'], ['INFLUTICS_LOOPS_PORT', LOOPS_PORT, 'fake Loops'], ['INFLUTICS_TELEGRAM_PORT', TELEGRAM_PORT, 'fake Telegram'], ['INFLUTICS_GOOGLE_PORT', GOOGLE_PORT, 'fake Google']]) {
    if (!(await portIsFree(p))) throw new StartupError(`the ${what} port ${p} is already in use (another checkout's npm run dev?)`, `set ${variable} to a free port, e.g. ${variable}=${p + 1}`);
  }
  if (!fs.existsSync(wranglerBin)) throw new StartupError('wrangler is not installed', 'run npm install in this checkout');

  const dataDir = devDataDir(root);
  const wranglerState = path.join(root, '.dev', 'wrangler');
  if (process.argv.includes('--reset')) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(wranglerState, { recursive: true, force: true });
    log(`reset      deleted ${dataDir} and ${wranglerState}`);
  }
  if (!fs.existsSync(path.join(root, '.dev.vars'))) {
    fs.copyFileSync(path.join(root, '.dev.vars.example'), path.join(root, '.dev.vars'));
    log('created .dev.vars from .dev.vars.example');
  }
  // secrets added to the example after a .dev.vars was made (e.g. GOOGLE_TOKEN_KEYS) are appended once
  {
    const current = fs.readFileSync(path.join(root, '.dev.vars'), 'utf8');
    const missing = fs.readFileSync(path.join(root, '.dev.vars.example'), 'utf8').split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l) && !new RegExp(`^${l.split('=')[0]}=`, 'm').test(current));
    if (missing.length) {
      fs.appendFileSync(path.join(root, '.dev.vars'), `${current.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`);
      log(`added ${missing.map((l) => l.split('=')[0]).join(', ')} to .dev.vars from .dev.vars.example`);
    }
  }

  const pg = await startLocalPostgres({ dataDir, port: PG_PORT, database: 'influtics', portVariable: 'INFLUTICS_PG_PORT' });
  started.push(() => pg.stop());
  const applied = await applyMigrations(pg.url, path.join(root, 'supabase/migrations'));
  log(`postgres   ${pg.url}  (${applied.length} new migrations applied)`);
  log(`data       ${dataDir}  (npm run dev -- --reset deletes it)`);
  await runSqlFile(pg.url, path.join(root, 'supabase/seed.sql'));
  log('demo seed  applied (organization "demo", user demo@influtics.local)');
  const fake = await startFakePlatforms({ port: FAKE_PORT }).catch((err) => {
    throw new StartupError(`the fake platform API cannot listen on ${FAKE_PORT} (${err.code ?? err.message})`, 'set INFLUTICS_FAKE_PORT to a free port');
  });
  started.push(() => fake.close());
  log(`platforms  ${fake.url}  (fake TikTok /tiktok, Instagram /instagram, YouTube /youtube/v3; control at /__control)`);

  // The fake Loops accepts the key in .dev.vars.example (LOOPS_API_KEY); every template gets a local id.
  const loops = await startFakeLoops({ port: LOOPS_PORT });
  started.push(() => loops.close());
  log(`loops      ${loops.url}  (fake Loops email; sent mail: GET ${loops.url}/__control/sent)`);
  // The fake Telegram bot's token and webhook secret come from .dev.vars; "pressing Start" in the
  // fake POSTs the update to our webhook (README: Telegram locally).
  const devVars = fs.readFileSync(path.join(root, '.dev.vars'), 'utf8');
  const devVar = (name) => new RegExp(`^${name}=(.*)$`, 'm').exec(devVars)?.[1]?.trim();
  const telegram = await startFakeTelegram({ port: TELEGRAM_PORT, botToken: devVar('TELEGRAM_BOT_TOKEN') ?? undefined, botUsername: 'influtics_local_bot' });
  started.push(() => telegram.close());
  await fetch(`${telegram.url}/__control/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${WORKER_PORT}/telegram/webhook`, secret_token: devVar('TELEGRAM_WEBHOOK_SECRET') }),
  });
  const google = await startFakeGoogle({ port: GOOGLE_PORT });
  started.push(() => google.close());
  log(`google     ${google.url}  (fake OAuth + Sheets v4; demo spreadsheet ${DEMO_SPREADSHEET_ID}; control at /__control)`);
  log(`telegram   ${telegram.url}  (fake Bot API @influtics_local_bot; press Start: POST ${telegram.url}/__control/press-start)`);

  const wrangler = spawnWranglerDev({
    port: WORKER_PORT,
    persistTo: wranglerState,
    databaseUrl: pg.url,
    platforms: fake,
    vars: {
      LOOPS_API_BASE_URL: loops.url,
      LOOPS_TRANSACTIONAL_IDS: JSON.stringify({ organization_invitation: 'local-organization-invitation', scheduled_report: 'local-scheduled-report', limit_usage: 'local-limit-usage', sheets_reauth: 'local-sheets-reauth', import_finished: 'local-import-finished', new_video: 'local-new-video', digest: 'local-digest' }),
      APP_BASE_URL: `http://127.0.0.1:${WORKER_PORT}`,
      TELEGRAM_API_BASE_URL: telegram.url,
      TELEGRAM_BOT_USERNAME: telegram.botUsername,
      // Google OAuth and Sheets go to the fake Google (its client id/secret are fake too)
      ...google.vars,
      GOOGLE_REDIRECT_URI: `http://127.0.0.1:${WORKER_PORT}/integrations/google/callback`,
      // share and xlsx links in report emails point at this Worker, whatever its port
      REPORTS_PUBLIC_BASE_URL: `http://127.0.0.1:${WORKER_PORT}`,
    },
    args: ['--test-scheduled', '--inspector-port', String(INSPECTOR_PORT)],
    spawnOptions: { stdio: 'inherit' },
  });
  started.push(async () => {
    if (wrangler.exitCode !== null) return;
    const exited = new Promise((resolve) => wrangler.once('exit', resolve));
    wrangler.kill('SIGINT');
    await exited;
  });
  wrangler.on('error', (err) => {
    console.error(`[dev] error: wrangler dev cannot start (${err.code ?? err.message}): run npm install in this checkout`);
    void stop(1);
  });
  wrangler.on('exit', (code) => {
    if (stopping) return;
    if (code) console.error(`[dev] error: wrangler dev exited with code ${code} (its messages are above): fix what it says, then npm run dev again`);
    void stop(code ?? 0);
  });
  log(`worker     http://127.0.0.1:${WORKER_PORT}  (GET /health; crons: GET /__scheduled?cron=...)`);
  log(`token      ${await devToken()}`);
  log('           (or: npm run -s dev:token)');
  const opsToken = /^OPS_TOKEN=(.*)$/m.exec(fs.readFileSync(path.join(root, '.dev.vars'), 'utf8'))?.[1]?.trim();
  log(`ops page   http://127.0.0.1:${WORKER_PORT}/ops  (sign in with OPS_TOKEN from .dev.vars${opsToken ? `: ${opsToken}` : ', which is not set'})`);
}

process.on('SIGINT', () => {
  log('stopping…');
  void stop(0);
});
process.on('SIGTERM', () => void stop(0));

try {
  await main();
} catch (err) {
  // One line: what failed and what to do. Anything unexpected also gets one line (its stack with DEBUG=1).
  if (err instanceof StartupError) console.error(`[dev] error: ${err.message}`);
  else console.error(`[dev] error: start-up failed unexpectedly: ${err instanceof Error ? err.message : String(err)}${process.env.DEBUG ? `\n${err?.stack}` : ' (DEBUG=1 shows the stack)'}`);
  await stop(1);
}
