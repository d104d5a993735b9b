import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SingleVideoMessage, VideoBatchMessage } from '../../src/domain/stats-messages';
import { call, eventually } from '../helpers/api';
import { adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { fakePlatforms } from '../helpers/fake-platforms';
import { operatorJwt, ops } from './support';

const sql = adminSql();
const tag = crypto.randomUUID().slice(0, 8);
let org: Fixture;
let other: Fixture;
let n = 0;

const digits = () => `74${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;

async function trackedVideo(o: Fixture = org) {
  const ext = digits();
  const url = `https://www.tiktok.com/@c/video/${ext}`;
  const [v] = await sql<{ id: string }[]>`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
    values (${o.orgId}, 'TikTok', ${ext}, ${url}, 'tracking') returning id`;
  return { id: v!.id, ext, url };
}

function single(video: { id: string; ext: string; url: string }, o: Fixture = org): SingleVideoMessage {
  return {
    type: 'single_video',
    video_id: video.id,
    video: { organization_id: o.orgId, video_url: video.url, initial_url: video.url, platform: 'TikTok', external_video_id: video.ext, user_id: o.userId },
    source: 'test',
    priority: 'high',
  };
}

/** A dead letter as the consumer records it (fixture; the end-to-end test makes one through the real queues). */
async function letter(opts: { queue?: string; code?: string; o?: Fixture | null; body?: unknown; createdAt?: Date } = {}) {
  const body = opts.body ?? single(await trackedVideo(opts.o ?? org), opts.o ?? org);
  const o = opts.o === null ? null : (opts.o ?? org);
  const [row] = await sql<{ id: string }[]>`
    insert into dead_letters (message_id, source_queue, error_code, reason, attempts, organization_id, body, created_at)
    values (${`dl-${tag}-${n++}`}, ${opts.queue ?? 'influtics-high-priority'}, ${opts.code ?? `quota_${tag}`}, 'monthly quota exhausted', 1,
            ${o?.orgId ?? null}, ${sql.json(body as never)}, ${opts.createdAt ?? new Date()})
    returning id::text`;
  return row!.id;
}

const snapshots = async (videoId: string) => (await sql<{ n: number }[]>`select count(*)::int as n from video_statistics where video_id = ${videoId}`)[0]!.n;
const audit = (id: string) => sql`select action, actor, outcome, error, details, bulk_id, organization_id from ops_actions where dead_letter_id = ${id} order by id`;

beforeAll(async () => {
  org = await createOrganization(sql);
  other = await createOrganization(sql);
});
beforeEach(async () => {
  await fakePlatforms.reset();
});

describe('end to end over the real queues', () => {
  it('a message that failed for good is listed with its original message, replayed once to its queue, and the replay is audited', async () => {
    const video = await trackedVideo();
    // the platform's monthly quota is exhausted: the stats consumer dead-letters the message for good
    await fakePlatforms.fault({ platform: 'tiktok', kind: 'rate_limit_monthly', times: 1 });
    const message = single(video);
    await env.HIGH_PRIORITY.send(message);
    const listed = await eventually(async () => {
      const res = await ops('GET', `/dead-letters?organization_id=${org.orgId}&queue=influtics-high-priority&status=open`);
      return res.body.data.find((l: any) => l.error_code !== `quota_${tag}`);
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(listed).toMatchObject({ source_queue: 'influtics-high-priority', organization_id: org.orgId, status: 'open', replayed_at: null, replay_count: 0 });
    expect(listed).not.toHaveProperty('body');
    expect(await snapshots(video.id)).toBe(0);

    const detail = await ops('GET', `/dead-letters/${listed.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.dead_letter.body).toEqual(message);
    expect(detail.body.replay).toEqual({ possible: true, queue: 'influtics-high-priority' });

    // the quota is back: the replay goes through the queue and the consumer writes the snapshot
    const operatorId = crypto.randomUUID();
    const replay = await call('POST', `/ops/api/dead-letters/${listed.id}/replay`, { token: await operatorJwt('operator', operatorId) });
    expect(replay.status).toBe(200);
    expect(replay.body.result).toEqual({ id: listed.id, outcome: 'ok', error: null, queue: 'influtics-high-priority' });
    expect(replay.body.dead_letter).toMatchObject({ status: 'replayed', replay_queue: 'influtics-high-priority', replay_count: 1, resolved_by: `user:${operatorId}` });
    await eventually(async () => (await snapshots(video.id)) === 1, { timeoutMs: 20_000 });

    // a second click sends nothing: 409, and the letter says when and by whom it was replayed
    const twice = await ops('POST', `/dead-letters/${listed.id}/replay`);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(new RegExp(`already replayed to influtics-high-priority at .* by user:${operatorId}: send again: true`)) });
    expect((await ops('GET', `/dead-letters/${listed.id}`)).body.dead_letter.replay_count).toBe(1);

    expect(await audit(listed.id)).toEqual([
      { action: 'dead_letter_replay', actor: `user:${operatorId}`, outcome: 'ok', error: null, bulk_id: null, organization_id: org.orgId,
        details: { queue: 'influtics-high-priority', again: false, from_status: 'open', source_queue: 'influtics-high-priority', error_code: listed.error_code } },
      { action: 'dead_letter_replay', actor: 'ops-token', outcome: 'rejected', error: expect.stringMatching(/already replayed/), bulk_id: null, organization_id: org.orgId,
        details: { queue: 'influtics-high-priority', again: false, from_status: 'replayed', source_queue: 'influtics-high-priority', error_code: listed.error_code } },
    ]);
    const log = await ops('GET', `/actions?dead_letter_id=${listed.id}`);
    expect(log.body.data.map((a: any) => [a.action, a.outcome])).toEqual([['dead_letter_replay', 'rejected'], ['dead_letter_replay', 'ok']]);
  });

  it('again: true replays a replayed letter once more, on purpose', async () => {
    const video = await trackedVideo();
    const id = await letter({ body: single(video) });
    expect((await ops('POST', `/dead-letters/${id}/replay`)).status).toBe(200);
    await eventually(async () => (await snapshots(video.id)) === 1, { timeoutMs: 20_000 });
    const again = await ops('POST', `/dead-letters/${id}/replay`, { body: { again: true } });
    expect(again.status).toBe(200);
    expect(again.body.dead_letter.replay_count).toBe(2);
    await eventually(async () => (await snapshots(video.id)) === 2, { timeoutMs: 20_000 });
  });

  it('a message the runtime moved here after max_retries goes back to the queue its shape names', async () => {
    const video = await trackedVideo();
    const batch: VideoBatchMessage = {
      type: 'video_batch', platform: 'tiktok', priority: 'low', batchNumber: 1, totalBatches: 1, batchSize: 1, enqueuedAt: new Date().toISOString(), requestId: `r-${tag}`,
      videos: [{ videoId: video.id, videoUrl: video.url, userId: null, organizationId: org.orgId, externalVideoId: video.ext }],
    };
    const id = await letter({ queue: 'unknown (retries exhausted)', code: 'retries_exhausted', body: batch });
    expect((await ops('GET', `/dead-letters/${id}`)).body.replay).toEqual({ possible: true, queue: 'influtics-low-priority' });
    const res = await ops('POST', `/dead-letters/${id}/replay`);
    expect(res.body.result.queue).toBe('influtics-low-priority');
    await eventually(async () => (await snapshots(video.id)) === 1, { timeoutMs: 20_000 });
  });
});

describe('list and detail', () => {
  it('filters by queue, error code, organization, since and status, newest first with a cursor', async () => {
    const code = `filter_${tag}`;
    const old = await letter({ code, createdAt: new Date(Date.now() - 3 * 86_400_000) });
    const a = await letter({ code });
    const b = await letter({ code, queue: 'influtics-low-priority' });
    const c = await letter({ code, o: other });
    const all = await ops('GET', `/dead-letters?error_code=${code}`);
    expect(all.body.data.map((l: any) => l.id)).toEqual([c, b, a, old]);
    expect((await ops('GET', `/dead-letters?error_code=${code}&queue=influtics-low-priority`)).body.data.map((l: any) => l.id)).toEqual([b]);
    expect((await ops('GET', `/dead-letters?error_code=${code}&organization_id=${other.orgId}`)).body.data.map((l: any) => l.id)).toEqual([c]);
    const since = new Date(Date.now() - 86_400_000).toISOString();
    expect((await ops('GET', `/dead-letters?error_code=${code}&since=${encodeURIComponent(since)}`)).body.data.map((l: any) => l.id)).toEqual([c, b, a]);

    const page1 = await ops('GET', `/dead-letters?error_code=${code}&limit=3`);
    expect(page1.body.data.map((l: any) => l.id)).toEqual([c, b, a]);
    expect(page1.body.next_cursor).toBe(a);
    const page2 = await ops('GET', `/dead-letters?error_code=${code}&limit=3&cursor=${page1.body.next_cursor}`);
    expect(page2.body).toEqual({ data: [expect.objectContaining({ id: old })], next_cursor: null });

    await ops('POST', `/dead-letters/${a}/resolve`, { body: { note: 'video was deleted' } });
    expect((await ops('GET', `/dead-letters?error_code=${code}&status=open`)).body.data.map((l: any) => l.id)).toEqual([c, b, old]);
    expect((await ops('GET', `/dead-letters?error_code=${code}&status=resolved,replayed`)).body.data.map((l: any) => l.id)).toEqual([a]);
  });

  it('the detail of a malformed message says it cannot be replayed, and replaying it is refused (422) without marking it', async () => {
    const id = await letter({ code: 'invalid_message', body: { type: 'single_video', video_id: 'nope' } });
    const detail = await ops('GET', `/dead-letters/${id}`);
    expect(detail.body.replay).toEqual({ possible: false, reason: expect.stringMatching(/not a valid stats message .*resolve it instead/) });
    const res = await ops('POST', `/dead-letters/${id}/replay`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unprocessable');
    expect((await ops('GET', `/dead-letters/${id}`)).body.dead_letter.status).toBe('open');
  });

  it('answers 404 for a letter that does not exist, and 400 for bad ids, filters and cursors', async () => {
    expect((await ops('GET', '/dead-letters/999999999999')).status).toBe(404);
    expect((await ops('POST', '/dead-letters/999999999999/replay')).body.error.code).toBe('not_found');
    expect((await ops('POST', '/dead-letters/999999999999/resolve', { body: { note: 'x' } })).status).toBe(404);
    for (const path of ['/dead-letters/abc', '/dead-letters/-1', '/dead-letters?organization_id=nope', '/dead-letters?since=2026-02-30T00:00:00Z',
      '/dead-letters?since=yesterday', '/dead-letters?status=lost', '/dead-letters?cursor=x1', '/dead-letters?limit=0', `/dead-letters?queue=${encodeURIComponent('a\u0000b')}`]) {
      const res = await ops('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('validation_failed');
    }
  });
});

describe('resolve', () => {
  it('closes an open letter with the note, audited; resolving it again is a conflict', async () => {
    const id = await letter();
    const res = await ops('POST', `/dead-letters/${id}/resolve`, { body: { note: '  creator deleted the video  ' } });
    expect(res.status).toBe(200);
    expect(res.body.dead_letter).toMatchObject({ status: 'resolved', resolution_note: 'creator deleted the video', resolved_by: 'ops-token', replayed_at: null });
    const again = await ops('POST', `/dead-letters/${id}/resolve`, { body: { note: 'again' } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/was resolved at .* by ops-token/);
    // a resolved letter is not replayed by accident either
    expect((await ops('POST', `/dead-letters/${id}/replay`)).status).toBe(409);
    expect((await audit(id)).map((r) => [r.action, r.outcome, r.details.note ?? null])).toEqual([
      ['dead_letter_resolve', 'ok', 'creator deleted the video'],
      ['dead_letter_resolve', 'rejected', 'again'],
      ['dead_letter_replay', 'rejected', null],
    ]);
  });

  it('needs a note without NUL characters, and a JSON body', async () => {
    const id = await letter();
    for (const body of [{}, { note: '' }, { note: '   ' }, { note: 'a\u0000b' }, { note: 'x'.repeat(2001) }, { note: 'ok', extra: 1 }]) {
      const res = await ops('POST', `/dead-letters/${id}/resolve`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await ops('POST', `/dead-letters/${id}/replay`, { rawBody: '{nope' })).body.error.code).toBe('bad_request');
    expect((await ops('POST', `/dead-letters/${id}/replay`, { body: { again: 'yes' } })).status).toBe(400);
    expect((await ops('GET', `/dead-letters/${id}`)).body.dead_letter.status).toBe('open');
  });
});

describe('bulk', () => {
  it('dry run, then the confirmed count: resolves every open letter the filter matches, as one audited decision', async () => {
    const code = `bulk_${tag}`;
    const ids = [await letter({ code }), await letter({ code }), await letter({ code, queue: 'influtics-low-priority' })];
    const handled = await letter({ code });
    await ops('POST', `/dead-letters/${handled}/resolve`, { body: { note: 'earlier' } });

    const dry = await ops('POST', '/dead-letters/bulk', { body: { action: 'resolve', note: 'platform outage, data refetched nightly', filter: { error_code: code }, dry_run: true } });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ dry_run: true, action: 'resolve', matched: 3, by_status: { open: 3 }, by_queue: { 'influtics-high-priority': 2, 'influtics-low-priority': 1 }, ids: [...ids].reverse() });
    expect((await sql`select count(*)::int as n from ops_actions where dead_letter_id in ${sql(ids)}`)[0]!.n).toBe(0);

    const missing = await ops('POST', '/dead-letters/bulk', { body: { action: 'resolve', note: 'x', filter: { error_code: code } } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.issues[0].path).toBe('expected_count');

    // a letter arrives between the dry run and the confirmation: the count no longer matches
    const late = await letter({ code });
    const stale = await ops('POST', '/dead-letters/bulk', { body: { action: 'resolve', note: 'x', filter: { error_code: code }, expected_count: 3 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details).toEqual({ matched: 4, expected_count: 3 });

    const res = await ops('POST', '/dead-letters/bulk', { body: { action: 'resolve', note: 'platform outage, data refetched nightly', filter: { error_code: code }, expected_count: 4 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'resolve', matched: 4, ok: 4, failed: 0, rejected: 0 });
    const rows = await sql`select dead_letter_id::text as id, action, outcome, bulk_id from ops_actions where bulk_id = ${res.body.bulk_id} order by dead_letter_id`;
    expect(rows.map((r) => r.id)).toEqual([...ids, late].sort((x, y) => Number(x) - Number(y)));
    expect(new Set(rows.map((r) => `${r.action}/${r.outcome}`))).toEqual(new Set(['dead_letter_resolve/ok']));
    expect((await ops('GET', `/dead-letters?error_code=${code}&status=open`)).body.data).toEqual([]);
  });

  it('bulk replay by ids sends each open letter once and rejects the already-replayed one', async () => {
    const v1 = await trackedVideo();
    const v2 = await trackedVideo();
    const a = await letter({ body: single(v1) });
    const b = await letter({ body: single(v2) });
    expect((await ops('POST', `/dead-letters/${b}/replay`)).status).toBe(200);
    const res = await ops('POST', '/dead-letters/bulk', { body: { action: 'replay', ids: [a, b], expected_count: 2 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 2, ok: 1, rejected: 1, failed: 0 });
    expect(res.body.results.find((r: any) => r.id === b)).toMatchObject({ outcome: 'rejected', error: expect.stringMatching(/already replayed/) });
    await eventually(async () => (await snapshots(v1.id)) === 1 && (await snapshots(v2.id)) === 1, { timeoutMs: 20_000 });
    // give the queue time to deliver a stray duplicate, then check there was none
    await new Promise((r) => setTimeout(r, 1_500));
    expect([await snapshots(v1.id), await snapshots(v2.id)]).toEqual([1, 1]);
  });

  it('refuses unknown ids (404), an empty filter, a resolve without note, and both filter and ids (400)', async () => {
    const id = await letter();
    const unknown = await ops('POST', '/dead-letters/bulk', { body: { action: 'resolve', note: 'x', ids: [id, '999999999999'], expected_count: 2 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details).toEqual({ ids: ['999999999999'] });
    for (const body of [
      { action: 'resolve', note: 'x', filter: {}, dry_run: true },
      { action: 'resolve', filter: { error_code: 'x' }, dry_run: true },
      { action: 'resolve', note: 'x', filter: { error_code: 'x' }, ids: [id], dry_run: true },
      { action: 'delete', ids: [id], dry_run: true },
      { action: 'resolve', note: 'x', filter: { since: '2026-13-01T00:00:00Z' }, dry_run: true },
      { action: 'resolve', note: 'x', again: true, ids: [id], dry_run: true },
    ]) {
      const res = await ops('POST', '/dead-letters/bulk', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});

describe('roles', () => {
  it('viewers read dead letters but may not replay, resolve or bulk-act; operators and admins may', async () => {
    const id = await letter();
    const viewer = await operatorJwt('viewer');
    expect((await call('GET', `/ops/api/dead-letters/${id}`, { token: viewer })).status).toBe(200);
    for (const [path, body] of [[`/ops/api/dead-letters/${id}/replay`, undefined], [`/ops/api/dead-letters/${id}/resolve`, { note: 'x' }], ['/ops/api/dead-letters/bulk', { action: 'resolve', note: 'x', ids: [id], expected_count: 1 }]] as const) {
      const res = await call('POST', path, { token: viewer, body });
      expect(res.status, path).toBe(403);
    }
    expect((await ops('GET', `/dead-letters/${id}`)).body.dead_letter.status).toBe('open');
    expect(await audit(id)).toEqual([]);
    const res = await call('POST', `/ops/api/dead-letters/${id}/resolve`, { token: await operatorJwt('admin'), body: { note: 'admin closes it' } });
    expect(res.status).toBe(200);
  });
});

describe('tenant isolation in the database', () => {
  it("members read their own organization's dead letters with their resolution, never another's, and cannot change them", async () => {
    const mine = await letter({ o: other });
    const theirs = await letter({ o: org });
    await ops('POST', `/dead-letters/${mine}/resolve`, { body: { note: 'handled by support' } });
    const seen = await rolledBackAs(sql, { sub: other.userId }, (tx) => tx`select id::text, resolution, resolution_note from dead_letters where id in (${mine}, ${theirs})`);
    expect(seen).toEqual([{ id: mine, resolution: 'resolved', resolution_note: 'handled by support' }]);
    const changed = await rolledBackAs(sql, { sub: other.userId }, (tx) => tx`update dead_letters set resolution = null, resolved_at = null where id = ${mine} returning id`);
    expect(changed).toEqual([]);
  });
});
