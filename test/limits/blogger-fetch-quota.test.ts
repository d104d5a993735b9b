import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BloggerFetchParams } from '../../src/workflows/params';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';

/**
 * One tracked-videos rule (max_tracked_videos) for every path that starts tracking: start-tracking
 * (HTTP), InitialBloggerFetch and BloggerDailyFetch (which save a blogger's new videos as tracking).
 * All take the organization's quota lock and count usage the same way (steps/limits).
 */
const sql = adminSql();
const handle = (p: string) => `${p}_${crypto.randomUUID().slice(0, 8)}`;
const tiktokId = () => `74${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;

beforeEach(async () => {
  await fakePlatforms.reset();
});

async function orgWithTrackedLimit(max: number): Promise<Fixture & { token: string }> {
  const org = await createOrganization(sql, { plan: 'pro' });
  await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${org.orgId}, ${max})`;
  return { ...org, token: await tokenFor(org.userId) };
}
const trackedCount = async (orgId: string) => (await sql`select count(*)::int as n from videos where organization_id = ${orgId} and video_status = 'tracking'`)[0]!.n as number;
async function stoppedVideos(orgId: string, n: number): Promise<string[]> {
  const rows = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
    select ${orgId}, 'TikTok', e, 'https://www.tiktok.com/@q/video/' || e, 'stopped' from unnest(${Array.from({ length: n }, tiktokId)}::text[]) e returning id`;
  return rows.map((r) => r.id as string);
}

describe('InitialBloggerFetch takes the tracked-videos quota', () => {
  it('saves only as many new videos as the quota admits (the newest), says why, and start-tracking is then refused', async () => {
    const org = await orgWithTrackedLimit(4);
    const [extra] = await stoppedVideos(org.orgId, 1);
    await sql`update videos set video_status = 'tracking' where id = ${extra!}`; // 1 of 4 in use

    const res = await call('POST', '/blogger/add', { token: org.token, body: { username: handle('q'), platform: 'TikTok', initial_videos_count: 8 } });
    expect(res.status).toBe(201);
    const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', res.body.workflow.instance_id);
    expect(status.status).toBe('complete');
    expect(status.output).toMatchObject({ fetched: 8, saved: { videos_inserted: 3, skipped_for_quota: 5 } });
    expect(await trackedCount(org.orgId)).toBe(4);
    // the newest three (the listing is newest first)
    const saved = await sql`select published_at from videos where blogger_id = ${res.body.blogger.id} order by published_at desc`;
    expect(saved).toHaveLength(3);
    const blogger = await call('GET', `/blogger/${res.body.blogger.id}`, { token: org.token });
    expect(blogger.body.blogger.last_skip_reason).toMatch(/tracked-videos quota used up: 5 new videos were not saved/);

    const [another] = await stoppedVideos(org.orgId, 1);
    const refused = await call('POST', '/dashboard/videos/start-tracking', { token: org.token, body: { video_id: another } });
    expect(refused.status).toBe(402);
    expect(refused.body.error.details).toMatchObject({ limit: 'max_tracked_videos', max: 4, usage: 4, requested: 1 });
  });
});

describe('BloggerDailyFetch takes the tracked-videos quota', () => {
  it('admits new videos up to the limit, and still refreshes the videos it already has when the quota is full', async () => {
    const org = await orgWithTrackedLimit(2);
    const username = handle('daily');
    const [b] = await sql`insert into blogger_information (organization_id, platform, username, external_id) values (${org.orgId}, 'TikTok', ${username}, ${'ext-' + username}) returning id`;
    const [t] = await sql`insert into tracked_accounts (organization_id, blogger_id, initial_videos_count, daily_videos_count, initial_videos_fetched) values (${org.orgId}, ${b!.id}, 5, 5, true) returning id`;
    const params: BloggerFetchParams = { trackingId: t!.id, organizationId: org.orgId, bloggerId: b!.id, platform: 'TikTok', externalId: `ext-${username}`, secUid: null, username, videoCount: 5, userId: org.userId };

    const first = `blogger-daily-quota-${crypto.randomUUID().slice(0, 8)}`;
    await env.BLOGGER_DAILY_FETCH.create({ id: first, params });
    const one = await waitForWorkflow('BLOGGER_DAILY_FETCH', first);
    expect(one.output).toMatchObject({ fetched: 5, saved: { videos_inserted: 2, videos_updated: 0, skipped_for_quota: 3, snapshots_inserted: 2 } });
    expect(await trackedCount(org.orgId)).toBe(2);

    const second = `blogger-daily-quota-${crypto.randomUUID().slice(0, 8)}`;
    await env.BLOGGER_DAILY_FETCH.create({ id: second, params });
    const two = await waitForWorkflow('BLOGGER_DAILY_FETCH', second);
    expect(two.output).toMatchObject({ saved: { videos_inserted: 0, videos_updated: 2, skipped_for_quota: 3, snapshots_inserted: 2 } });
    expect(await trackedCount(org.orgId)).toBe(2);
  });
});

describe('two paths racing for the last units', () => {
  it('a blogger fetch and start-tracking requests together never go over the limit', async () => {
    const org = await orgWithTrackedLimit(8);
    const stopped = await stoppedVideos(org.orgId, 6);
    const add = call('POST', '/blogger/add', { token: org.token, body: { username: handle('race'), platform: 'TikTok', initial_videos_count: 10 } });
    // spread the start-tracking requests over the time the fetch runs, so some land before its save and some after
    const starts = stopped.map((id, i) =>
      new Promise((r) => setTimeout(r, i * 120)).then(() => call('POST', '/dashboard/videos/start-tracking', { token: org.token, body: { video_id: id } })),
    );
    const added = await add;
    expect(added.status).toBe(201);
    const answers = await Promise.all(starts);
    const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', added.body.workflow.instance_id);
    expect(status.status).toBe('complete');

    const admittedByFetch = (status.output as any).saved.videos_inserted as number;
    const started = answers.filter((a) => a.status === 200).length;
    for (const a of answers) expect([200, 402]).toContain(a.status);
    expect(await trackedCount(org.orgId)).toBe(8);
    expect(admittedByFetch + started).toBe(8);
    expect((status.output as any).saved.skipped_for_quota).toBe(10 - admittedByFetch);
  });
});
