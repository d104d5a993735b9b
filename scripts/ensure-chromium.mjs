// Makes sure the browser test has its browser: Debian's chromium (playwright-core drives it; its own
// browser download is not reachable from these machines). Run by `npm run test:browser` (so by
// `npm test`): a fresh machine needs no manual step when we are root (or have password-less sudo);
// otherwise it ends with one line saying what to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * What to do, from what this machine has (pure, so the decision is readable and tested on its own).
 * @param {{ chromiumPath: string, explicitPath: boolean, exists: boolean, isRoot: boolean, hasAptGet: boolean, canSudo: boolean }} m
 * @returns {{ action: 'ready' } | { action: 'install', command: string[] } | { action: 'fail', message: string }}
 */
export function chromiumPlan(m) {
  if (m.exists) return { action: 'ready' };
  if (m.explicitPath) return { action: 'fail', message: `CHROMIUM_PATH=${m.chromiumPath} does not exist: point it at a chromium binary, or unset it to use Debian's ${DEFAULT_CHROMIUM}` };
  if (!m.hasAptGet) return { action: 'fail', message: `the browser test needs chromium at ${DEFAULT_CHROMIUM} and this machine has no apt-get: install chromium and set CHROMIUM_PATH to it` };
  if (m.isRoot) return { action: 'install', command: [] };
  if (m.canSudo) return { action: 'install', command: ['sudo', '-n'] };
  return { action: 'fail', message: `the browser test needs chromium at ${DEFAULT_CHROMIUM}: run sudo apt-get install chromium (or npm test as root, which installs it)` };
}

function machine() {
  const explicit = process.env.CHROMIUM_PATH;
  const chromiumPath = explicit || DEFAULT_CHROMIUM;
  const has = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  const exists = fs.existsSync(chromiumPath);
  return {
    chromiumPath,
    explicitPath: Boolean(explicit),
    exists,
    isRoot: process.getuid?.() === 0,
    hasAptGet: exists ? false : has('sh', ['-c', 'command -v apt-get']),
    canSudo: exists ? false : has('sudo', ['-n', 'true']),
  };
}

function install(prefix) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  console.log(`[chromium] ${DEFAULT_CHROMIUM} is missing: installing Debian chromium with apt-get (once per machine)`);
  for (const args of [['apt-get', 'update', '-q'], ['apt-get', 'install', '-y', '-qq', 'chromium']]) {
    const cmd = [...prefix, ...args];
    const res = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (res.status !== 0) return `${cmd.join(' ')} failed (exit ${res.status ?? res.error?.message}): install chromium yourself (apt-get install chromium) or set CHROMIUM_PATH`;
  }
  return fs.existsSync(DEFAULT_CHROMIUM) ? null : `apt-get installed chromium but ${DEFAULT_CHROMIUM} is still missing: set CHROMIUM_PATH to the chromium binary`;
}

if (import.meta.main) {
  const plan = chromiumPlan(machine());
  const failure = plan.action === 'fail' ? plan.message : plan.action === 'install' ? install(plan.command) : null;
  if (failure) {
    console.error(`[chromium] error: ${failure}`);
    process.exit(1);
  }
}
