import { z } from '@hono/zod-openapi';
import { VideoPlatformName } from '../../domain/platforms';
import { VIDEO_STATUSES } from '../../domain/statuses';
import { asUser } from '../../db/client';
import { campaignVideos, videoIncrements } from '../../db/analytics';
import { campaignStats } from '../../db/analytics-aggregate';
import { findCampaign } from '../../db/campaigns';
import { campaignVideoIdsPage, videoExtras } from '../../db/exports';
import { listVideos, type VideoRow } from '../../db/videos';
import { budgetMetrics } from '../../domain/analytics';
import { XLSX_CONTENT_TYPE } from '../../excel/template';
import { campaignSummaryRows, ExportTotals, exportSummaryRows, SUMMARY_COLUMNS, VIDEO_COLUMNS, videoRow, type ExportVideo } from '../../excel/video-export';
import { streamXlsx, type Cell } from '../../excel/xlsx-stream';
import { RangeFields, rangeInOrder, rangeNotInOrder } from '../analytics-query';
import { notFound } from '../errors';
import { defineRoute, router } from '../openapi/route';
import { xlsxFile } from '../reports/responses';
import type { AppContext } from '../context';

/** Rows per database page while an export streams: one page of rows is what the Worker holds. */
export const EXPORT_PAGE_SIZE = 1000;

export const VideosExportQuery = z
  .object({
    campaign_id: z.uuid().optional(),
    status: z.enum(VIDEO_STATUSES).optional(),
    platform: VideoPlatformName.optional(),
    ...RangeFields,
  })
  .refine(rangeInOrder, rangeNotInOrder);
const CampaignExportQuery = z.object(RangeFields).refine(rangeInOrder, rangeNotInOrder);
const IdParam = z.object({ id: z.uuid() });

const num = (v: string | null) => (v === null ? 0 : Number(v));

function xlsxResponse(c: AppContext, body: ReadableStream<Uint8Array>, fileName: string) {
  return c.body(body, 200, {
    'content-type': XLSX_CONTENT_TYPE,
    'content-disposition': `attachment; filename="${fileName}"`,
    'cache-control': 'no-store',
  });
}

/** Each page runs in its own short transaction as the caller (RLS applies), while the response streams. */
const asCallerLater = <T>(c: AppContext, fn: Parameters<typeof asUser<T>>[2]) => asUser(c.get('sql'), c.get('user').claims, fn);

async function* organizationVideos(c: AppContext, q: z.infer<typeof VideosExportQuery>, totals: ExportTotals): AsyncGenerator<Cell[][]> {
  const org = c.get('org').id;
  let afterId: string | undefined;
  for (;;) {
    const page = await asCallerLater(c, async (tx) => {
      const rows: VideoRow[] = await listVideos(tx, org, { status: q.status, platform: q.platform, campaignId: q.campaign_id, afterId, limit: EXPORT_PAGE_SIZE });
      const ids = rows.map((v) => v.id);
      return { rows, increments: await videoIncrements(tx, org, ids, { from: q.from, to: q.to }), extras: await videoExtras(tx, org, ids, { statsTime: false }) };
    });
    const out: Cell[][] = [];
    for (const v of page.rows) {
      const extra = page.extras.get(v.id);
      const latest = v.stats_updated_at === null ? null : { views: num(v.views), likes: num(v.likes), comments: num(v.comments), reposts: num(v.reposts), saves: num(v.saves) };
      const inc = page.increments.get(v.id)?.range ?? null;
      const budget = v.budget === null ? null : Number(v.budget);
      const row: ExportVideo = {
        video_url: v.video_url, platform: v.platform, status: v.video_status, title: v.title, author_username: v.author_username,
        blogger: extra?.blogger ?? null, campaign: extra?.campaign ?? null, tags: v.tags, notes: extra?.notes ?? null,
        published_at: v.published_at, tracking_started_at: v.tracking_started_at, budget,
        totals: latest, stats_updated_at: v.stats_updated_at,
        increments: inc && { views: inc.views, likes: inc.likes, comments: inc.comments, reposts: inc.reposts, saves: inc.saves },
        metrics: budgetMetrics(budget, latest ?? { views: 0, likes: 0, comments: 0, reposts: 0, saves: 0 }),
      };
      totals.add(row);
      out.push(videoRow(row));
    }
    if (out.length > 0) yield out;
    if (page.rows.length < EXPORT_PAGE_SIZE) return;
    afterId = page.rows[page.rows.length - 1]!.id;
  }
}

async function* campaignVideoRows(c: AppContext, campaignId: string, campaignName: string, range: { from?: string; to?: string }): AsyncGenerator<Cell[][]> {
  const org = c.get('org').id;
  let after: string | undefined;
  for (;;) {
    // pages by video (newest first, as the dashboard): the analytics of 1000 videos per statement,
    // whatever the campaign's size (paging by the computed sort key would recompute all of them)
    const page = await asCallerLater(c, async (tx) => {
      const ids = await campaignVideoIdsPage(tx, org, campaignId, after, EXPORT_PAGE_SIZE);
      if (ids.length === 0) return { ids, rows: [], extras: new Map() };
      const result = await campaignVideos(tx, org, campaignId, { mode: 'totals', from: range.from, to: range.to, sort: 'views', order: 'desc', videoIds: ids, limit: ids.length });
      return { ids, rows: result?.rows ?? [], extras: await videoExtras(tx, org, ids, { statsTime: true }) };
    });
    const byId = new Map(page.rows.map((r) => [r.id, r]));
    const out: Cell[][] = [];
    for (const id of page.ids) {
      const v = byId.get(id);
      if (!v) continue; // moved out of the campaign between the two statements
      const extra = page.extras.get(v.id);
      out.push(
        videoRow({
          video_url: v.video_url, platform: v.platform, status: v.video_status, title: v.title, author_username: v.author_username,
          blogger: extra?.blogger ?? null, campaign: campaignName, tags: v.tags, notes: extra?.notes ?? null,
          published_at: v.published_at, tracking_started_at: v.tracking_started_at, budget: v.budget,
          totals: v.has_stats ? v.totals : null, stats_updated_at: extra?.stats_updated_at ?? null,
          increments: v.has_stats ? v.increments : null,
          // as GET /campaigns/:id/videos (mode totals): the video's budget over its values at the end of the range
          metrics: budgetMetrics(v.budget, v.totals),
        }),
      );
    }
    if (out.length > 0) yield out;
    if (page.ids.length < EXPORT_PAGE_SIZE) return;
    after = page.ids[page.ids.length - 1];
  }
}

async function* once(rows: () => Promise<Cell[][]> | Cell[][]): AsyncGenerator<Cell[][]> {
  yield await rows();
}

const safeName = (s: string) => s.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'export';

/** GET /exports/videos.xlsx — the organization's videos (filters as GET /dashboard/videos), with a summary tab. */
const videosExportRoute = defineRoute('tenant', {
  method: 'get', path: '/videos.xlsx', tags: ['Exports'], summary: 'Export videos to Excel', description: 'The organization’s videos (filters as GET /dashboard/videos) with a summary tab, streamed.',
  request: { query: VideosExportQuery }, responses: { 200: xlsxFile('The workbook') },
}, { errors: ['not_found'] });

export const exportRoutes = router().openapi(videosExportRoute, async (c) => {
  const q = c.req.valid('query');
  const org = c.get('org').id;
  let campaignName: string | undefined;
  if (q.campaign_id) {
    const campaign = await asCallerLater(c, (tx) => findCampaign(tx, org, q.campaign_id!));
    if (!campaign) throw notFound('campaign');
    campaignName = campaign.name;
  }
  const totals = new ExportTotals();
  const body = streamXlsx(
    [
      { name: 'Videos', columns: VIDEO_COLUMNS, rows: organizationVideos(c, q, totals) },
      // written after the videos (it sums them), shown as the first tab
      { name: 'Summary', columns: SUMMARY_COLUMNS, rows: once(() => exportSummaryRows(totals, { campaign: campaignName, status: q.status, platform: q.platform, from: q.from, to: q.to })) },
    ],
    ['Summary', 'Videos'],
  );
  return xlsxResponse(c, body, `videos-${new Date().toISOString().slice(0, 10)}.xlsx`);
});

/** GET /campaigns/:id/export.xlsx — the campaign's summary (as GET /campaigns/:id/stats) and its videos (as /videos). */
const campaignExportRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/export.xlsx', tags: ['Exports'], summary: 'Export a campaign to Excel', description: 'Its summary (as GET /campaigns/{id}/stats) and its videos, streamed.',
  request: { params: IdParam, query: CampaignExportQuery }, responses: { 200: xlsxFile('The workbook') },
}, { errors: ['not_found'] });

export const campaignExportRoutes = router().openapi(campaignExportRoute, async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const org = c.get('org').id;
  const summary = await asCallerLater(c, async (tx) => {
    const campaign = await findCampaign(tx, org, id);
    if (!campaign) return null;
    const totals = await campaignStats(tx, org, id, { mode: 'totals', from: q.from, to: q.to });
    const increments = await campaignStats(tx, org, id, { mode: 'increments', from: q.from, to: q.to });
    return { name: campaign.name, rows: campaignSummaryRows(campaign.name, totals!, increments!) };
  });
  if (!summary) throw notFound('campaign');
  const body = streamXlsx([
    { name: 'Summary', columns: SUMMARY_COLUMNS, rows: once(() => summary.rows) },
    { name: 'Videos', columns: VIDEO_COLUMNS, rows: campaignVideoRows(c, id, summary.name, q) },
  ]);
  return xlsxResponse(c, body, `campaign-${safeName(summary.name)}.xlsx`);
});
