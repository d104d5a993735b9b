import { beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';

const sql = adminSql();
let a: Fixture;
let b: Fixture;
let videoB: string;
let tokenA: string;

beforeAll(async () => {
  a = await createOrganization(sql);
  b = await createOrganization(sql);
  tokenA = await tokenFor(a.userId);
  const [v] = await sql`
    insert into videos (organization_id, platform, external_video_id, video_url, video_status)
    values (${b.orgId}, 'TikTok', '7311111111111111111', 'https://www.tiktok.com/@b/video/7311111111111111111', 'stopped') returning id`;
  videoB = v!.id;
  await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key) values (${b.orgId}, ${videoB}, '7311111111111111111', 99, 'seed')`;
});

describe('HTTP: another organization’s video does not exist for you', () => {
  it('GET /dashboard/videos/:id answers 404', async () => {
    const res = await call('GET', `/dashboard/videos/${videoB}`, { token: tokenA });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'video not found' });
  });

  it('start-tracking and stop-tracking answer 404 and change nothing', async () => {
    for (const action of ['start-tracking', 'stop-tracking']) {
      const res = await call('POST', `/dashboard/videos/${action}`, { token: tokenA, body: { video_id: videoB } });
      expect(res.status).toBe(404);
    }
    const [row] = await sql`select video_status, tracking_started_at from videos where id = ${videoB}`;
    expect(row).toEqual({ video_status: 'stopped', tracking_started_at: null });
  });

  it('the list never includes it', async () => {
    const res = await call('GET', '/dashboard/videos?limit=100', { token: tokenA });
    expect(res.body.data.map((v: any) => v.id)).not.toContain(videoB);
  });

  it('adding the same URL creates a separate video in your organization', async () => {
    const res = await call('POST', '/dashboard/videos', { token: tokenA, body: { url: 'https://www.tiktok.com/@b/video/7311111111111111111' } });
    expect(res.status).toBe(201);
    expect(res.body.video.id).not.toBe(videoB);
    expect(res.body.video.latest_stats).toBeNull();
  });
});

describe('SQL: RLS hides other organizations from role authenticated', () => {
  /** Runs fn as Supabase's `authenticated` role for the user, inside a transaction rolled back after. */
  const asUser = <T>(userId: string, fn: (tx: postgres.TransactionSql) => Promise<T>) => rolledBackAs(sql, { sub: userId }, fn);

  it('a member sees only their organization’s videos and snapshots', async () => {
    const seen = await asUser(a.userId, async (tx) => ({
      videos: await tx`select organization_id from videos`,
      stats: await tx`select organization_id from video_statistics`,
      fast: await tx`select organization_id from videos_with_statistics_fast`,
      orgs: await tx`select id from organizations`,
    }));
    for (const rows of [seen.videos, seen.stats, seen.fast]) for (const r of rows) expect(r.organization_id).toBe(a.orgId);
    expect(seen.orgs.map((o: any) => o.id)).toEqual([a.orgId]);
    const theirs = await asUser(b.userId, (tx) => tx`select id from videos where id = ${videoB}`);
    expect(theirs).toHaveLength(1);
  });

  it('a member cannot update, delete or insert into another organization', async () => {
    const changed = await asUser(a.userId, async (tx) => ({
      updated: (await tx`update videos set title = 'hacked' where id = ${videoB} returning id`).length,
      deleted: (await tx`delete from video_statistics where video_id = ${videoB} returning id`).length,
    }));
    expect(changed).toEqual({ updated: 0, deleted: 0 });
    await expect(
      asUser(a.userId, (tx) => tx`insert into videos (organization_id, platform, external_video_id, video_url) values (${b.orgId}, 'TikTok', '1', 'x')`),
    ).rejects.toThrow(/row-level security/);
  });

  it('an anonymous caller sees nothing', async () => {
    const rows = await rolledBackAs(sql, null, (tx) => tx`select id from videos`);
    expect(rows).toEqual([]);
  });

  it('every table in public has RLS enabled', async () => {
    const rows = await sql`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity`;
    expect(rows.map((r) => r.relname)).toEqual([]);
  });
});
