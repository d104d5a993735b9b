import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../src/db/client';
import { videosNeedingUpdatePage } from '../../src/db/refresh';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';

/**
 * The rules of `videos_needing_update` (what NightlyRefresh fetches), row by row: tracking videos
 * never fetched or last fetched over 3 hours ago; deleted videos only within 7 days of deletion;
 * never platform Other; never a test organization's videos; never stopped ones.
 */
const sql = adminSql();
let org: Fixture;
let testOrg: Fixture;
const ids: Record<string, string> = {};

async function video(o: Fixture, name: string, opts: { platform?: string; status?: string; deletedAgo?: string; snapshotAgo?: string } = {}) {
  const ext = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  const [v] = await sql`
    insert into videos (organization_id, platform, external_video_id, video_url, video_status, deleted_at)
    values (${o.orgId}, ${opts.platform ?? 'TikTok'}, ${ext}, ${'https://example.test/' + ext}, ${opts.status ?? 'tracking'},
            ${opts.deletedAgo ? sql`now() - ${opts.deletedAgo}::interval` : null})
    returning id`;
  if (opts.snapshotAgo) {
    await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
              values (${o.orgId}, ${v!.id}, ${ext}, 1, 'fixture', now() - ${opts.snapshotAgo}::interval)`;
  }
  ids[name] = v!.id;
}

beforeAll(async () => {
  org = await createOrganization(sql);
  testOrg = await createOrganization(sql);
  await sql`update organizations set is_test = true where id = ${testOrg.orgId}`;
  await video(org, 'never_fetched');
  await video(org, 'stale', { snapshotAgo: '4 hours' });
  await video(org, 'fresh', { snapshotAgo: '2 hours' });
  await video(org, 'stopped', { status: 'stopped', snapshotAgo: '10 days' });
  await video(org, 'deleted_1_day', { status: 'deleted', deletedAgo: '1 day', snapshotAgo: '1 day' });
  await video(org, 'deleted_6_days', { status: 'deleted', deletedAgo: '6 days 23 hours' });
  await video(org, 'deleted_8_days', { status: 'deleted', deletedAgo: '8 days' });
  await video(org, 'deleted_7_days_ago_just_past', { status: 'deleted', deletedAgo: '7 days 1 minute' });
  await video(org, 'other_platform', { platform: 'Other' });
  await video(org, 'other_platform_deleted', { platform: 'Other', status: 'deleted', deletedAgo: '1 day' });
  await video(testOrg, 'test_org_tracking');
  await video(testOrg, 'test_org_deleted', { status: 'deleted', deletedAgo: '1 day' });
});

const needing = async () => {
  const wanted = Object.values(ids);
  const rows = await sql`select id from videos_needing_update where id = any(${wanted}::uuid[])`;
  const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
  return rows.map((r) => byId.get(r.id)!).sort();
};

describe('videos_needing_update', () => {
  it('keeps deleted videos for 7 days after deletion, then drops them', async () => {
    const names = await needing();
    expect(names).toContain('deleted_1_day');
    expect(names).toContain('deleted_6_days');
    expect(names).not.toContain('deleted_8_days');
    expect(names).not.toContain('deleted_7_days_ago_just_past');
  });

  it('never lists platform Other, tracking or deleted', async () => {
    const names = await needing();
    expect(names).not.toContain('other_platform');
    expect(names).not.toContain('other_platform_deleted');
  });

  it('never lists a test organization’s videos, and lists them once the organization is no longer a test one', async () => {
    expect(await needing()).not.toContain('test_org_tracking');
    expect(await needing()).not.toContain('test_org_deleted');
    await sql`update organizations set is_test = false where id = ${testOrg.orgId}`;
    try {
      expect(await needing()).toEqual(expect.arrayContaining(['test_org_tracking', 'test_org_deleted']));
    } finally {
      await sql`update organizations set is_test = true where id = ${testOrg.orgId}`;
    }
  });

  it('exactly the expected set, as the NightlyRefresh page query reads it', async () => {
    expect(await needing()).toEqual(['deleted_1_day', 'deleted_6_days', 'never_fetched', 'stale']);
    // the keyset page NightlyRefresh uses walks the same rows (ours among everyone's)
    const db = createSql(env);
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (;;) {
      const page = await videosNeedingUpdatePage(db, cursor, 1000);
      for (const r of page) seen.add(r.id);
      if (page.length < 1000) break;
      cursor = page.at(-1)!.id;
    }
    const mine = Object.entries(ids).filter(([, id]) => seen.has(id)).map(([k]) => k).sort();
    expect(mine).toEqual(['deleted_1_day', 'deleted_6_days', 'never_fetched', 'stale']);
  });
});
