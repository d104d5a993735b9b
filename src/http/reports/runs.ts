import { z } from '@hono/zod-openapi';
import { fromCursor, toCursor } from '../cursor';
import { deliveriesOf, findRun, findSchedule, insertShareLink, listRuns, organizationTimeZone, revokeShareLinks, type RunRow } from '../../db/reports';
import { shareUrls } from '../../reports/config';
import { computeFigures } from '../../reports/figures';
import { digestHtml, digestText } from '../../reports/render';
import { periodFor, previousPeriod, zonedTime } from '../../reports/schedule-time';
import { hashShareToken, newShareToken } from '../../reports/share-token';
import { XLSX_CONTENT_TYPE } from '../../reports/xlsx';
import { asCaller } from '../caller';
import { ApiError, notFound } from '../errors';
import { PageQuery } from '../pagination';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Page, Timestamp, Uuid } from '../openapi/schemas';
import { Figures, Run, RunWithFigures, xlsxFile } from './responses';
import { IdParam, ShareBody } from './schemas';

type Delivery = Awaited<ReturnType<typeof deliveriesOf>>[number];

/**
 * A delivery's status as a user reads it: `skipped` (no address for the channel), else the
 * outbox's own (queued → sending → sent | failed | cancelled).
 */
const deliveryJson = (d: Delivery) => ({
  recipient: d.recipient,
  channel: d.channel,
  address: d.address,
  status: d.status === 'skipped' ? 'skipped' : (d.outbox_status ?? 'queued'),
  detail: d.detail ?? d.outbox_error,
  sent_at: d.sent_at,
});

function runJson(r: RunRow, deliveries: Delivery[]) {
  return {
    id: r.id,
    schedule_id: r.schedule_id,
    schedule_name: r.schedule_name,
    period: { start: r.period_start, end: r.period_end },
    status: r.status,
    error: r.error,
    has_file: r.file_key !== null,
    file_size: r.file_size,
    created_at: r.created_at,
    completed_at: r.completed_at,
    deliveries: deliveries.filter((d) => d.run_id === r.id).map(deliveryJson),
  };
}

const RunsQuery = PageQuery.extend({ schedule_id: z.uuid().optional() });

const RunCursor = z.object({ at: z.iso.datetime(), id: z.uuid() });
const encodeRunCursor = (r: RunRow) => toCursor({ at: new Date(r.created_at).toISOString(), id: r.id });
const decodeRunCursor = (cursor: string | undefined) => fromCursor(RunCursor, cursor);

/**
 * GET /reports/runs, GET /reports/runs/:id (with per-recipient delivery status),
 * GET /reports/runs/:id/file (the xlsx), POST/DELETE /reports/runs/:id/share.
 *
 * Delivery status reads the notification outbox, which members cannot read under RLS (it holds
 * other people's addresses): the run is first found as the caller (RLS, 404 for another
 * organization's), then its deliveries are read with the service connection, scoped to the same
 * organization.
 */
const T = ['Reports'];
const listRoute = defineRoute('tenant', {
  method: 'get', path: '/', tags: T, summary: 'Report runs', description: 'Newest first, with each recipient’s delivery status.',
  request: { query: RunsQuery }, responses: { 200: json(Page(Run), 'A page of runs') },
});
const getRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}', tags: T, summary: 'A report run with its figures', request: { params: IdParam }, responses: { 200: json(z.object({ run: RunWithFigures }), 'The run') },
}, { errors: ['not_found'] });
const fileRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/file', tags: T, summary: 'A report run’s spreadsheet', request: { params: IdParam }, responses: { 200: xlsxFile('The xlsx') },
}, { errors: ['not_found'] });
const shareRoute = defineRoute('tenant', {
  method: 'post', path: '/{id}/share', tags: T, summary: 'Share a report run', description: 'A read-only public link (1–90 days). The token is answered once.',
  request: { params: IdParam, body: jsonBody(ShareBody.openapi({ example: { expires_in_days: 30 } })) },
  responses: { 201: json(z.object({ share: z.object({ id: Uuid, token: z.string(), url: z.string(), file_url: z.string(), expires_at: Timestamp }) }), 'The share link') },
}, { errors: ['forbidden', 'not_found'] });
const unshareRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}/share', tags: T, summary: 'Revoke a report run’s share links', request: { params: IdParam },
  responses: { 200: json(z.object({ revoked: z.number().int() }), 'How many links were revoked') },
}, { errors: ['forbidden', 'not_found'] });

export const runs = router()
  .openapi(listRoute, async (c) => {
    const org = c.get('org');
    const q = c.req.valid('query');
    const rows = await asCaller(c, (tx) => listRuns(tx, org.id, { scheduleId: q.schedule_id, before: decodeRunCursor(q.cursor), limit: q.limit + 1 }));
    const data = rows.slice(0, q.limit);
    const deliveries = await deliveriesOf(c.get('sql'), org.id, data.map((r) => r.id));
    return c.json({ data: data.map((r) => runJson(r, deliveries)), next_cursor: rows.length > q.limit ? encodeRunCursor(data.at(-1)!) : null }, 200);
  })

  .openapi(getRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    const run = await asCaller(c, (tx) => findRun(tx, org.id, id));
    if (!run) throw notFound('report run');
    const deliveries = await deliveriesOf(c.get('sql'), org.id, [run.id]);
    return c.json({ run: { ...runJson(run, deliveries), figures: run.figures as Record<string, unknown> | null } }, 200);
  })

  .openapi(fileRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    const run = await asCaller(c, (tx) => findRun(tx, org.id, id));
    if (!run) throw notFound('report run');
    return fileResponse(c.env, run);
  })

  .openapi(shareRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'reports.write');
    const { id } = c.req.valid('param');
    const { expires_in_days } = c.req.valid('json');
    const token = newShareToken();
    const link = await asCaller(c, async (tx) => {
      const run = await findRun(tx, org.id, id);
      if (!run) throw notFound('report run');
      return insertShareLink(tx, { organizationId: org.id, runId: run.id, tokenHash: await hashShareToken(token), expiresAt: new Date(Date.now() + expires_in_days * 86_400_000), createdBy: c.get('user').id });
    });
    // the token is shown once, here; only its hash is stored
    const urls = shareUrls(c.env, token);
    return c.json({ share: { id: link.id, token, url: urls.reportUrl, file_url: urls.xlsxUrl, expires_at: link.expires_at } }, 201);
  })

  .openapi(unshareRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'reports.write');
    const { id } = c.req.valid('param');
    const revoked = await asCaller(c, async (tx) => {
      if (!(await findRun(tx, org.id, id))) throw notFound('report run');
      return revokeShareLinks(tx, org.id, id);
    });
    return c.json({ revoked }, 200);
  });

/** The run's xlsx from R2 (404 when the run has none yet or the object is gone). */
export async function fileResponse(env: Env, run: RunRow): Promise<Response> {
  if (!run.file_key) throw notFound('report file');
  const object = await env.FILES.get(run.file_key);
  if (!object) throw notFound('report file');
  const headers = new Headers({ 'content-type': XLSX_CONTENT_TYPE, 'content-length': String(object.size), 'cache-control': 'private, no-store' });
  const disposition = object.httpMetadata?.contentDisposition;
  headers.set('content-disposition', disposition ?? `attachment; filename="report-${run.period_start}-${run.period_end}.xlsx"`);
  return new Response(object.body, { headers });
}

const PreviewBody = z.strictObject({
  /** report as if run on this local day at the schedule's time (default: now) */
  as_of: z.iso.date().optional(),
}).default({});

/** POST /reports/schedules/:id/preview: the report for the last complete period, now, sending nothing. */
const previewRoute = defineRoute('tenant', {
  method: 'post', path: '/{id}/preview', tags: T, summary: 'Preview a report', description: 'The report for the last complete period, now, sending nothing.',
  request: { params: IdParam, body: jsonBody(PreviewBody) },
  responses: { 200: json(z.object({ preview: z.object({ figures: Figures, text: z.string(), html: z.string() }) }), 'The report as it would be sent') },
}, { errors: ['not_found'] });

export const preview = router().openapi(previewRoute, async (c) => {
  const org = c.get('org');
  const { id } = c.req.valid('param');
  const { as_of } = c.req.valid('json');
  const result = await asCaller(c, async (tx) => {
    const schedule = await findSchedule(tx, org.id, id);
    if (!schedule) throw notFound('report schedule');
    const tz = (await organizationTimeZone(tx, org.id))!;
    const at = as_of ? zonedTime(as_of, schedule.local_time, tz) : new Date();
    const period = periodFor(schedule.frequency, at, tz);
    const figures = await computeFigures(tx, { organizationId: org.id, schedule, period, previous: previousPeriod(schedule.frequency, period) });
    return figures;
  });
  return c.json({ preview: { figures: result as unknown as Record<string, unknown>, text: digestText(result), html: digestHtml(result) } }, 200);
});
