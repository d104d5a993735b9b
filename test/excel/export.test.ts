import { fetchWorker } from '../helpers/worker';
import ExcelJS from 'exceljs';
import { unzipSync, strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { createCampaignFixture, insertSnapshots, insertVideo, type CampaignFixture } from '../campaigns/fixtures';
import { XLSX } from './helpers';

const sql = adminSql();
let f: CampaignFixture;
let token: string;

/** Cells a spreadsheet would evaluate if they were written as plain text. */
const HOSTILE = {
  title: '=HYPERLINK("http://evil.example","click")',
  notes: '-2+3',
  author: '@SUM(A1:A9)',
  blogger: '+cmd|/C calc',
  tag: '\tleading tab',
  campaign: '\rcarriage',
};

async function download(path: string, t = token) {
  const res = await fetchWorker(`${path}`, { headers: { authorization: `Bearer ${t}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes };
}

async function load(bytes: Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return wb;
}

/** The sheet as objects keyed by header. */
function records(sheet: ExcelJS.Worksheet) {
  const headers = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
  const out: Record<string, unknown>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    if (!row.hasValues) continue;
    out.push(Object.fromEntries(headers.map((h, k) => [h, row.getCell(k + 1).value ?? null])));
  }
  return out;
}

beforeAll(async () => {
  f = await createCampaignFixture(sql);
  token = await tokenFor(f.owner.userId);
  await sql`update campaigns set name = ${HOSTILE.campaign + ' March push'} where id = ${f.campaignId}`;
  await sql`update videos set title = ${HOSTILE.title}, notes = ${HOSTILE.notes}, author_username = ${HOSTILE.author} where id = ${f.v.v1}`;
  await sql`update blogger_information set username = ${HOSTILE.blogger} where id = ${f.b.b2}`;
  const [tag] = await sql`insert into tags (organization_id, name) values (${f.owner.orgId}, ${HOSTILE.tag}) returning id`;
  await sql`insert into video_tags (organization_id, video_id, tag_id) values (${f.owner.orgId}, ${f.v.v1}, ${tag!.id})`;
});

describe('GET /campaigns/:id/export.xlsx', () => {
  it('answers the numbers of GET /campaigns/:id/stats and /videos, typed, with a styled frozen header and filters', async () => {
    const { res, bytes } = await download(`/campaigns/${f.campaignId}/export.xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="campaign-carriage-March-push\.xlsx"/);
    const wb = await load(bytes);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Videos']);

    const totals = (await call('GET', `/campaigns/${f.campaignId}/stats?mode=totals`, { token })).body;
    const increments = (await call('GET', `/campaigns/${f.campaignId}/stats?mode=increments`, { token })).body;
    const summary = new Map(records(wb.getWorksheet('Summary')!).map((r) => [r.Metric, [r.Totals, r['Increase in range']]]));
    expect(summary.get('Videos')![0]).toBe(totals.videos.count);
    for (const m of ['views', 'likes', 'comments', 'reposts', 'saves', 'engagements']) {
      expect(summary.get(m[0]!.toUpperCase() + m.slice(1)), m).toEqual([totals.stats[m], increments.stats[m]]);
    }
    expect(summary.get('Budget')![0]).toBe(totals.budget.effective);
    expect(summary.get('CPM')).toEqual([totals.metrics.cpm, increments.metrics.cpm]);
    expect(summary.get('Engagement rate')).toEqual([totals.metrics.engagement_rate, increments.metrics.engagement_rate]);
    expect(summary.get('From')![0]).toEqual(new Date('2026-03-02T00:00:00Z'));

    const api = (await call('GET', `/campaigns/${f.campaignId}/videos?limit=100`, { token })).body.data as any[];
    const sheet = wb.getWorksheet('Videos')!;
    const rows = records(sheet);
    expect(rows).toHaveLength(api.length);
    // the export lists videos newest first (as the dashboard); the API sorts by views
    expect(rows.map((r) => r['Video URL']).sort()).toEqual(api.map((v) => v.video_url).sort());
    for (const v of api) {
      const row = rows.find((r) => r['Video URL'] === v.video_url)!;
      expect(row.Budget).toBe(v.budget);
      expect(row.Views).toBe(v.totals?.views ?? null);
      expect(row.Saves).toBe(v.totals?.saves ?? null);
      expect(row['Views +']).toBe(v.increments?.views ?? null);
      expect(row['Comments +']).toBe(v.increments?.comments ?? null);
      expect(row.CPM).toBe(v.metrics.cpm);
      expect(row.CPE).toBe(v.metrics.cpe);
      expect(row['Engagement rate']).toBe(v.metrics.engagement_rate);
      if (v.published_at) expect(row.Published).toEqual(new Date(v.published_at));
    }
    const v1 = rows.find((r) => r.Views === 6000)!;
    expect(typeof v1.Views).toBe('number');
    expect(v1['Tracking since']).toBeInstanceOf(Date);
    const v1Row = rows.indexOf(v1) + 2;
    expect(sheet.getCell(`M${v1Row}`).numFmt).toBe('#,##0'); // Views
    expect(sheet.getCell(`L${v1Row}`).numFmt).toBe('#,##0.00'); // Budget
    expect(sheet.getCell(`S${v1Row}`).numFmt).toBe('0.00%'); // Engagement rate
    expect(sheet.getCell(`J${v1Row}`).numFmt).toBe('yyyy-mm-dd'); // Published
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:AB${rows.length + 1}`);
    expect(sheet.getColumn(1).width).toBe(48);
    expect(sheet.getCell('A1').font).toMatchObject({ bold: true });
  });

  it('no text cell is a formula: creator, platform and user text starting with = + - @ tab or CR gets a leading apostrophe', async () => {
    const { bytes } = await download(`/campaigns/${f.campaignId}/export.xlsx`);
    const wb = await load(bytes);
    const v1 = records(wb.getWorksheet('Videos')!).find((r) => r.Views === 6000)!;
    expect(v1.Title).toBe(`'${HOSTILE.title}`);
    expect(v1.Notes).toBe(`'${HOSTILE.notes}`);
    expect(v1.Author).toBe(`'${HOSTILE.author}`);
    expect(v1.Tags).toBe(`'${HOSTILE.tag}`);
    expect(v1.Campaign).toBe(`'${HOSTILE.campaign} March push`);
    const bob = records(wb.getWorksheet('Videos')!).find((r) => r.Views === 52000)!;
    expect(bob.Blogger).toBe(`'${HOSTILE.blogger}`);
    // every cell of every sheet: no formula, and no string value that starts with a trigger
    for (const sheet of wb.worksheets) {
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
          if (typeof cell.value === 'string') expect(cell.value).not.toMatch(/^[=+\-@\t\r]/);
        }),
      );
    }
    // and the raw XML has no <f> element at all
    for (const [name, data] of Object.entries(unzipSync(bytes))) {
      if (name.startsWith('xl/worksheets/')) expect(strFromU8(data)).not.toMatch(/<f[\s>]/);
    }
  });

  it('another organization\'s campaign is 404; a bad range is 400', async () => {
    const other = await createOrganization(sql);
    const res = await call('GET', `/campaigns/${f.campaignId}/export.xlsx`, { token: await tokenFor(other.userId) });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    const bad = await call('GET', `/campaigns/${f.campaignId}/export.xlsx?from=2026-03-09&to=2026-03-01`, { token });
    expect(bad.status).toBe(400);
    const impossible = await call('GET', `/campaigns/${f.campaignId}/export.xlsx?from=2026-02-30`, { token });
    expect(impossible.status).toBe(400);
  });
});

describe('GET /exports/videos.xlsx', () => {
  let org: Fixture;
  let t: string;
  beforeAll(async () => {
    org = await createOrganization(sql);
    t = await tokenFor(org.userId);
  });

  it('answers the numbers of GET /dashboard/videos for the same filters and range, over several pages', async () => {
    // 2,100 videos: three database pages of the export; 3 with snapshots
    await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status, budget)
              select ${org.orgId}, 'YouTube', 'yt' || g, 'https://www.youtube.com/watch?v=' || g, 'stopped', null from generate_series(1, 2100) g`;
    const ids: string[] = [];
    for (const [k, budget] of [100, 50, null].entries()) {
      const id = await insertVideo(sql, org.orgId, { budget, publishedAt: '2026-01-0' + (k + 1) + 'T10:00:00Z' });
      ids.push(id);
      await insertSnapshots(sql, org.orgId, id, [
        ['2026-03-01T10:00:00Z', 1000 * (k + 1), 10, 5, 1, 1],
        ['2026-03-05T10:00:00Z', 4000 * (k + 1), 40, 9, 2, 3],
      ]);
    }
    const { res, bytes } = await download('/exports/videos.xlsx?status=tracking&from=2026-03-02&to=2026-03-06', t);
    expect(res.status).toBe(200);
    const wb = await load(bytes);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Videos']);
    const rows = records(wb.getWorksheet('Videos')!);
    const api = (await call('GET', '/dashboard/videos?status=tracking&from=2026-03-02&to=2026-03-06&limit=100', { token: t })).body.data as any[];
    expect(rows.map((r) => r['Video URL'])).toEqual(api.map((v) => v.video_url));
    for (const [k, v] of api.entries()) {
      expect(rows[k]!.Views).toBe(v.latest_stats.views);
      expect(rows[k]!.Likes).toBe(v.latest_stats.likes);
      expect(rows[k]!['Views +']).toBe(v.increments.range.views);
      expect(rows[k]!['Saves +']).toBe(v.increments.range.saves);
      expect(rows[k]!.Budget).toBe(v.budget);
      expect(rows[k]!['Stats updated']).toEqual(new Date(v.latest_stats.fetched_at));
    }
    const summary = new Map(records(wb.getWorksheet('Summary')!).map((r) => [r.Metric, [r.Totals, r['Increase in range']]]));
    expect(summary.get('Videos')![0]).toBe(3);
    expect(summary.get('Views')).toEqual([4000 + 8000 + 12000, 3000 + 6000 + 9000]);
    expect(summary.get('Budget (sum of videos)')![0]).toBe(150);
    expect(summary.get('Filter: status')![0]).toBe('tracking');

    const all = records(wb.getWorksheet('Videos')!).length;
    expect(all).toBe(3);
    const { bytes: everything } = await download('/exports/videos.xlsx', t);
    const allRows = records((await load(everything)).getWorksheet('Videos')!);
    expect(allRows).toHaveLength(2103);
    expect(new Set(allRows.map((r) => r['Video URL'])).size).toBe(2103);
  });

  it('filters by campaign (another organization\'s campaign is 404) and validates its query', async () => {
    expect((await call('GET', `/exports/videos.xlsx?campaign_id=${f.campaignId}`, { token: t })).status).toBe(404);
    const { bytes } = await download(`/exports/videos.xlsx?campaign_id=${f.campaignId}`);
    expect(records((await load(bytes)).getWorksheet('Videos')!)).toHaveLength(5);
    expect((await call('GET', '/exports/videos.xlsx?platform=MySpace', { token: t })).status).toBe(400);
    expect((await call('GET', '/exports/videos.xlsx', {})).status).toBe(401);
  });
});
