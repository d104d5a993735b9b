import { z } from '@hono/zod-openapi';
import { runForShareToken } from '../../db/reports';
import type { ReportFigures } from '../../reports/figures';
import { digestHtml } from '../../reports/render';
import { hashShareToken } from '../../reports/share-token';
import { notFound } from '../errors';
import { defineRoute, json, router } from '../openapi/route';
import type { AppEnv } from '../context';
import { SharedReport, XLSX } from './responses';
import { fileResponse } from './runs';
import { ShareToken } from './schemas';

const TokenParam = z.object({ token: ShareToken });

/** A live link's run, or 404 for an unknown, revoked or expired token alike (nothing tells them apart). */
async function sharedRun(sql: AppEnv['Variables']['sql'], token: string) {
  const run = await runForShareToken(sql, await hashShareToken(token));
  if (!run) throw notFound('shared report');
  return run;
}

/**
 * GET /shared/reports/:token (the report: HTML, or JSON for `Accept: application/json`) and
 * GET /shared/reports/:token/file (its xlsx). Public and read-only: the token is the credential;
 * its hash finds the link, which must be unrevoked and unexpired.
 */
const T = ['Shared reports'];
const reportRoute = defineRoute('public', {
  method: 'get', path: '/{token}', tags: T, summary: 'A shared report', description: 'HTML, or JSON with `Accept: application/json`. The token is the credential; unknown, revoked and expired links are 404 alike.',
  request: { params: TokenParam },
  responses: { 200: { description: 'The report', content: { 'application/json': { schema: SharedReport }, 'text/html': { schema: z.string() } } } },
}, { errors: ['not_found'] });
const fileRoute = defineRoute('public', {
  method: 'get', path: '/{token}/file', tags: T, summary: 'A shared report’s spreadsheet', request: { params: TokenParam },
  responses: { 200: { description: 'The xlsx', content: { [XLSX]: { schema: z.string().openapi({ format: 'binary' }) } } } },
}, { errors: ['not_found'] });

export const sharedReports = router()
  .openapi(reportRoute, async (c) => {
    const run = await sharedRun(c.get('sql'), c.req.valid('param').token);
    const figures = run.figures as ReportFigures;
    c.header('cache-control', 'private, no-store');
    c.header('referrer-policy', 'no-referrer');
    if ((c.req.header('accept') ?? '').includes('application/json')) {
      return c.json({ report: { schedule_name: run.schedule_name, period: { start: run.period_start, end: run.period_end }, figures: figures as unknown as Record<string, unknown>, expires_at: run.link_expires_at } }, 200);
    }
    const fileLink = run.file_key ? `<p><a href="${c.req.path.replace(/\/+$/, '')}/file">Download the spreadsheet (xlsx)</a></p>` : '';
    return c.html(`<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Report</title></head><body>${digestHtml(figures)}${fileLink}</body></html>`);
  })
  .openapi(fileRoute, async (c) => {
    const run = await sharedRun(c.get('sql'), c.req.valid('param').token);
    return fileResponse(c.env, run);
  });
