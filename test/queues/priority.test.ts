import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVideoBatchMessages } from '../../src/steps/stats-fan-out';
import type { SingleVideoMessage } from '../../src/domain/stats-messages';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { eventually } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';

const sql = adminSql();
let org: Fixture;

beforeAll(async () => {
  await fakePlatforms.reset();
  org = await createOrganization(sql);
});

describe('priorities', () => {
  it('a HIGH_PRIORITY video is refreshed while a LOW_PRIORITY backlog is still stuck', async () => {
    // a nightly backlog of YouTube batches whose every platform call takes 4 s
    await fakePlatforms.fault({ platform: 'youtube', kind: 'slow', delayMs: 4_000 });
    const backlog = await sql`
      insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      select ${org.orgId}, 'YouTube', substr(md5(random()::text), 1, 11), 'https://www.youtube.com/watch?v=x', 'tracking'
      from generate_series(1, 200) returning id, external_video_id, video_url`;
    const messages = buildVideoBatchMessages(
      backlog.map((v) => ({ videoId: v.id, organizationId: org.orgId, platform: 'YouTube' as const, externalVideoId: v.external_video_id, videoUrl: v.video_url, userId: null })),
      { priority: 'low', requestId: 'backlog' },
    );
    await env.LOW_PRIORITY.sendBatch(messages.map((body) => ({ body, contentType: 'json' as const })));

    // then one user clicks "start tracking" on a TikTok video
    const ext = `76${Date.now()}`;
    const [video] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      values (${org.orgId}, 'TikTok', ${ext}, ${'https://www.tiktok.com/@p/video/' + ext}, 'tracking') returning id, video_url`;
    const message: SingleVideoMessage = {
      type: 'single_video',
      video_id: video!.id,
      video: { organization_id: org.orgId, video_url: video!.video_url, initial_url: null, platform: 'TikTok', external_video_id: ext, user_id: org.userId },
      source: 'test',
      priority: 'high',
    };
    await env.HIGH_PRIORITY.send(message, { contentType: 'json' });

    await eventually(async () => (await sql`select 1 from video_statistics where video_id = ${video!.id}`).length === 1, { timeoutMs: 10_000 });
    const [{ done }] = await sql`select count(*)::int as done from video_statistics where video_id = any(${backlog.map((v) => v.id)}::uuid[])`;
    expect(done).toBeLessThan(backlog.length);
    await fakePlatforms.reset();
  });
});
