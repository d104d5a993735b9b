import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, addMember, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';

const sql = adminSql();
let org: Fixture;
let token: string;
let other: Fixture;
const bloggers: { id: string; trackingId: string; username: string; platform: string }[] = [];
let theirs: string;

async function insertBlogger(o: Fixture, platform: string, username: string, opts: { active?: boolean; tracked?: boolean } = {}) {
  const [b] = await sql`insert into blogger_information (organization_id, platform, username, channel_name, external_id, subscribers)
    values (${o.orgId}, ${platform}, ${username}, ${username.toUpperCase()}, ${'ext-' + username}, 1234) returning id`;
  let trackingId = '';
  if (opts.tracked !== false) {
    const [t] = await sql`insert into tracked_accounts (organization_id, blogger_id, is_active, initial_videos_count, daily_videos_count)
      values (${o.orgId}, ${b!.id}, ${opts.active ?? true}, 20, 5) returning id`;
    trackingId = t!.id;
  }
  return { id: b!.id as string, trackingId, username, platform };
}

beforeAll(async () => {
  org = await createOrganization(sql);
  token = await tokenFor(org.userId);
  other = await createOrganization(sql);
  const s = crypto.randomUUID().slice(0, 6);
  bloggers.push(await insertBlogger(org, 'TikTok', `alpha_${s}`));
  bloggers.push(await insertBlogger(org, 'YouTube', `bravo_${s}`));
  bloggers.push(await insertBlogger(org, 'TikTok', `charlie_${s}`, { active: false }));
  bloggers.push(await insertBlogger(org, 'Instagram', `delta_${s}`, { tracked: false }));
  await sql`insert into videos (organization_id, platform, external_video_id, video_url, blogger_id, video_status)
    values (${org.orgId}, 'TikTok', ${'7' + Date.now()}, 'https://www.tiktok.com/@a/video/1', ${bloggers[0]!.id}, 'tracking')`;
  theirs = (await insertBlogger(other, 'TikTok', `theirs_${s}`)).id;
});

describe('GET /blogger', () => {
  it('lists the organization’s bloggers with tracking state and video counts, paginated', async () => {
    const first = await call('GET', '/blogger?limit=3', { token });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(3);
    const second = await call('GET', `/blogger?limit=3&cursor=${first.body.next_cursor}`, { token });
    expect(second.body.data).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    const all = [...first.body.data, ...second.body.data];
    expect(all.map((b: any) => b.id).sort()).toEqual(bloggers.map((b) => b.id).sort());
    const alpha = all.find((b: any) => b.id === bloggers[0]!.id);
    expect(alpha).toMatchObject({ is_active: true, video_count: 1, tracking_video_count: 1, daily_videos_count: 5, subscribers: 1234, last_scraped_at: null });
    expect(all.map((b: any) => b.id)).not.toContain(theirs);
  });

  it('filters by platform, activity and search', async () => {
    const tiktok = await call('GET', '/blogger?platform=TikTok', { token });
    expect(tiktok.body.data.map((b: any) => b.username).sort()).toEqual([bloggers[0]!.username, bloggers[2]!.username].sort());
    const inactive = await call('GET', '/blogger?is_active=false', { token });
    expect(inactive.body.data.map((b: any) => b.id).sort()).toEqual([bloggers[2]!.id, bloggers[3]!.id].sort());
    const search = await call('GET', `/blogger?search=${bloggers[1]!.username.slice(0, 5)}`, { token });
    expect(search.body.data.map((b: any) => b.id)).toEqual([bloggers[1]!.id]);
    const bad = await call('GET', '/blogger?is_active=maybe', { token });
    expect(bad.status).toBe(400);
  });
});

describe('one blogger', () => {
  it('GET /blogger/:id returns the blogger with its videos', async () => {
    const res = await call('GET', `/blogger/${bloggers[0]!.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.blogger.id).toBe(bloggers[0]!.id);
    expect(res.body.videos).toHaveLength(1);
    expect(res.body.videos[0].blogger_id).toBe(bloggers[0]!.id);
  });

  it('PATCH updates the counts, validates them and respects plan caps', async () => {
    const ok = await call('PATCH', `/blogger/${bloggers[1]!.id}`, { token, body: { daily_videos_count: 7 } });
    expect(ok.status).toBe(200);
    expect(ok.body.blogger).toMatchObject({ daily_videos_count: 7, initial_videos_count: 20 });
    const [row] = await sql`select daily_videos_count from tracked_accounts where id = ${bloggers[1]!.trackingId}`;
    expect(row!.daily_videos_count).toBe(7);
    expect((await call('PATCH', `/blogger/${bloggers[1]!.id}`, { token, body: {} })).status).toBe(400);
    expect((await call('PATCH', `/blogger/${bloggers[1]!.id}`, { token, body: { daily_videos_count: -1 } })).status).toBe(400);
    const tooMany = await call('PATCH', `/blogger/${bloggers[1]!.id}`, { token, body: { daily_videos_count: 999 } });
    expect(tooMany.status).toBe(402);
    expect(tooMany.body.error.details).toMatchObject({ limit: 'max_daily_videos_per_blogger', requested: 999 });
  });

  it('pause and resume flip is_active', async () => {
    const paused = await call('POST', `/blogger/${bloggers[0]!.id}/pause`, { token });
    expect(paused.body.blogger.is_active).toBe(false);
    const resumed = await call('POST', `/blogger/${bloggers[0]!.id}/resume`, { token });
    expect(resumed.body.blogger.is_active).toBe(true);
    const [row] = await sql`select is_active from tracked_accounts where id = ${bloggers[0]!.trackingId}`;
    expect(row!.is_active).toBe(true);
    expect((await call('POST', `/blogger/${bloggers[3]!.id}/pause`, { token })).status).toBe(404);
  });

  it('add-from-tracking starts tracking a blogger the organization already has', async () => {
    const res = await call('POST', '/blogger/add-from-tracking', { token, body: { blogger_id: bloggers[3]!.id, initial_videos_count: 3 } });
    expect(res.status).toBe(201);
    expect(res.body.blogger).toMatchObject({ id: bloggers[3]!.id, is_active: true, initial_videos_count: 3 });
    expect(res.body.workflow.instance_id).toBe(`initial-fetch-${res.body.blogger.tracking_id}`);
    const unknown = await call('POST', '/blogger/add-from-tracking', { token, body: { blogger_id: crypto.randomUUID() } });
    expect(unknown.status).toBe(404);
  });

  it('DELETE removes the blogger and its tracking, keeping its videos', async () => {
    const victim = await insertBlogger(org, 'TikTok', `echo_${crypto.randomUUID().slice(0, 6)}`);
    const [v] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, blogger_id)
      values (${org.orgId}, 'TikTok', ${'8' + Date.now()}, 'https://www.tiktok.com/@e/video/2', ${victim.id}) returning id`;
    const res = await call('DELETE', `/blogger/${victim.id}`, { token });
    expect(res.body).toEqual({ success: true, id: victim.id });
    expect(await sql`select 1 from blogger_information where id = ${victim.id}`).toHaveLength(0);
    expect(await sql`select 1 from tracked_accounts where id = ${victim.trackingId}`).toHaveLength(0);
    const [video] = await sql`select blogger_id from videos where id = ${v!.id}`;
    expect(video!.blogger_id).toBeNull();
    expect((await call('DELETE', `/blogger/${victim.id}`, { token })).status).toBe(404);
  });
});

describe('tenancy and roles', () => {
  it("another organization's blogger is 404 on every route and is left untouched", async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', `/blogger/${theirs}`],
      ['PATCH', `/blogger/${theirs}`, { daily_videos_count: 3 }],
      ['POST', `/blogger/${theirs}/pause`],
      ['POST', `/blogger/${theirs}/resume`],
      ['DELETE', `/blogger/${theirs}`],
      ['POST', '/blogger/add-from-tracking', { blogger_id: theirs }],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(method, path, { token, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const [row] = await sql`select t.is_active, t.daily_videos_count from tracked_accounts t where t.blogger_id = ${theirs}`;
    expect(row).toEqual({ is_active: true, daily_videos_count: 5 });
  });

  it('a viewer can read bloggers but not change them', async () => {
    const viewer = await addMember(sql, org.orgId, 'viewer');
    const vt = await tokenFor(viewer.userId);
    expect((await call('GET', '/blogger', { token: vt })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/blogger/add', { username: 'x', platform: 'TikTok' }],
      ['PATCH', `/blogger/${bloggers[0]!.id}`, { daily_videos_count: 3 }],
      ['POST', `/blogger/${bloggers[0]!.id}/pause`],
      ['DELETE', `/blogger/${bloggers[0]!.id}`],
    ] as [string, string, unknown?][]) {
      const res = await call(method, path, { token: vt, body });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it('refuses a new blogger past the plan’s tracked-blogger limit, with the numbers', async () => {
    const small = await createOrganization(sql, { plan: 'free' });
    const [{ max }] = await sql`select max_tracked_bloggers as max from subscription_plan_limits where plan = 'free'`;
    for (let i = 0; i < max; i++) await insertBlogger(small, 'TikTok', `fill_${i}_${crypto.randomUUID().slice(0, 4)}`);
    const res = await call('POST', '/blogger/add', { token: await tokenFor(small.userId), body: { username: `one_more_${Date.now()}`, platform: 'TikTok', initial_videos_count: 5 } });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'limit_exceeded', details: { limit: 'max_tracked_bloggers', max, usage: max, requested: 1 } });
    const [{ n }] = await sql`select count(*)::int as n from tracked_accounts where organization_id = ${small.orgId}`;
    expect(n).toBe(max);
  });
});
