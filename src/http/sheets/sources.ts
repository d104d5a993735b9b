import { z } from '@hono/zod-openapi';
import { deleteSource, findIntegration, findSource, insertSource, listRuns, listSources, openRuns, updateSource, type SourceRow } from '../../db/google-sheets';
import { ExportConfig, resolveMapping, SourceMapping } from '../../google/mapping';
import { quoteSheet, type SheetsApi } from '../../google/sheets-api';
import { parseVideoUrl } from '../../platforms/video-url';
import { assertCanTrackVideos, assertQuota } from '../../steps/limits';
import { instanceIdFor, startWorkflow } from '../../workflows/start';
import type { SheetsResyncSourceParams } from '../../workflows/sheets-resync';
import { asCaller } from '../caller';
import { ApiError, notFound } from '../errors';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { List, Uuid } from '../openapi/schemas';
import { Source, SourceRun } from './responses';
import { google, sheetsApiFor } from './shared';
import type { AppContext } from '../context';

export const CreateSourceBody = z
  .object({
    integration_id: z.uuid(),
    spreadsheet_id: z.string().regex(/^[A-Za-z0-9_-]{10,200}$/, 'not a Google spreadsheet id'),
    sheet_id: z.number().int().min(0).max(2 ** 31 - 1),
    header_row: z.number().int().min(1).max(1000).default(1),
    mapping: SourceMapping,
    export: ExportConfig.optional(),
  })
  .strict();
export const PatchSourceBody = z
  .object({
    header_row: z.number().int().min(1).max(1000).optional(),
    mapping: SourceMapping.optional(),
    export: ExportConfig.optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
const IdParam = z.object({ id: z.uuid() });
const RunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

export function sourceJson(s: SourceRow) {
  return {
    id: s.id,
    integration_id: s.integration_id,
    spreadsheet_id: s.spreadsheet_id,
    sheet_id: Number(s.sheet_id),
    sheet_title: s.sheet_title,
    header_row: s.header_row,
    mapping: s.column_mapping,
    export: s.export_config,
    is_active: s.is_active,
    status: s.status,
    last_error: s.last_error,
    last_synced_at: s.last_synced_at,
    last_run_at: s.last_run_at,
    last_run: s.last_run_counts,
    running_run_id: s.running_job_id,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

/**
 * Checks a mapping against the worksheet as it is now: the worksheet exists, every mapped column is
 * in its header row (a 422 names the missing ones), an export tab exists. Two Google calls:
 * spreadsheets.get (titles) and one values.batchGet (the worksheet). Answers the title and how
 * many links the worksheet holds.
 */
async function validateAgainstSheet(api: SheetsApi, spreadsheetId: string, sheetId: number, headerRow: number, mapping: SourceMapping, exportConfig: ExportConfig) {
  const meta = await google(() => api.getSpreadsheet(spreadsheetId));
  const sheet = meta.sheets.find((s) => s.properties.sheetId === sheetId);
  if (!sheet) {
    throw new ApiError('unprocessable', `the spreadsheet has no worksheet with sheet_id ${sheetId}`, { worksheets: meta.sheets.map((s) => ({ sheet_id: s.properties.sheetId, title: s.properties.title })) });
  }
  if (exportConfig.target === 'tab' && !meta.sheets.some((s) => s.properties.title === exportConfig.tab_title)) {
    throw new ApiError('unprocessable', `export tab '${exportConfig.tab_title}' does not exist in the spreadsheet: add it first`, { missing_tab: exportConfig.tab_title });
  }
  if (exportConfig.target === 'tab' && exportConfig.tab_title === sheet.properties.title) {
    throw new ApiError('unprocessable', 'the export tab must be another worksheet than the one read');
  }
  const [range] = await google(() => api.batchGet(spreadsheetId, [quoteSheet(sheet.properties.title)]));
  const values = range?.values ?? [];
  const header = (values[headerRow - 1] ?? []).map((v) => String(v));
  const resolved = resolveMapping(mapping, header);
  if (!resolved.ok) {
    const names = resolved.missing.map((m) => `'${m.column}' (${m.field})`).join(', ');
    throw new ApiError('unprocessable', `row ${headerRow} of '${sheet.properties.title}' has no column ${names}`, { missing: resolved.missing, header });
  }
  let links = 0;
  for (const row of values.slice(headerRow)) {
    const cell = row[resolved.columns.url];
    if (cell !== undefined && parseVideoUrl(String(cell)).ok) links++;
  }
  return { title: sheet.properties.title, links };
}

async function loadSource(c: AppContext, id: string) {
  const source = await asCaller(c, (tx) => findSource(tx, c.get('org').id, id));
  if (!source) throw notFound('Sheets source');
  return source;
}

async function activeIntegration(c: AppContext, id: string) {
  const integration = await asCaller(c, (tx) => findIntegration(tx, c.get('org').id, id));
  if (!integration) throw notFound('Google integration');
  return integration;
}

const T = ['Google Sheets'];
const SourceEnvelope = z.object({ source: Source });
const createSourceRoute = defineRoute('tenant', {
  method: 'post', path: '/', tags: T, summary: 'Add a worksheet as a source',
  description: 'Checks the mapping against the worksheet as it is now (every mapped column in the header row), then syncs it daily and on demand.',
  request: { body: jsonBody(CreateSourceBody) },
  responses: { 201: json(z.object({ source: Source, links_found: z.number().int() }), 'The new source and how many video links the worksheet holds') },
}, { errors: ['forbidden', 'not_found', 'conflict', 'unprocessable', 'limit_exceeded', 'bad_gateway', 'rate_limited'] });
const listSourcesRoute = defineRoute('tenant', { method: 'get', path: '/', tags: T, summary: 'Sheets sources', responses: { 200: json(List(Source), 'The sources') } });
const getSourceRoute = defineRoute('tenant', { method: 'get', path: '/{id}', tags: T, summary: 'A Sheets source', request: { params: IdParam }, responses: { 200: json(SourceEnvelope, 'The source') } }, { errors: ['not_found'] });
const patchSourceRoute = defineRoute('tenant', {
  method: 'patch', path: '/{id}', tags: T, summary: 'Change a Sheets source', request: { params: IdParam, body: jsonBody(PatchSourceBody) },
  responses: { 200: json(SourceEnvelope, 'The source as changed') },
}, { errors: ['forbidden', 'not_found', 'conflict', 'unprocessable', 'bad_gateway', 'rate_limited'] });
const deleteSourceRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: T, summary: 'Delete a Sheets source', request: { params: IdParam }, responses: { 200: json(z.object({ deleted: z.literal(true) }), 'Deleted') },
}, { errors: ['forbidden', 'not_found'] });
const resyncRoute = defineRoute('tenant', {
  method: 'post', path: '/{id}/resync', tags: T, summary: 'Sync a Sheets source now', request: { params: IdParam },
  responses: { 202: json(z.object({ run: z.object({ id: Uuid, status: z.literal('pending'), workflow_instance_id: z.string() }) }), 'The sync run, started') },
}, { errors: ['forbidden', 'not_found', 'conflict', 'limit_exceeded'] });
const runsRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/runs', tags: T, summary: 'A Sheets source’s sync runs', request: { params: IdParam, query: RunsQuery }, responses: { 200: json(List(SourceRun), 'The latest runs') },
}, { errors: ['not_found'] });

export const sheetsSources = router()

  .openapi(createSourceRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'imports.write');
    const body = c.req.valid('json');
    const exportConfig = body.export ?? ExportConfig.parse({});
    const integration = await activeIntegration(c, body.integration_id);
    const api = await sheetsApiFor(c, integration);
    const checked = await validateAgainstSheet(api, body.spreadsheet_id, body.sheet_id, body.header_row, body.mapping, exportConfig);
    const id = await asCaller(c, async (tx) => {
      await assertQuota(tx, org.id, 'max_sheets_sources', 1);
      // a sheet full of links while no video can start tracking would only fill with "limit reached"
      if (checked.links > 0) await assertCanTrackVideos(tx, org.id, 1);
      return insertSource(tx, {
        organizationId: org.id,
        integrationId: integration.id,
        spreadsheetId: body.spreadsheet_id,
        sheetId: body.sheet_id,
        sheetTitle: checked.title,
        headerRow: body.header_row,
        mapping: body.mapping,
        exportConfig,
        createdBy: c.get('user').id,
      });
    });
    if (!id) throw new ApiError('conflict', 'this worksheet is already a source of the organization');
    const source = await loadSource(c, id);
    return c.json({ source: sourceJson(source), links_found: checked.links }, 201);
  })

  .openapi(listSourcesRoute, async (c) => {
    const rows = await asCaller(c, (tx) => listSources(tx, c.get('org').id));
    return c.json({ data: rows.map(sourceJson) }, 200);
  })

  .openapi(getSourceRoute, async (c) => c.json({ source: sourceJson(await loadSource(c, c.req.valid('param').id)) }, 200))

  .openapi(patchSourceRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const source = await loadSource(c, id);
    assertCan(org.role, 'imports.write');
    if (body.mapping || body.header_row || body.export) {
      const integration = await activeIntegration(c, source.integration_id);
      const api = await sheetsApiFor(c, integration);
      await validateAgainstSheet(
        api,
        source.spreadsheet_id,
        Number(source.sheet_id),
        body.header_row ?? source.header_row,
        body.mapping ?? SourceMapping.parse(source.column_mapping),
        body.export ?? ExportConfig.parse(source.export_config),
      );
    }
    await asCaller(c, async (tx) => {
      if (body.is_active === true && !source.is_active) await assertQuota(tx, org.id, 'max_sheets_sources', 1);
      await updateSource(tx, org.id, id, { headerRow: body.header_row, mapping: body.mapping, exportConfig: body.export, isActive: body.is_active });
    });
    return c.json({ source: sourceJson(await loadSource(c, id)) }, 200);
  })

  .openapi(deleteSourceRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    await loadSource(c, id);
    assertCan(org.role, 'imports.write');
    await asCaller(c, (tx) => deleteSource(tx, org.id, id));
    return c.json({ deleted: true as const }, 200);
  })

  .openapi(resyncRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    const source = await loadSource(c, id);
    assertCan(org.role, 'imports.write');
    if (source.status === 'needs_reauth') throw new ApiError('conflict', 'this source\'s Google account must be connected again', { status: source.status });
    const instanceId = instanceIdFor('sheets-resync', id, `m${Date.now()}`);
    const sql = c.get('sql');
    // one open run per source (a unique index): none opened = one is pending or running
    const [job] = await openRuns(sql, [{ organizationId: org.id, sourceId: id, instanceId, trigger: 'http', createdBy: c.get('user').id }]);
    if (!job) throw new ApiError('conflict', 'a resync of this source is already running', { run_id: (await findSource(sql, org.id, id))?.running_job_id ?? null });
    const params: SheetsResyncSourceParams = { organizationId: org.id, sourceId: id, jobId: job.job_id, trigger: 'http' };
    await startWorkflow(c.env, sql, {
      workflow: 'SheetsResyncSource',
      instanceId,
      params,
      organizationId: org.id,
      trigger: 'http',
      triggeredBy: c.get('user').id,
      summary: { sheet_id: id, source_id: id, job_id: job.job_id },
    });
    return c.json({ run: { id: job.job_id, status: 'pending' as const, workflow_instance_id: instanceId } }, 202);
  })

  .openapi(runsRoute, async (c) => {
    const { id } = c.req.valid('param');
    await loadSource(c, id);
    const runs = await asCaller(c, (tx) => listRuns(tx, c.get('org').id, id, c.req.valid('query').limit));
    return c.json({
      data: runs.map((r) => ({
        id: r.id,
        status: r.status,
        trigger: r.trigger,
        rows_read: r.total_rows,
        added: r.inserted,
        already_tracked: r.already_tracked,
        invalid: r.failed_rows,
        over_quota: r.over_quota,
        cells_written: r.cells_written,
        invalid_rows: r.errors,
        error: r.error,
        workflow_instance_id: r.workflow_instance_id,
        created_at: r.created_at,
        finished_at: r.finished_at,
      })),
    }, 200);
  });
