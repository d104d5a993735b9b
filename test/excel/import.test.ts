import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, eventually, tokenFor } from '../helpers/api';
import { simpleWorkbook, tiktokUrl, workbook } from './files';
import { importFile, upload, waitForImport } from './helpers';

const sql = adminSql();
let org: Fixture;
let token: string;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro' });
  token = await tokenFor(org.userId);
});

const videosOf = (jobId: string) =>
  sql`select r.row_number, r.outcome, r.over_quota, v.video_url, v.platform, v.budget, v.notes, v.campaign_id, v.video_status, v.source,
             coalesce((select json_agg(t.name order by t.name) from video_tags vt join tags t on t.id = vt.tag_id where vt.video_id = v.id), '[]') as tags
      from import_job_rows r left join videos v on v.id = r.video_id where r.job_id = ${jobId} order by r.row_number`;

describe('POST /imports/excel → ExcelImport', () => {
  it('imports links with campaign, tags, budget and notes, and reports progress to 100 %', async () => {
    const [campaign] = await sql`insert into campaigns (organization_id, name) values (${org.orgId}, ${'Spring ' + crypto.randomUUID().slice(0, 6)}) returning id, name`;
    const urls = [tiktokUrl(), tiktokUrl(), 'https://youtu.be/dQw4w9WgXcQ'];
    const file = await simpleWorkbook(
      ['Video URL', ' campaign ', 'TAGS', 'Budget', 'Notes', 'Owner'],
      [
        [urls[0], campaign!.name, 'ugc, spring', 250, 'first'],
        [urls[1], '', 'ugc', '1,200.50', null],
        [urls[2], null, null, null, null],
      ],
    );
    const res = await upload(token, file, { query: { start_tracking: 'true' } });
    expect(res.status).toBe(202);
    expect(res.body.job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.job).toMatchObject({ status: 'pending', source: 'excel', start_tracking: true });

    const job = await waitForImport(token, res.body.job_id);
    expect(job).toMatchObject({
      status: 'completed',
      sheet: 'Videos',
      progress: { total: 3, processed: 3, percent: 100, added: 3, already_present: 0, invalid: 0, over_quota: 0 },
      unknown_columns: ['Owner'],
      failure: null,
    });
    const rows = await videosOf(job.id);
    expect(rows.map((r) => [r.row_number, r.outcome, r.platform, Number(r.budget ?? NaN), r.notes, r.campaign_id, r.tags, r.video_status, r.source])).toEqual([
      [2, 'added', 'TikTok', 250, 'first', campaign!.id, ['spring', 'ugc'], 'tracking', 'excel_import'],
      [3, 'added', 'TikTok', 1200.5, null, null, ['ugc'], 'tracking', 'excel_import'],
      [4, 'added', 'YouTube', NaN, null, null, [], 'tracking', 'excel_import'],
    ]);
    // the run is recorded complete by the step after the job's last one
    const run = await eventually(async () => {
      const [r] = await sql`select workflow, status, organization_id, params_summary from workflow_runs where instance_id = ${job.workflow_instance_id}`;
      return r?.status === 'complete' ? r : undefined;
    });
    expect(run).toMatchObject({ workflow: 'ExcelImport', status: 'complete', organization_id: org.orgId });
    expect(run!.params_summary).toMatchObject({ job_id: job.id, progress: { processed: 3, total: 3 } });
  });

  it('multipart upload with options as fields; the job campaign applies to rows without one', async () => {
    const [campaign] = await sql`insert into campaigns (organization_id, name) values (${org.orgId}, ${'Multi ' + crypto.randomUUID().slice(0, 6)}) returning id`;
    const file = await simpleWorkbook(['Link'], [[tiktokUrl()]]);
    const res = await upload(token, file, { multipart: true, fields: { campaign_id: campaign!.id } });
    expect(res.status).toBe(202);
    const job = await waitForImport(token, res.body.job_id);
    expect(job).toMatchObject({ status: 'completed', campaign_id: campaign!.id, progress: { added: 1 } });
    const rows = await videosOf(job.id);
    expect(rows[0]).toMatchObject({ campaign_id: campaign!.id, video_status: 'stopped' });
  });

  it('defines an outcome for every kind of cell', async () => {
    const [campaign] = await sql`insert into campaigns (organization_id, name) values (${org.orgId}, ${'Merged ' + crypto.randomUUID().slice(0, 6)}) returning id, name`;
    const hyper = tiktokUrl();
    const formula = tiktokUrl();
    const rich = tiktokUrl();
    const dup = tiktokUrl();
    const file = await workbook((s) => {
      s.addRow(['URL', 'Campaign', 'Budget', 'Tags']);
      s.addRow([{ text: 'watch this', hyperlink: hyper }, campaign!.name, { formula: '100+150', result: 250 }]); // 2 hyperlink → target
      s.addRow([{ formula: `"${formula}"`, result: formula }, null, '300']); // 3 formula → cached value; budget as text
      s.addRow([{ richText: [{ text: rich.slice(0, 20), font: { bold: true } }, { text: rich.slice(20) }] }, null, null]); // 4 rich text
      s.addRow([new Date('2026-01-02T00:00:00Z'), null, null]); // 5 a date in the URL column
      s.addRow([12345, null, null]); // 6 a number in the URL column
      s.addRow([dup, null, 'lots']); // 7 a budget that is not a number → invalid
      s.addRow([dup, null, null]); // 8 first valid occurrence of dup
      s.addRow([dup.replace('https://www.', ''), null, null]); // 9 same video, other form → duplicate
      s.addRow([{ formula: 'A2' }, null, null]); // 10 formula without cached value
      s.addRow(['not a link', null, null]); // 11
      s.addRow([null, null, null, 'orphan tag']); // 12 no link
      s.addRow([null, null, null, null]); // 13 blank: skipped
      s.mergeCells('B2:B4'); // campaign merged down rows 2–4
      for (let r = 14; r <= 40; r++) s.getRow(r).getCell(1).style = { font: { bold: true } }; // trailing formatted empty rows
    });
    const { job, errors } = await importFile(token, file);
    expect(job).toMatchObject({ status: 'completed', progress: { total: 11, processed: 11, added: 4, already_present: 1, invalid: 6, over_quota: 0 } });
    const rows = await videosOf(job.id);
    const byRow = new Map(rows.map((r) => [r.row_number, r]));
    expect(byRow.get(2)).toMatchObject({ outcome: 'added', video_url: hyper, campaign_id: campaign!.id });
    expect(Number(byRow.get(2)!.budget)).toBe(250);
    expect(byRow.get(3)).toMatchObject({ outcome: 'added', video_url: formula, campaign_id: campaign!.id });
    expect(Number(byRow.get(3)!.budget)).toBe(300);
    expect(byRow.get(4)).toMatchObject({ outcome: 'added', video_url: rich, campaign_id: campaign!.id });
    expect(byRow.get(8)).toMatchObject({ outcome: 'added', video_url: dup, campaign_id: null });
    expect(byRow.get(9)).toMatchObject({ outcome: 'duplicate', video_url: dup });
    expect(byRow.has(13)).toBe(false);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [5, 'URL', 'not_a_link'],
      [6, 'URL', 'not_a_link'],
      [7, 'Budget', 'invalid_budget'],
      [9, 'URL', 'duplicate_in_file'],
      [10, 'URL', 'formula_without_value'],
      [11, 'URL', 'unsupported_url'],
      [12, 'URL', 'missing_url'],
    ]);
    expect(errors.find((e) => e.row === 9)!.reason).toContain('row 8');
  });

  it('a video the organization already has is "already present" and keeps its own fields', async () => {
    const url = tiktokUrl();
    const first = await importFile(token, await simpleWorkbook(['URL', 'Notes'], [[url, 'kept']]));
    expect(first.job.progress.added).toBe(1);
    const second = await importFile(token, await simpleWorkbook(['URL', 'Notes'], [[url, 'ignored']]));
    expect(second.job.progress).toMatchObject({ added: 0, already_present: 1 });
    const [v] = await sql`select notes, count(*) over () as n from videos where organization_id = ${org.orgId} and video_url = ${url}`;
    expect(v).toMatchObject({ notes: 'kept', n: '1' });
  });

  it('rows over the tracked-videos quota are saved, not tracked, and counted', async () => {
    const small = await createOrganization(sql, { plan: 'pro' });
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${small.orgId}, 2)`;
    const t = await tokenFor(small.userId);
    const { job, errors } = await importFile(t, await simpleWorkbook(['URL'], [[tiktokUrl()], [tiktokUrl()], [tiktokUrl()], [tiktokUrl()]]), { start_tracking: 'true', chunk_size: '3' });
    expect(job.progress).toMatchObject({ total: 4, added: 4, over_quota: 2 });
    const [n] = await sql`select count(*)::int as tracking from videos where organization_id = ${small.orgId} and video_status = 'tracking'`;
    expect(n!.tracking).toBe(2);
    expect(errors.map((e) => [e.row, e.code])).toEqual([[4, 'over_quota'], [5, 'over_quota']]);
  });

  it('lists jobs newest first with a cursor', async () => {
    const other = await createOrganization(sql);
    const t = await tokenFor(other.userId);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await upload(t, await simpleWorkbook(['URL'], [[tiktokUrl()]]))).body.job_id);
      await waitForImport(t, ids[i]!);
    }
    const first = await call('GET', '/imports?limit=2', { token: t });
    expect(first.status).toBe(200);
    expect(first.body.data.map((j: any) => j.id)).toEqual([ids[2], ids[1]]);
    const second = await call('GET', `/imports?limit=2&cursor=${first.body.next_cursor}`, { token: t });
    expect(second.body.data.map((j: any) => j.id)).toEqual([ids[0]]);
    expect(second.body.next_cursor).toBeNull();
  });
});
