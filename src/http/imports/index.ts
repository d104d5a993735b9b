import { bodyLimit } from 'hono/body-limit';
import { z } from '@hono/zod-openapi';
import { fromCursor, toCursor } from '../cursor';
import { campaignExists } from '../../db/videos';
import { findJob, importFileKey, insertExcelJob, listErrors, listJobs, type ImportJobRow } from '../../db/imports';
import { buildTemplate, XLSX_CONTENT_TYPE } from '../../excel/template';
import { XLSX_CAPS } from '../../excel/zip-inspect';
import { excelImportInstanceId, type ExcelImportParams } from '../../workflows/excel-import';
import { startWorkflow } from '../../workflows/start';
import { asCaller } from '../caller';
import { ApiError, notFound, validationError } from '../errors';
import { decodeCursor, page, PageQuery } from '../pagination';
import { assertCan } from '../permissions';
import { defineRoute, json, router } from '../openapi/route';
import { Page, Timestamp, Uuid } from '../openapi/schemas';
import { xlsxFile } from '../reports/responses';
import type { AppContext } from '../context';

const noNul = (s: string) => !s.includes('\u0000');
const BooleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Options of an upload: query string, or multipart fields next to the file. */
export const ImportOptions = z.object({
  campaign_id: z.uuid().optional(),
  sheet: z.string().trim().min(1).max(100).refine(noNul, 'must not contain NUL characters').optional(),
  start_tracking: BooleanFlag.optional(),
  /** rows per workflow chunk step; for tests and troubleshooting */
  chunk_size: z.coerce.number().int().min(1).max(1000).optional(),
});

const IdParam = z.object({ id: z.uuid() });
const ErrorsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(200).optional() });

const ErrorCursor = z.object({ row: z.number().int().min(1), column: z.string().max(300) });
const encodeErrorCursor = (row: number, column: string) => toCursor({ row, column });
const decodeErrorCursor = (cursor: string | undefined) => fromCursor(ErrorCursor, cursor);

/** The public JSON shape of an import job. */
export function importJobJson(j: ImportJobRow) {
  const total = j.total_rows;
  return {
    id: j.id,
    source: j.source,
    status: j.status,
    file_name: j.file_name,
    file_size: j.file_size === null ? null : Number(j.file_size),
    sheet: j.sheet_name,
    campaign_id: j.campaign_id,
    start_tracking: j.start_tracking,
    progress: {
      total,
      processed: j.processed_rows,
      percent: j.status === 'completed' ? 100 : total ? Math.floor((j.processed_rows / total) * 100) : 0,
      added: j.added,
      already_present: j.already_present,
      invalid: j.invalid,
      over_quota: j.over_quota,
    },
    unknown_columns: j.unknown_columns,
    failure: j.failure_code === null ? null : { code: j.failure_code, reason: j.failure_reason },
    workflow_instance_id: j.workflow_instance_id,
    created_at: j.created_at,
    finished_at: j.finished_at,
  };
}

/** Reads the upload: multipart (field `file`, options as fields) or the raw body (options in the query). */
async function readUpload(c: AppContext) {
  const contentType = c.req.header('content-type') ?? '';
  let bytes: Uint8Array;
  let fileName: string | null = null;
  let fields: Record<string, unknown> = c.req.query();
  if (contentType.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File)) throw new ApiError('validation_failed', 'multipart upload without a `file` field', { issues: [{ path: 'file', message: 'Required' }] });
    bytes = new Uint8Array(await file.arrayBuffer());
    fileName = file.name || null;
    fields = { ...fields, ...Object.fromEntries(Object.entries(form).filter(([k, v]) => k !== 'file' && typeof v === 'string')) };
  } else {
    bytes = new Uint8Array(await c.req.arrayBuffer());
    fileName = c.req.query('file_name') ?? null;
  }
  if (bytes.length === 0) throw new ApiError('validation_failed', 'the upload is empty: send the .xlsx file as the body or as a multipart `file` field', { issues: [{ path: 'file', message: 'Empty' }] });
  if (bytes.length > XLSX_CAPS.fileBytes) throw tooLarge();
  if (fileName !== null && (fileName.length > 255 || !noNul(fileName))) throw new ApiError('validation_failed', 'invalid file name', { issues: [{ path: 'file_name', message: 'at most 255 characters, no NUL' }] });
  const { file_name: _ignored, ...optionFields } = fields;
  const options = ImportOptions.safeParse(optionFields);
  if (!options.success) throw validationError(options.error, 'query');
  return { bytes, fileName, options: options.data };
}

const tooLarge = () => new ApiError('payload_too_large', `the file is larger than ${XLSX_CAPS.fileBytes} bytes (10 MB): split it into several imports`, { max_bytes: XLSX_CAPS.fileBytes });

const T = ['Imports'];
const ImportJob = z
  .object({
    id: Uuid,
    source: z.string(),
    status: z.string().openapi({ description: 'queued, running, completed or failed' }),
    file_name: z.string().nullable(),
    file_size: z.number().int().nullable(),
    sheet: z.string().nullable(),
    campaign_id: Uuid.nullable(),
    start_tracking: z.boolean(),
    progress: z.object({
      total: z.number().int().nullable(),
      processed: z.number().int(),
      percent: z.number().int(),
      added: z.number().int(),
      already_present: z.number().int(),
      invalid: z.number().int(),
      over_quota: z.number().int(),
    }),
    unknown_columns: z.array(z.string()),
    failure: z.object({ code: z.string(), reason: z.string().nullable() }).nullable(),
    workflow_instance_id: z.string().nullable(),
    created_at: Timestamp,
    finished_at: Timestamp.nullable(),
  })
  .openapi('ImportJob');
const XLSX_BODY = { type: 'string', format: 'binary' } as const;
const templateRoute = defineRoute('tenant', { method: 'get', path: '/excel/template', tags: T, summary: 'The import template', responses: { 200: xlsxFile('An empty workbook with the columns the import reads') } });
const uploadRoute = defineRoute('tenant', {
  method: 'post', path: '/excel', tags: T, summary: 'Import videos from Excel',
  description: 'The .xlsx as the raw body (options in the query) or as a multipart `file` field (options as fields). At most 10 MB. Answers at once; the import runs as a workflow.',
  middleware: [bodyLimit({ maxSize: XLSX_CAPS.fileBytes + 64 * 1024, onError: () => { throw tooLarge(); } })] as const,
  request: {
    query: ImportOptions.extend({ file_name: z.string().optional() }),
    body: {
      content: {
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: XLSX_BODY },
        'multipart/form-data': { schema: { type: 'object', properties: { file: XLSX_BODY, campaign_id: { type: 'string', format: 'uuid' }, sheet: { type: 'string' }, start_tracking: { type: 'string', enum: ['true', 'false', '1', '0'] } }, required: ['file'] } },
      },
    },
  },
  responses: { 202: json(z.object({ job_id: Uuid, job: ImportJob }), 'The import job, started') },
}, { errors: ['forbidden', 'not_found', 'payload_too_large'] });
const listRoute = defineRoute('tenant', { method: 'get', path: '/', tags: T, summary: 'Import jobs', request: { query: PageQuery }, responses: { 200: json(Page(ImportJob), 'A page of imports') } });
const getRoute = defineRoute('tenant', { method: 'get', path: '/{id}', tags: T, summary: 'An import job and its progress', request: { params: IdParam }, responses: { 200: json(z.object({ job: ImportJob }), 'The import') } }, { errors: ['not_found'] });
const errorsRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/errors', tags: T, summary: 'An import’s row errors', request: { params: IdParam, query: ErrorsQuery },
  responses: {
    200: json(
      z.object({ job_id: Uuid, unknown_columns: z.array(z.string()), data: z.array(z.object({ row: z.number().int(), column: z.string(), code: z.string(), reason: z.string() })), next_cursor: z.string().nullable() }),
      'A page of errors',
    ),
  },
}, { errors: ['not_found'] });
const fileRoute = defineRoute('tenant', { method: 'get', path: '/{id}/file', tags: T, summary: 'The uploaded file', request: { params: IdParam }, responses: { 200: xlsxFile('The uploaded workbook') } }, { errors: ['not_found'] });

export const imports = router()
  .openapi(templateRoute, async (c) => {
    const body = await buildTemplate();
    return c.body(body, 200, { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': 'attachment; filename="influtics-import-template.xlsx"' });
  })

  // multipart framing adds a few KB around the file (bodyLimit above); the file itself is checked against the cap after
  .openapi(uploadRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'imports.write');
    const { bytes, fileName, options } = await readUpload(c);
    const jobId = crypto.randomUUID();
    const instanceId = excelImportInstanceId(jobId);
    const user = c.get('user');
    if (options.campaign_id && !(await asCaller(c, (tx) => campaignExists(tx, org.id, options.campaign_id!)))) throw notFound('campaign');
    // the file first: a job row never points at a file that is not there
    await c.env.FILES.put(importFileKey(org.id, jobId), bytes, {
      httpMetadata: { contentType: XLSX_CONTENT_TYPE },
      customMetadata: { organization_id: org.id, job_id: jobId, uploaded_by: user.id },
    });
    await asCaller(c, (tx) =>
      insertExcelJob(tx, {
        id: jobId, organizationId: org.id, fileName, fileSize: bytes.length, sheetName: options.sheet ?? null,
        campaignId: options.campaign_id ?? null, startTracking: options.start_tracking ?? false, createdBy: user.id, workflowInstanceId: instanceId,
      }),
    );
    const params: ExcelImportParams = { jobId, organizationId: org.id, userId: user.id, ...(options.chunk_size ? { chunkSize: options.chunk_size } : {}) };
    await startWorkflow(c.env, c.get('sql'), {
      workflow: 'ExcelImport', instanceId, params, organizationId: org.id, trigger: 'http', triggeredBy: user.id,
      summary: { job_id: jobId, file_name: fileName, file_size: bytes.length },
    });
    const job = (await asCaller(c, (tx) => findJob(tx, org.id, jobId)))!;
    return c.json({ job_id: jobId, job: importJobJson(job) }, 202);
  })

  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await asCaller(c, (tx) => listJobs(tx, c.get('org').id, { afterId: decodeCursor(q.cursor), limit: q.limit + 1 }));
    const result = page(rows, q.limit);
    return c.json({ data: result.data.map(importJobJson), next_cursor: result.next_cursor }, 200);
  })

  .openapi(getRoute, async (c) => {
    const job = await asCaller(c, (tx) => findJob(tx, c.get('org').id, c.req.valid('param').id));
    if (!job) throw notFound('import');
    return c.json({ job: importJobJson(job) }, 200);
  })

  .openapi(errorsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const org = c.get('org');
    const after = decodeErrorCursor(q.cursor);
    const found = await asCaller(c, async (tx) => {
      const job = await findJob(tx, org.id, id);
      return job && { job, errors: await listErrors(tx, org.id, id, { after, limit: q.limit + 1 }) };
    });
    if (!found) throw notFound('import');
    const data = found.errors.slice(0, q.limit);
    const last = data[data.length - 1];
    return c.json({
      job_id: id,
      // columns the file had that the import does not know: ignored, reported once here
      unknown_columns: found.job.unknown_columns,
      data: data.map((e) => ({ row: e.row_number, column: e.column_name, code: e.code, reason: e.reason })),
      next_cursor: found.errors.length > q.limit && last ? encodeErrorCursor(last.row_number, last.column_name) : null,
    }, 200);
  })

  // The uploaded file, to the uploader's organization only (the R2 key is never taken from the caller).
  .openapi(fileRoute, async (c) => {
    const job = await asCaller(c, (tx) => findJob(tx, c.get('org').id, c.req.valid('param').id));
    if (!job || !job.file_key) throw notFound('import');
    const object = await c.env.FILES.get(job.file_key);
    if (!object) throw notFound('import file');
    const name = (job.file_name ?? 'import.xlsx').replace(/[^\w.\- ]/g, '_');
    return c.body(object.body, 200, { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': `attachment; filename="${name}"` });
  });
