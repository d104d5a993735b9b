import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, eventually } from '../helpers/api';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { googleRetryDelayMs } from '../../src/steps/sheets-resync';
import { decryptToken, parseTokenKeys } from '../../src/google/token-crypto';
import { startScheduledWorkflow } from '../../src/scheduled';
import { sourceRunId } from '../../src/workflows/sheets-resync';
import { connectGoogle, createSource, fakeGoogle, resync, waitForSourceRun, type Cell } from './support';

const sql = adminSql();
let seq = 0;
/** A TikTok link no other test uses. */
const tiktok = () => `https://www.tiktok.com/@sheet_creator/video/7${String(Date.now()).slice(-9)}${String(++seq).padStart(9, '0')}`;
const youtube = () => `https://youtu.be/${crypto.randomUUID().replace(/-/g, '').slice(0, 11)}`;

beforeAll(async () => {
  await fakeGoogle.reset();
});

async function connected(): Promise<Fixture & { token: string; integrationId: string; email: string }> {
  const f = await createOrganization(sql);
  const email = `resync-${f.userId.slice(0, 8)}@gmail.com`;
  const { token, integrationId } = await connectGoogle(f, { email });
  return { ...f, token, integrationId, email };
}

/** A video the organization already has, with a stats snapshot. */
async function existingVideo(orgId: string, url: string, stats: { views: number; likes?: number; title?: string }) {
  const id = url.split('/').pop()!;
  const [v] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status, tracking_started_at, title)
    values (${orgId}, 'TikTok', ${id}, ${url}, 'tracking', now(), ${stats.title ?? null}) returning id`;
  await snapshot(orgId, v!.id, id, stats.views, stats.likes ?? 0);
  return v!.id as string;
}
async function snapshot(orgId: string, videoId: string, externalId: string, views: number, likes = 0) {
  await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key)
    values (${orgId}, ${videoId}, ${externalId}, ${views}, ${likes}, 0, 0, 0, ${crypto.randomUUID()})`;
}

/** Starts the per-source child directly (as the route does), so the test can modify the instance first. */
async function startChild(f: Fixture, sourceId: string, modify?: Parameters<Awaited<ReturnType<typeof introspectWorkflowInstance>>['modify']>[0]) {
  const instanceId = `sheets-resync-${sourceId}-t${Date.now()}`;
  const [job] = await sql`insert into import_jobs (organization_id, source, source_id, status, workflow_instance_id, trigger)
    values (${f.orgId}, 'google_sheets', ${sourceId}, 'pending', ${instanceId}, 'http') returning id`;
  await using instance = await introspectWorkflowInstance(env.SHEETS_RESYNC_SOURCE, instanceId);
  if (modify) await instance.modify(modify);
  await env.SHEETS_RESYNC_SOURCE.create({ id: instanceId, params: { organizationId: f.orgId, sourceId, jobId: job!.id, trigger: 'http' } });
  const status = await waitForSourceRun(instanceId);
  return { instanceId, jobId: job!.id as string, status };
}

const rowsOf = async (spreadsheetId: string, title = 'Links') => (await fakeGoogle.spreadsheet(spreadsheetId)).sheets.find((s) => s.title === title)!.rows;
const callsTo = async (spreadsheetId: string, method: string) => (await fakeGoogle.calls()).filter((c) => c.path === `/v4/spreadsheets/${spreadsheetId}/values:${method}`);

describe('SheetsResync of one source', () => {
  it('adds new links, counts duplicates and known videos, reports invalid rows with their numbers, and writes stats back RAW in one batchUpdate', async () => {
    const f = await connected();
    const [a, b, known] = [tiktok(), youtube(), tiktok()];
    await existingVideo(f.orgId, known, { views: 5000, likes: 250 });
    const rows: Cell[][] = [
      ['Video URL', 'Campaign', 'Budget', 'Tags'],
      [a, 'Spring', '120.50', 'ugc, spring'],
      [b, '', '', 'ugc'],
      ['not a link', '', ''],
      [a, 'dup', ''],
      ['', 'a note on a blank line', ''],
      [known, '', ''],
      ['https://www.tiktok.com/@someone', '', ''],
      [tiktok(), '', 'lots'],
    ];
    await sql`insert into campaigns (organization_id, name) values (${f.orgId}, 'Spring')`;
    const { sourceId, spreadsheetId } = await createSource(f, f.token, f.integrationId, rows, { mapping: { url: 'Video URL', campaign: 'Campaign', budget: 'Budget', tags: 'Tags' } });
    const getsBefore = (await callsTo(spreadsheetId, 'batchGet')).length; // creating the source read it once
    const run = await resync(f, f.token, sourceId);
    expect(run.status.status).toBe('complete');
    expect(run.status.output).toMatchObject({ rows_read: 7, added: 2, already_tracked: 1, duplicates: 1, invalid: 3, over_quota: 0, google_calls: 2 });

    const runs = await call('GET', `/sheets/sources/${sourceId}/runs`, { token: f.token, orgId: f.orgId });
    expect(runs.body.data).toHaveLength(1);
    expect(runs.body.data[0]).toMatchObject({ status: 'completed', trigger: 'http', rows_read: 7, added: 2, already_tracked: 1, invalid: 3, over_quota: 0 });
    expect(runs.body.data[0].invalid_rows.map((r: any) => r.row)).toEqual([4, 8, 9]);
    expect(runs.body.data[0].invalid_rows[0].reason).toMatch(/not a URL/);
    expect(runs.body.data[0].invalid_rows[1].reason).toMatch(/profile link/);
    expect(runs.body.data[0].invalid_rows[2].reason).toMatch(/budget 'lots'/);

    const added = await sql`select external_video_id, video_status, source, budget::text, (campaign_id is not null) as has_campaign from videos
      where organization_id = ${f.orgId} and source = 'google_sheets' order by external_video_id`;
    expect(added).toHaveLength(2);
    for (const v of added) expect(v).toMatchObject({ video_status: 'tracking', source: 'google_sheets' });
    expect(added.find((v) => a.endsWith(v.external_video_id))).toMatchObject({ budget: '120.50', has_campaign: true });

    // one batchGet, one batchUpdate, RAW
    expect((await callsTo(spreadsheetId, 'batchGet')).length - getsBefore).toBe(1);
    const writes = (await fakeGoogle.writes()).filter((w) => w.spreadsheetId === spreadsheetId);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.valueInputOption).toBe('RAW');

    const sheet = await rowsOf(spreadsheetId);
    const tags = await sql`select t.name, count(*)::int as n from video_tags vt join tags t on t.id = vt.tag_id where vt.organization_id = ${f.orgId} group by t.name order by t.name`;
    expect(tags).toEqual([{ name: 'spring', n: 1 }, { name: 'ugc', n: 2 }]);

    expect(sheet[0]!.slice(4)).toEqual(['Views', 'Likes', 'Comments', 'Reposts', 'Saves', 'ER %', 'Views +24h', 'Views +7d', 'Last updated', 'Status']);
    expect(sheet[6]!.slice(4, 7)).toEqual([5000, 250, 0]); // the known video's stats on its row (row 7)
    expect(sheet[6]![9]).toBe(5); // ER %: (250 + 0 + 0 + 0) / 5000
    expect(sheet[6]![13]).toBe('tracking');
    expect(sheet[3]![13]).toMatch(/^invalid link: not a URL/);
    expect(sheet[1]![13]).toBe('tracking');
    expect(sheet[4]![13]).toBe('tracking'); // the duplicate row shows its video too
    expect(sheet[5]!.length).toBeLessThanOrEqual(4); // the blank line is left alone
    expect(sheet[0]!.slice(0, 4)).toEqual(['Video URL', 'Campaign', 'Budget', 'Tags']); // user columns untouched

    const source = await call('GET', `/sheets/sources/${sourceId}`, { token: f.token, orgId: f.orgId });
    expect(source.body.source).toMatchObject({ status: 'active', last_error: null, running_run_id: null, last_run: { rows_read: 7, added: 2 } });
    expect(source.body.source.last_synced_at).not.toBeNull();

    // a second run adds nothing: every link is known now
    const again = await resync(f, f.token, sourceId);
    expect(again.status.output).toMatchObject({ rows_read: 7, added: 0, already_tracked: 3, duplicates: 1, invalid: 3 });
    expect((await sql`select count(*)::int as n from videos where organization_id = ${f.orgId}`)[0]!.n).toBe(3);
    // only the latest run keeps its staged rows
    const staged = await sql`select job_id, count(*)::int as n from google_sheet_run_rows where job_id in (${run.id}, ${again.id}) group by job_id`;
    expect(staged).toEqual([{ job_id: again.id, n: 7 }]);
  });

  it('stats land next to their own link after the sheet is re-sorted and rows are inserted; creator text never becomes a formula', async () => {
    const f = await connected();
    const urls = [tiktok(), tiktok(), tiktok()];
    const ids: string[] = [];
    for (const [i, u] of urls.entries()) ids.push(await existingVideo(f.orgId, u, { views: (i + 1) * 100, title: i === 0 ? '=IMPORTXML("https://evil.example","//a")' : `clip ${i}` }));
    const { sourceId, spreadsheetId } = await createSource(f, f.token, f.integrationId, [['Video URL'], ...urls.map((u) => [u])], { export: { stats: ['views', 'title'] } });
    expect((await resync(f, f.token, sourceId)).status.status).toBe('complete');
    let sheet = await rowsOf(spreadsheetId);
    expect(sheet.map((r) => r.slice(0, 3))).toEqual([['Video URL', 'Views', 'Title'], [urls[0], 100, '=IMPORTXML("https://evil.example","//a")'], [urls[1], 200, 'clip 1'], [urls[2], 300, 'clip 2']]);

    // the user sorts column A descending (only that column), inserts a row on top, and numbers change
    await fakeGoogle.putSpreadsheet({
      spreadsheetId,
      sheets: [
        { title: 'Links', sheetId: 0, rows: [sheet[0]!, ['', 'a note'], [urls[2], 100, 'stale'], [urls[0], 200, 'stale'], [urls[1], 300, 'stale']] },
        { title: 'Stats', sheetId: 77, rows: [] },
      ],
    });
    for (const [i, id] of ids.entries()) await snapshot(f.orgId, id, urls[i]!.split('/').pop()!, (i + 1) * 1000);
    expect((await resync(f, f.token, sourceId)).status.status).toBe('complete');
    sheet = await rowsOf(spreadsheetId);
    expect(sheet.slice(2).map((r) => r.slice(0, 3))).toEqual([
      [urls[2], 3000, 'clip 2'],
      [urls[0], 1000, '=IMPORTXML("https://evil.example","//a")'],
      [urls[1], 2000, 'clip 1'],
    ]);
    // stored as text: the fake keeps formulas as {formula}, so a string here means RAW
    expect(typeof sheet[3]![2]).toBe('string');
  });

  it('writes to a separate tab when asked, blanking rows a longer previous run left', async () => {
    const f = await connected();
    const urls = [tiktok(), tiktok()];
    for (const [i, u] of urls.entries()) await existingVideo(f.orgId, u, { views: 10 * (i + 1) });
    const { sourceId, spreadsheetId } = await createSource(f, f.token, f.integrationId, [['Video URL'], ...urls.map((u) => [u])], { export: { stats: ['views', 'status'], target: 'tab', tab_title: 'Stats' } });
    await resync(f, f.token, sourceId);
    expect(await rowsOf(spreadsheetId, 'Stats')).toEqual([['Video URL', 'Views', 'Status'], [urls[0], 10, 'tracking'], [urls[1], 20, 'tracking']]);
    await fakeGoogle.cells(spreadsheetId, "'Links'!A3", [['']]);
    await resync(f, f.token, sourceId);
    expect(await rowsOf(spreadsheetId, 'Stats')).toEqual([['Video URL', 'Views', 'Status'], [urls[0], 10, 'tracking'], ['', '', '']]);
    expect(await rowsOf(spreadsheetId)).toEqual([['Video URL'], [urls[0]], ['']]); // the source worksheet is not written
  });

  it('new videos start tracking only within the tracked-videos quota; the rest are reported over quota', async () => {
    const f = await connected();
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${f.orgId}, 2)`;
    await existingVideo(f.orgId, tiktok(), { views: 1 }); // uses 1 of 2
    const { sourceId, spreadsheetId } = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()], [tiktok()], [tiktok()]], { export: { stats: ['status'] } });
    const run = await resync(f, f.token, sourceId);
    expect(run.status.output).toMatchObject({ added: 1, over_quota: 2 });
    expect((await sql`select video_status::text as s, count(*)::int as n from videos where organization_id = ${f.orgId} group by 1 order by 1`).map((r) => [r.s, r.n])).toEqual([['stopped', 2], ['tracking', 2]]);
    const sheet = await rowsOf(spreadsheetId);
    expect(sheet.slice(1).map((r) => r[1])).toEqual(['tracking', 'not tracked: tracked-videos limit reached', 'not tracked: tracked-videos limit reached']);
  });

  it('a 429 from Google is retried by the step and the run completes', async () => {
    const f = await connected();
    const { sourceId, spreadsheetId } = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()]]);
    await fakeGoogle.fault({ api: 'sheets', path: `${spreadsheetId}/values:batchGet`, status: 429, times: 1 });
    const before = (await callsTo(spreadsheetId, 'batchGet')).length; // creating the source read it once
    const { status, jobId } = await startChild(f, sourceId, async (m) => {
      await m.disableRetryDelays();
    });
    expect(status.status).toBe('complete');
    const gets = (await callsTo(spreadsheetId, 'batchGet')).slice(before);
    expect(gets.map((c) => c.status)).toEqual([429, 200]);
    const [job] = await sql`select status, inserted from import_jobs where id = ${jobId}`;
    expect(job).toEqual({ status: 'completed', inserted: 1 });
  });

  it('waits longer after a 429 than after a 5xx', () => {
    const e429 = new Error('Google 429 RESOURCE_EXHAUSTED: quota');
    const e503 = new Error('Google 503 UNAVAILABLE: down');
    expect(googleRetryDelayMs(e429, 1)).toBe(60_000);
    expect(googleRetryDelayMs(e503, 1)).toBe(2_000);
    expect(googleRetryDelayMs(e503, 3)).toBe(8_000);
    expect(googleRetryDelayMs(e429, 3)).toBeGreaterThan(googleRetryDelayMs(e503, 5));
  });

  it('a 403 (access removed) marks the source broken with the reason and is not retried', async () => {
    const f = await connected();
    const { sourceId, spreadsheetId } = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()]]);
    // armed once: a retry would succeed, so an errored run proves there was none
    await fakeGoogle.fault({ api: 'sheets', path: `${spreadsheetId}/values:batchGet`, status: 403, times: 1 });
    const { status, jobId } = await startChild(f, sourceId, async (m) => {
      await m.disableRetryDelays();
    });
    expect(status.status).toBe('errored');
    expect((await callsTo(spreadsheetId, 'batchGet')).filter((c) => c.status === 403)).toHaveLength(1);
    const [job] = await sql`select status, error from import_jobs where id = ${jobId}`;
    expect(job!.status).toBe('failed');
    expect(job!.error).toMatch(/403 PERMISSION_DENIED/);
    const source = (await call('GET', `/sheets/sources/${sourceId}`, { token: f.token, orgId: f.orgId })).body.source;
    expect(source.status).toBe('broken');
    expect(source.last_error).toMatch(/lost access/);
    // editing the source is how the user fixes it: it is active again
    const fixed = await call('PATCH', `/sheets/sources/${sourceId}`, { token: f.token, orgId: f.orgId, body: { header_row: 1 } });
    expect(fixed.body.source).toMatchObject({ status: 'active', last_error: null });
  });

  it('refreshes an expired access token once and caches the new one', async () => {
    const f = await connected();
    const { sourceId } = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()]]);
    // Google says the access token is dead (expired early): 401 → the step forgets it, refreshes once, reads again
    await fakeGoogle.tokens({ expire_access: true });
    const before = (await fakeGoogle.calls()).filter((c) => c.path === '/token').length;
    const { status } = await startChild(f, sourceId, async (m) => {
      await m.disableRetryDelays();
    });
    expect(status.status).toBe('complete');
    const [creds] = await sql`select access_token_expires_at > now() + interval '50 minutes' as fresh from google_oauth_credentials where integration_id = ${f.integrationId}`;
    expect(creds!.fresh).toBe(true);
    const second = await resync(f, f.token, sourceId);
    expect((await fakeGoogle.calls()).filter((c) => c.path === '/token').length - before).toBe(1);

    // the refreshed token is nowhere in plaintext: not in the run registry, the runs, the workflow output
    const [row] = await sql`select access_token_ciphertext from google_oauth_credentials where integration_id = ${f.integrationId}`;
    const access = await decryptToken(await parseTokenKeys(env.GOOGLE_TOKEN_KEYS), row!.access_token_ciphertext, f.orgId, f.integrationId);
    expect(access).toMatch(/^ya29\.fake-/);
    const [stored] = await sql`select (select string_agg(to_jsonb(w)::text, '') from workflow_runs w where w.organization_id = ${f.orgId})
      || (select string_agg(to_jsonb(j)::text, '') from import_jobs j where j.organization_id = ${f.orgId})
      || (select string_agg(to_jsonb(s)::text, '') from google_sheet_sources s where s.organization_id = ${f.orgId}) as text`;
    expect(stored!.text.length).toBeGreaterThan(100);
    expect(stored!.text).not.toContain(access);
    expect(JSON.stringify(second.status)).not.toContain(access);
    const runs = await call('GET', `/sheets/sources/${sourceId}/runs`, { token: f.token, orgId: f.orgId });
    expect(JSON.stringify(runs.body)).not.toContain(access);
  });

  it('invalid_grant marks the integration and its sources needs_reauth, records why, and stops without retrying', async () => {
    const f = await connected();
    const { sourceId } = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()]]);
    await fakeGoogle.tokens({ revoke_refresh_for: f.email });
    const before = (await fakeGoogle.calls()).filter((c) => c.path === '/token').length;
    const { status, jobId } = await startChild(f, sourceId, async (m) => {
      await m.disableRetryDelays();
    });
    expect(status.status).toBe('errored');
    expect((await fakeGoogle.calls()).filter((c) => c.path === '/token').length - before).toBe(1);
    const integrations = (await call('GET', '/integrations/google', { token: f.token, orgId: f.orgId })).body.data;
    expect(integrations[0]).toMatchObject({ status: 'needs_reauth' });
    expect(integrations[0].status_reason).toMatch(/invalid_grant/);
    const source = (await call('GET', `/sheets/sources/${sourceId}`, { token: f.token, orgId: f.orgId })).body.source;
    expect(source.status).toBe('needs_reauth');
    expect((await sql`select status, error from import_jobs where id = ${jobId}`)[0]!.error).toMatch(/needs_reauth/);
    const again = await call('POST', `/sheets/sources/${sourceId}/resync`, { token: f.token, orgId: f.orgId });
    expect(again.status).toBe(409);

    // connecting the same account again brings the integration and its source back
    const reconnected = await connectGoogle(f, { email: f.email });
    expect(reconnected.integrationId).toBe(f.integrationId);
    expect((await call('GET', `/sheets/sources/${sourceId}`, { token: f.token, orgId: f.orgId })).body.source.status).toBe('active');
  });

  it('costs the same number of database statements and Google calls for 3 rows as for 300', async () => {
    const f = await connected();
    const small = await createSource(f, f.token, f.integrationId, [['Video URL'], ...Array.from({ length: 3 }, () => [tiktok()])]);
    const large = await createSource(f, f.token, f.integrationId, [['Video URL'], ...Array.from({ length: 300 }, () => [tiktok()])]);
    const a = (await resync(f, f.token, small.sourceId)).status.output;
    const b = (await resync(f, f.token, large.sourceId)).status.output;
    expect(b.added).toBe(300);
    expect(b.db_statements).toBe(a.db_statements);
    expect(b.db_statements).toBeLessThanOrEqual(12); // 11 with a cached token (BENCHMARKS.md lists them)
    expect(a.google_calls).toBe(2);
    expect(b.google_calls).toBe(2);
    expect(Object.keys(b.step_ms)).toEqual(['open run', 'google access token', 'read worksheet', 'parse rows', 'upsert videos', 'write stats', 'record run']);
  });

  it('answers 409 while a run of the source is open', async () => {
    const f = await connected();
    const { sourceId } = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()]]);
    const [job] = await sql`insert into import_jobs (organization_id, source, source_id, status) values (${f.orgId}, 'google_sheets', ${sourceId}, 'running') returning id`;
    const res = await call('POST', `/sheets/sources/${sourceId}/resync`, { token: f.token, orgId: f.orgId });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual({ run_id: job!.id });

    // a run stuck for 6 hours (terminated from /ops, lost) no longer blocks the source
    await sql`alter table import_jobs disable trigger set_updated_at`;
    await sql`update import_jobs set updated_at = now() - interval '7 hours' where id = ${job!.id}`;
    await sql`alter table import_jobs enable trigger set_updated_at`;
    const started = await call('POST', `/sheets/sources/${sourceId}/resync`, { token: f.token, orgId: f.orgId });
    expect(started.status).toBe(202);
    const [old] = await sql`select status, error from import_jobs where id = ${job!.id}`;
    expect(old).toMatchObject({ status: 'failed', error: expect.stringMatching(/abandoned/) });
    await waitForSourceRun(started.body.run.workflow_instance_id);
  });
});

describe('SheetsResync every 4 hours', () => {
  it('one dispatcher per window starts one child per active source; a second fire or a restarted dispatcher starts nothing twice', async () => {
    const f = await connected();
    const { sourceId, spreadsheetId } = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()]]);
    const paused = await createSource(f, f.token, f.integrationId, [['Video URL'], [tiktok()]]);
    await call('PATCH', `/sheets/sources/${paused.sourceId}`, { token: f.token, orgId: f.orgId, body: { is_active: false } });
    const at = Date.UTC(2024, 0, 1 + Math.floor(Math.random() * 28), 4 * Math.floor(Math.random() * 6));
    const first = await startScheduledWorkflow(env, '0 */4 * * *', at);
    const second = await startScheduledWorkflow(env, '0 */4 * * *', at);
    expect(first).toMatchObject({ created: true });
    expect(second).toEqual({ instanceId: first!.instanceId, created: false });
    const dispatcher = await eventually(async () => {
      const s = await env.SHEETS_RESYNC.get(first!.instanceId).then((i) => i.status());
      return ['complete', 'errored'].includes(s.status) ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(dispatcher.status).toBe('complete');
    // every child it started (other tests' sources too) ends before the test does
    const children = await sql`select instance_id from workflow_runs where triggered_by = ${first!.instanceId}`;
    expect(children.length).toBeGreaterThanOrEqual(1);
    for (const c of children) await waitForSourceRun(c.instance_id, 60_000);
    const runKey = new Date(at).toISOString().slice(0, 13);
    const childId = sourceRunId(sourceId, runKey);
    expect(childId).toBe(`sheets-resync-${sourceId}-${runKey.replace(/[^0-9]/g, '')}`);
    expect((await waitForSourceRun(childId)).status).toBe('complete');
    await expect(env.SHEETS_RESYNC_SOURCE.get(sourceRunId(paused.sourceId, runKey))).rejects.toThrow();
    expect((await fakeGoogle.writes()).filter((w) => w.spreadsheetId === spreadsheetId)).toHaveLength(1);

    // a restarted dispatcher for the same window (another instance, same run key) starts nothing again
    const restartId = `sheets-resync-restart-${crypto.randomUUID().slice(0, 8)}`;
    await env.SHEETS_RESYNC.create({ id: restartId, params: { runKey, scheduledAt: new Date(at).toISOString() } });
    const restarted = await eventually(async () => {
      const s = await env.SHEETS_RESYNC.get(restartId).then((i) => i.status());
      return s.status === 'complete' ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect((restarted.output as any).children_created).toBe(0);
    expect((await sql`select count(*)::int as n from import_jobs where workflow_instance_id = ${childId}`)[0]!.n).toBe(1);
    const [run] = await sql`select workflow, trigger, triggered_by from workflow_runs where instance_id = ${childId}`;
    expect(run).toEqual({ workflow: 'SheetsResyncSource', trigger: 'workflow', triggered_by: first!.instanceId });
  });
});
