// Starts `wrangler dev` for the local stack: Hyperdrive pointed at a local Postgres and the platform
// base URLs at the fake platform server. Used by `npm run dev`, `npm run bench` and the browser test.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StartupError } from './local-postgres.mjs';

const root = path.resolve(import.meta.dirname, '../..');
/** The checkout's wrangler (callers check it exists: a missing one means npm install was not run). */
export const wranglerBin = path.join(root, 'node_modules/.bin/wrangler');

/**
 * @param {{ port: number, persistTo: string, databaseUrl: string,
 *           platforms: { tiktokBaseUrl: string, instagramBaseUrl: string, youtubeBaseUrl: string },
 *           vars?: Record<string, string>, args?: string[], env?: Record<string, string>,
 *           spawnOptions?: import('node:child_process').SpawnOptions }} opts
 */
export function spawnWranglerDev({ port, persistTo, databaseUrl, platforms, vars = {}, args = [], env = {}, spawnOptions = {} }) {
  // (spawning a missing binary would end the caller with an unhandled 'error' event instead)
  if (!fs.existsSync(wranglerBin)) throw new StartupError('wrangler is not installed', 'run npm install in this checkout');
  const allVars = {
    TIKTOK_API_BASE_URL: platforms.tiktokBaseUrl,
    INSTAGRAM_API_BASE_URL: platforms.instagramBaseUrl,
    YOUTUBE_API_BASE_URL: platforms.youtubeBaseUrl,
    ...vars,
  };
  return spawn(
    wranglerBin,
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistTo, ...args,
      ...Object.entries(allVars).flatMap(([k, v]) => ['--var', `${k}:${v}`])],
    {
      cwd: root,
      ...spawnOptions,
      // node_modules/.bin first, so wrangler runs on the Node 22 of the `node` package even when the
      // caller was started without `npm run`
      env: {
        ...process.env,
        PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
        CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_DB: databaseUrl,
        WRANGLER_SEND_METRICS: 'false',
        ...env,
      },
    },
  );
}
