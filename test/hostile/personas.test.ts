import type postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { createCampaignFixture, type CampaignFixture } from '../campaigns/fixtures';

/**
 * What each persona reaches with SQL directly (Supabase's Data API runs exactly this: role
 * authenticated or anon with the caller's claims), over EVERY table in schema public, read from the
 * catalog. Each operation runs in a transaction that is rolled back:
 *   read    select count(*) of the organization's rows (all of them, or none)
 *   update  update <a column> = <itself> … returning: rows reached (0 = refused; RLS hides silently)
 *   delete  delete … returning: rows reached
 *   insert  a copy of one of the organization's rows (fresh id): refused = 42501 (RLS or privilege);
 *           any other outcome (inserted, or a unique/check error raised after RLS) = allowed
 * Tables without any policy for authenticated are service-only: nobody reaches anything. Every
 * other table must be declared in EXPECTED below: a table added later fails here until its
 * expectations are written down.
 */

const PERSONAS = ['owner', 'admin', 'member', 'viewer', 'stranger', 'anon'] as const;
type Persona = (typeof PERSONAS)[number];
type Op = 'read' | 'insert' | 'update' | 'delete';
type Expect = Record<Op, readonly Persona[]>;

const MEMBERS = ['owner', 'admin', 'member', 'viewer'] as const;
const WRITERS = ['owner', 'admin', 'member'] as const;
const MANAGERS = ['owner', 'admin'] as const;
const NOBODY = [] as const;
const writable = (writers: readonly Persona[]): Expect => ({ read: MEMBERS, insert: writers, update: writers, delete: writers });
const readOnly: Expect = { read: MEMBERS, insert: NOBODY, update: NOBODY, delete: NOBODY };

/** Who may do what, per table (writers as in src/http/permissions.ts). */
const EXPECTED: Record<string, Expect> = {
  videos: writable(WRITERS),
  tags: writable(WRITERS),
  video_tags: writable(WRITERS),
  blogger_information: writable(WRITERS),
  tracked_accounts: writable(WRITERS),
  blogger_tags: writable(WRITERS),
  blogger_campaigns: writable(WRITERS),
  campaigns: writable(WRITERS),
  campaign_tags: writable(WRITERS),
  google_sheet_sources: writable(WRITERS),
  import_jobs: writable(WRITERS),
  notification_settings: writable(MANAGERS),
  alert_rules: writable(MANAGERS),
  report_schedules: writable(MANAGERS),
  // share links are revoked (update), never deleted, and only owners and admins see them
  report_share_links: { read: MANAGERS, insert: MANAGERS, update: MANAGERS, delete: NOBODY },
  // each member's own row: the owner's row is attacked, so only the owner reaches it
  notification_preferences: { read: ['owner'], insert: ['owner'], update: ['owner'], delete: ['owner'] },
  // facts from the platforms and the service's bookkeeping: members read, only the service writes
  video_statistics: readOnly,
  video_daily_stats: readOnly,
  usage_counters: readOnly,
  organization_custom_limits: readOnly,
  workflow_runs: readOnly,
  dead_letters: readOnly,
  // written by the service after the OAuth callback (no user JWT) and on revoke
  google_sheet_integrations: readOnly,
  import_job_errors: readOnly,
  report_runs: readOnly,
  report_deliveries: readOnly,
  // filled by triggers on videos and their snapshots
  campaign_daily_stats: readOnly,
  organization_daily_stats: readOnly,
  campaign_video_counts: readOnly,
  organization_video_counts: readOnly,
  // plan, test flag and billing period are not insertable by users (column grants): a copied row is refused
  organizations: { read: MEMBERS, insert: NOBODY, update: MANAGERS, delete: ['owner'] },
  // every member may delete their own membership (leave); the database keeps the last owner
  organization_members: { read: MEMBERS, insert: MANAGERS, update: MANAGERS, delete: MEMBERS },
  invitations: writable(MANAGERS),
  user_preferences: { read: ['owner'], insert: ['owner'], update: ['owner'], delete: ['owner'] },
  subscription_plan_limits: { read: ['owner', 'admin', 'member', 'viewer', 'stranger'], insert: NOBODY, update: NOBODY, delete: NOBODY },
};


const sql = adminSql();
let f: CampaignFixture;
const people = {} as Record<Exclude<Persona, 'anon'>, Fixture>;

interface TableInfo {
  name: string;
  columns: { name: string; type: string; insertable: boolean }[];
  hasPolicies: boolean;
}
let tables: TableInfo[] = [];

beforeAll(async () => {
  f = await createCampaignFixture(sql);
  const org = f.owner.orgId;
  people.owner = f.owner;
  people.admin = await addMember(sql, org, 'admin');
  people.member = await addMember(sql, org, 'member');
  people.viewer = await addMember(sql, org, 'viewer');
  people.stranger = await createOrganization(sql);

  // One row of the organization in every table the fixture does not fill already.
  const [tag] = await sql<{ id: string }[]>`insert into tags (organization_id, name) values (${org}, 'persona') returning id`;
  await sql`insert into video_tags (organization_id, video_id, tag_id) values (${org}, ${f.v.v1}, ${tag!.id})`;
  await sql`insert into blogger_tags (organization_id, blogger_id, tag_id) values (${org}, ${f.b.b1}, ${tag!.id})`;
  await sql`insert into campaign_tags (organization_id, campaign_id, tag_id) values (${org}, ${f.campaignId}, ${tag!.id})`;
  await sql`insert into tracked_accounts (organization_id, blogger_id, initial_videos_count, daily_videos_count) values (${org}, ${f.b.b1}, 10, 5)`;
  await sql`insert into invitations (organization_id, email, role, token_hash) values (${org}, ${`invitee-${org.slice(0, 8)}@test.local`}, 'member', ${crypto.randomUUID()})`;
  await sql`insert into user_preferences (user_id, preferences) values (${f.owner.userId}, '{"theme":"dark"}')`;
  await sql`insert into usage_counters (organization_id, period_start, videos_fetched) values (${org}, date_trunc('month', now()), 3)`;
  await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${org}, 5000)`;
  await sql`insert into workflow_runs (instance_id, workflow, trigger, organization_id) values (${`persona-${org}`}, 'NightlyRefresh', 'cron', ${org})`;
  await sql`insert into dead_letters (message_id, source_queue, error_code, reason, body, organization_id) values (${`persona-${org}`}, 'q', 'e', 'r', '{}', ${org})`;
  const [integration] = await sql<{ id: string }[]>`insert into google_sheet_integrations (organization_id) values (${org}) returning id`;
  await sql`insert into google_sheet_sources (organization_id, integration_id, spreadsheet_id) values (${org}, ${integration!.id}, 'sheet')`;
  await sql`insert into import_jobs (organization_id, source) values (${org}, 'excel')`;
  await sql`insert into notification_settings (organization_id, channel, event) values (${org}, 'email', 'persona')`;
  await sql`insert into alert_rules (organization_id, type, params) values (${org}, 'views_threshold', '{"views":1000}')`;
  await sql`insert into notification_preferences (organization_id, user_id) values (${org}, ${f.owner.userId})`;
  const [schedule] = await sql<{ id: string }[]>`
    insert into report_schedules (organization_id, name, scope, frequency, local_time, recipients, channels, contents, next_run_at)
    values (${org}, 'persona', '{"type":"organization"}', 'daily', '09:00', ${sql.json(['members'])}, ${sql.json(['email'])}, '{}', now() + interval '1 day')
    returning id`;
  const [run] = await sql<{ id: string }[]>`
    insert into report_runs (organization_id, schedule_id, schedule_name, instance_id, period_start, period_end)
    values (${org}, ${schedule!.id}, 'persona', ${`persona-report-${org}`}, '2026-03-01', '2026-03-07') returning id`;
  await sql`insert into report_deliveries (organization_id, run_id, recipient, channel, idempotency_key, status)
            values (${org}, ${run!.id}, 'persona@test.local', 'email', ${`persona-${org}`}, 'queued')`;
  await sql`insert into report_share_links (organization_id, run_id, token_hash, expires_at)
            values (${org}, ${run!.id}, ${org.replace(/-/g, '').repeat(2)}, now() + interval '7 days')`;
  const [job] = await sql<{ id: string }[]>`select id from import_jobs where organization_id = ${org} limit 1`;
  await sql`insert into import_job_errors (job_id, organization_id, row_number, column_name, code, reason)
            values (${job!.id}, ${org}, 2, 'url', 'invalid_url', 'not a video link')`;

  const rows = await sql<{ table_name: string; columns: TableInfo['columns']; has_policies: boolean }[]>`
    select t.tablename as table_name,
           (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                              'insertable', a.attidentity <> 'a' and a.attgenerated = '') order by a.attnum)
              from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
           exists (select 1 from pg_policies p where p.schemaname = 'public' and p.tablename = t.tablename
                     and (p.roles && array['authenticated', 'anon', 'public']::name[])) as has_policies
    from pg_tables t join pg_class c on c.relname = t.tablename and c.relnamespace = 'public'::regnamespace
    where t.schemaname = 'public' order by 1`;
  tables = rows.map((r) => ({ name: r.table_name, columns: r.columns, hasPolicies: r.has_policies }));
});

/** The rows of the attacked organization in a table. */
function scope(tx: postgres.Sql | postgres.TransactionSql, t: TableInfo) {
  const has = (c: string) => t.columns.some((col) => col.name === c);
  if (t.name === 'organizations') return tx`id = ${f.owner.orgId}`;
  if (has('organization_id')) return tx`organization_id = ${f.owner.orgId}`;
  if (t.name === 'user_preferences') return tx`user_id = ${f.owner.userId}`;
  return tx`true`;
}

const claimsOf = (p: Persona) => (p === 'anon' ? null : { sub: people[p].userId, email: people[p].email });

type Outcome = 'allowed' | 'refused';
const isRefusal = (err: unknown) => (err as { code?: string }).code === '42501';
/** unique, foreign key, not null, check violations and trigger exceptions: raised after RLS let the row through */
const AFTER_RLS = new Set(['23505', '23503', '23502', '23514', 'P0001']);

async function attempt(p: Persona, fn: (tx: postgres.TransactionSql) => Promise<number>): Promise<Outcome> {
  try {
    const reached = await rolledBackAs(sql, claimsOf(p), fn);
    return reached > 0 ? 'allowed' : 'refused';
  } catch (err) {
    if (isRefusal(err)) return 'refused';
    // past RLS and privileges: a constraint or trigger of the table answered (anything else is a broken test)
    if (AFTER_RLS.has((err as { code?: string }).code ?? '')) return 'allowed';
    throw err;
  }
}

async function outcomes(t: TableInfo, op: Op): Promise<Record<Persona, Outcome>> {
  const table = sql(`public.${t.name}`);
  const [sample] = await sql<{ row: Record<string, unknown> }[]>`select to_jsonb(x) as row from ${table} x where ${scope(sql, t)} limit 1`;
  const updatable = await sql<{ name: string }[]>`
    select a.attname as name from pg_attribute a
    where a.attrelid = ${`public.${t.name}`}::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' and a.attidentity = ''
      and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
      and a.attname not in ('id', 'organization_id', 'user_id') order by a.attnum limit 1`;
  const result = {} as Record<Persona, Outcome>;
  for (const p of PERSONAS) {
    result[p] = await attempt(p, async (tx) => {
      if (op === 'read') return (await tx<{ n: number }[]>`select count(*)::int as n from ${table} where ${scope(tx, t)}`)[0]!.n;
      if (op === 'delete') return (await tx`delete from ${table} where ${scope(tx, t)} returning 1`).length;
      if (op === 'update') {
        const col = updatable[0]?.name ?? t.columns.find((c) => !['id', 'organization_id', 'user_id'].includes(c.name))!.name;
        return (await tx`update ${table} set ${tx(col)} = ${tx(col)} where ${scope(tx, t)} returning 1`).length;
      }
      const copy = { ...sample!.row };
      if (typeof copy.id === 'string') copy.id = crypto.randomUUID();
      const cols = t.columns.filter((c) => c.insertable).map((c) => c.name);
      return (await tx`insert into ${table} (${tx(cols)}) select ${tx(cols)} from jsonb_populate_record(null::${table}, ${JSON.stringify(copy)}::text::jsonb) returning 1`).length;
    });
  }
  return result;
}

const expectedOutcomes = (allowed: readonly Persona[]) => Object.fromEntries(PERSONAS.map((p) => [p, allowed.includes(p) ? 'allowed' : 'refused']));

describe('every table in schema public, from the catalog', () => {
  it('has row level security enabled, and every table with policies has declared expectations', async () => {
    const rls = await sql<{ tablename: string; rowsecurity: boolean }[]>`select tablename, rowsecurity from pg_tables where schemaname = 'public'`;
    expect(rls.filter((r) => !r.rowsecurity).map((r) => r.tablename)).toEqual([]);
    const undeclared = tables.filter((t) => t.hasPolicies && !EXPECTED[t.name]).map((t) => t.name);
    expect(undeclared, 'tables with policies need a line in EXPECTED (test/hostile/personas.test.ts)').toEqual([]);
    expect(tables.length).toBeGreaterThanOrEqual(Object.keys(EXPECTED).length);
  });

  it('exposes views only with the caller\'s rights (security_invoker) and no materialized view to API roles', async () => {
    const rows = await sql<{ relname: string; relkind: string; invoker: boolean; api_select: boolean }[]>`
      select c.relname, c.relkind::text as relkind, coalesce(c.reloptions @> array['security_invoker=true'], false) as invoker,
             has_table_privilege('authenticated', c.oid, 'select') or has_table_privilege('anon', c.oid, 'select') as api_select
      from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm')`;
    expect(rows.filter((r) => r.relkind === 'v' && !r.invoker).map((r) => r.relname)).toEqual([]);
    expect(rows.filter((r) => r.relkind === 'm' && r.api_select).map((r) => r.relname)).toEqual([]);
  });

  it('every declared table has a row of the organization to attack', async () => {
    const empty: string[] = [];
    for (const t of tables.filter((t) => EXPECTED[t.name])) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(`public.${t.name}`)} where ${scope(sql, t)}`;
      if (row!.n === 0) empty.push(t.name);
    }
    expect(empty).toEqual([]);
  });

  it('service-only tables (no policy for authenticated): no persona reads or writes anything', async () => {
    const serviceOnly = tables.filter((t) => !t.hasPolicies);
    expect(serviceOnly.map((t) => t.name)).toContain('ops_actions');
    for (const t of serviceOnly) {
      for (const op of ['read', 'update', 'delete'] as const) expect(await outcomes(t, op), `${t.name} ${op}`).toEqual(expectedOutcomes([]));
    }
  });

  it.each(Object.keys(EXPECTED))('%s: each persona reads and writes exactly what its role allows', async (name) => {
    const t = tables.find((x) => x.name === name);
    expect(t, `${name} is declared but not in the database`).toBeDefined();
    for (const op of ['read', 'insert', 'update', 'delete'] as const) {
      expect(await outcomes(t!, op), `${name} ${op}`).toEqual(expectedOutcomes(EXPECTED[name]![op]));
    }
  });

});

describe('quota-bearing columns hold against direct writes', () => {
  it('a member cannot set video_status = tracking beyond the tracked-videos limit; stopping still works over the limit', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    const member = await addMember(sql, org.orgId, 'member');
    const max = (await sql<{ max: number }[]>`select max_tracked_videos as max from subscription_plan_limits where plan = 'free'`)[0]!.max;
    const base = 7_360_000_000_000_000_000n + BigInt(Date.now() % 1_000_000) * 1000n;
    const rows = Array.from({ length: max + 2 }, (_, i) => ({
      organization_id: org.orgId, platform: 'TikTok', external_video_id: String(base + BigInt(i)), video_url: `https://www.tiktok.com/@q/video/${base + BigInt(i)}`, video_status: 'stopped',
    }));
    await sql`insert into videos ${sql(rows)}`;
    const claims = { sub: member.userId, email: member.email };

    // up to the limit is fine, one more is refused, however the update is phrased
    const upToLimit = await rolledBackAs(sql, claims, async (tx) => {
      const ids = await tx<{ id: string }[]>`select id from videos where organization_id = ${org.orgId} order by external_video_id limit ${max}`;
      return (await tx`update videos set video_status = 'tracking' where id in ${tx(ids.map((r) => r.id))} returning 1`).length;
    });
    expect(upToLimit).toBe(max);
    const bulk = rolledBackAs(sql, claims, (tx) => tx`update videos set video_status = 'tracking' where organization_id = ${org.orgId}`);
    await expect(bulk).rejects.toMatchObject({ code: '23514', constraint_name: 'max_tracked_videos' });
    const insert = rolledBackAs(sql, claims, (tx) =>
      tx`insert into videos ${tx(Array.from({ length: max + 1 }, (_, i) => ({ ...rows[0], external_video_id: `new-${i}`, video_status: 'tracking' })))}`);
    await expect(insert).rejects.toMatchObject({ code: '23514' });

    // an organization already over its limit (a downgrade) can still stop tracking
    await sql`update videos set video_status = 'tracking' where organization_id = ${org.orgId}`;
    const stopped = await rolledBackAs(sql, claims, async (tx) => (await tx`update videos set video_status = 'stopped' where organization_id = ${org.orgId} and external_video_id = ${rows[0]!.external_video_id} returning 1`).length);
    expect(stopped).toBe(1);
  });

  it('a member cannot re-activate tracked bloggers beyond the tracked-bloggers limit', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    const member = await addMember(sql, org.orgId, 'member');
    const max = (await sql<{ max: number }[]>`select max_tracked_bloggers as max from subscription_plan_limits where plan = 'free'`)[0]!.max;
    for (let i = 0; i < max + 1; i++) {
      const [b] = await sql<{ id: string }[]>`insert into blogger_information (organization_id, platform, username, external_id) values (${org.orgId}, 'TikTok', ${`q${i}`}, ${crypto.randomUUID()}) returning id`;
      await sql`insert into tracked_accounts (organization_id, blogger_id, is_active, initial_videos_count, daily_videos_count) values (${org.orgId}, ${b!.id}, false, 10, 5)`;
    }
    const attempt = rolledBackAs(sql, { sub: member.userId, email: member.email }, (tx) => tx`update tracked_accounts set is_active = true where organization_id = ${org.orgId}`);
    await expect(attempt).rejects.toMatchObject({ code: '23514', constraint_name: 'max_tracked_bloggers' });
  });
});
