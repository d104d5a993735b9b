import { z } from '@hono/zod-openapi';
import type { Db } from '../../db/client';
import { listOpsActions } from '../../db/ops';
import { DEAD_LETTER_STATUSES, deadLettersByIds, getDeadLetter, listDeadLetters, selectOpenDeadLetters, type DeadLetterFilter, type DeadLetterRow } from '../../db/ops-dead-letters';
import { replayLetters, replayTarget, resolveLetters, type LetterResult } from '../../ops/dead-letters';
import { ApiError, notFound, validationError } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { nullableRef } from '../openapi/schemas';
import { OpsAction, DeadLetter, DeadLetterWithBody, LetterResult as LetterResultSchema } from './responses';
import { requireActingOperator, type OpsEnv } from './auth';
import { isoInstant, optionalJson, plainText, RowId } from './inputs';
import { MAX_BULK } from './schemas';

/**
 * Dead letters for operators (every queue message that failed for good):
 *
 *   GET  /ops/api/dead-letters                 list: queue, error_code, organization_id, since, status; cursor
 *   GET  /ops/api/dead-letters/:id             detail with the original message, where a replay sends it, audit
 *   POST /ops/api/dead-letters/:id/replay      send the original message back to its queue, once ({again:true} to repeat)
 *   POST /ops/api/dead-letters/:id/resolve     close it with a note ({note})
 *   POST /ops/api/dead-letters/bulk            either over a filter (open letters) or ids: dry_run, then expected_count
 */

const statusList = z.preprocess(
  (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean)),
  z.array(z.enum(DEAD_LETTER_STATUSES)).max(DEAD_LETTER_STATUSES.length).optional(),
);

export const DeadLetterFilterInput = z.object({
  queue: plainText(200).optional(),
  error_code: plainText(200).optional(),
  organization_id: z.uuid().optional(),
  since: isoInstant.optional(),
});

export const ListDeadLettersQuery = DeadLetterFilterInput.extend({
  status: statusList,
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: RowId.optional(),
});

export const ReplayBody = z.object({ again: z.boolean().default(false) }).strict();
export const ResolveBody = z.object({ note: plainText(2000) }).strict();

export const DeadLetterBulkBody = z
  .object({
    action: z.enum(['replay', 'resolve']),
    filter: DeadLetterFilterInput.strict().optional(),
    ids: z.array(RowId).min(1).max(MAX_BULK).optional(),
    note: plainText(2000).optional(),
    again: z.boolean().default(false),
    dry_run: z.boolean().default(false),
    /** the number of letters the operator confirmed (from a dry run); a different match is refused */
    expected_count: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((b) => (b.filter === undefined) !== (b.ids === undefined), { message: 'give either filter or ids', path: ['filter'] })
  .refine((b) => typeof b.filter !== 'object' || Object.values(b.filter).some((v) => v !== undefined), { message: 'a bulk filter needs at least one criterion', path: ['filter'] })
  .refine((b) => b.dry_run || b.expected_count !== undefined, { message: 'expected_count is required (run with dry_run first and confirm its count)', path: ['expected_count'] })
  .refine((b) => b.action !== 'resolve' || b.note !== undefined, { message: 'resolving needs a note', path: ['note'] })
  .refine((b) => b.action === 'replay' || !b.again, { message: "'again' applies to replay only", path: ['again'] });
export type DeadLetterBulkBody = z.input<typeof DeadLetterBulkBody>;

const toFilter = (f: z.output<typeof DeadLetterFilterInput>): DeadLetterFilter => ({ queue: f.queue, errorCode: f.error_code, organizationId: f.organization_id, since: f.since });

/** A letter as the API lists it (the message body only in the detail). */
const letterView = ({ body: _body, ...row }: DeadLetterRow | (Omit<DeadLetterRow, 'body'> & { body?: unknown })) => row;

const Id = z.object({ id: RowId });

const T = ['Ops: dead letters'];
const Single = z.object({ result: LetterResultSchema, dead_letter: nullableRef(DeadLetter) });
const listRoute = defineRoute('ops', {
  method: 'get', path: '/', tags: T, summary: 'Dead letters', description: 'Every queue message that failed for good, newest first.',
  request: { query: ListDeadLettersQuery }, responses: { 200: json(z.object({ data: z.array(DeadLetter), next_cursor: z.string().nullable() }), 'A page of dead letters') },
});
const bulkRoute = defineRoute('ops', {
  method: 'post', path: '/bulk', tags: T, summary: 'Replay or resolve many dead letters', description: 'A filter (open letters) or up to 100 ids: `dry_run` first, then its `expected_count`.',
  middleware: [requireActingOperator], request: { body: jsonBody(DeadLetterBulkBody) },
  responses: {
    200: json(
      z.union([
        z.object({ dry_run: z.literal(true), action: z.string(), matched: z.number().int(), by_status: z.record(z.string(), z.number().int()), by_queue: z.record(z.string(), z.number().int()), ids: z.array(z.string()) }),
        z.object({ bulk_id: z.uuid(), action: z.string(), matched: z.number().int(), ok: z.number().int(), failed: z.number().int(), rejected: z.number().int(), results: z.array(LetterResultSchema) }),
      ]),
      'The dry run, or what happened to each letter',
    ),
  },
}, { errors: ['forbidden', 'not_found', 'conflict', 'unprocessable'] });
const detailRoute = defineRoute('ops', {
  method: 'get', path: '/{id}', tags: T, summary: 'A dead letter with its original message', request: { params: Id },
  responses: {
    200: json(
      z.object({
        dead_letter: DeadLetterWithBody,
        replay: z.union([z.object({ possible: z.literal(true), queue: z.string() }), z.object({ possible: z.literal(false), reason: z.string() })]),
        actions: z.array(OpsAction),
      }),
      'The letter, where a replay would send it, its audit',
    ),
  },
}, { errors: ['not_found'] });
const replayRoute = defineRoute('ops', {
  method: 'post', path: '/{id}/replay', tags: T, summary: 'Replay a dead letter', description: 'Sends the original message back to its queue once; `{"again": true}` to repeat.',
  middleware: [requireActingOperator],
  request: { params: Id, body: { content: { 'application/json': { schema: { type: 'object', properties: { again: { type: 'boolean' } }, additionalProperties: false } } } } as never },
  responses: { 200: json(Single, 'Replayed') },
}, { errors: ['forbidden', 'not_found', 'conflict', 'unprocessable', 'bad_gateway'] });
const resolveRoute = defineRoute('ops', {
  method: 'post', path: '/{id}/resolve', tags: T, summary: 'Resolve a dead letter with a note', middleware: [requireActingOperator],
  request: { params: Id, body: jsonBody(ResolveBody.openapi({ example: { note: 'video deleted by its author' } })) }, responses: { 200: json(Single, 'Resolved') },
}, { errors: ['forbidden', 'not_found', 'conflict'] });

export const opsDeadLetters = router<OpsEnv>();

async function letterOr404(db: Db, id: string) {
  const letter = await getDeadLetter(db, id);
  if (!letter) throw notFound('dead letter');
  return letter;
}

/** A single action's result as its HTTP answer: 200 with the letter, or its refusal's error. */
function single(result: LetterResult, letter: DeadLetterRow | null) {
  if (result.outcome !== 'ok') throw new ApiError(result.code ?? 'bad_gateway', result.error ?? 'failed', { result });
  return { result, dead_letter: letter ? letterView(letter) : null };
}

opsDeadLetters.openapi(listRoute, async (c) => {
  const q = c.req.valid('query');
  const rows = await listDeadLetters(c.get('sql'), { ...toFilter(q), statuses: q.status }, q.limit, q.cursor);
  const data = rows.slice(0, q.limit);
  return c.json({ data, next_cursor: rows.length > q.limit ? (data.at(-1)?.id ?? null) : null }, 200);
});

opsDeadLetters.openapi(bulkRoute, async (c) => {
  const body = c.req.valid('json');
  const sql = c.get('sql');
  const selected = body.filter ? await selectOpenDeadLetters(sql, toFilter(body.filter), MAX_BULK) : await deadLettersByIds(sql, body.ids!);
  if (body.ids) {
    const known = new Set(selected.map((l) => l.id));
    const unknown = body.ids.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new ApiError('not_found', `${unknown.length} of the dead letters do not exist`, { ids: unknown });
  }
  if (selected.length > MAX_BULK) {
    throw new ApiError('unprocessable', `the filter matches more than ${MAX_BULK} open dead letters: narrow it (a bulk action covers at most ${MAX_BULK})`, { matched_at_least: selected.length });
  }
  const byStatus: Record<string, number> = {};
  const byQueue: Record<string, number> = {};
  for (const l of selected) {
    byStatus[l.status] = (byStatus[l.status] ?? 0) + 1;
    byQueue[l.source_queue] = (byQueue[l.source_queue] ?? 0) + 1;
  }
  if (body.dry_run) {
    return c.json({ dry_run: true as const, action: body.action, matched: selected.length, by_status: byStatus, by_queue: byQueue, ids: selected.map((l) => l.id) }, 200);
  }
  if (body.expected_count !== selected.length) {
    throw new ApiError('conflict', `the selection changed: ${selected.length} dead letters match now, ${body.expected_count} were confirmed`, { matched: selected.length, expected_count: body.expected_count });
  }
  const bulkId = crypto.randomUUID();
  const actor = c.get('operator').actor;
  const results =
    body.action === 'replay'
      ? await replayLetters(c.env, sql, selected, { actor, bulkId, again: body.again })
      : await resolveLetters(sql, selected, { actor, bulkId, note: body.note! });
  const count = (o: LetterResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return c.json({ bulk_id: bulkId, action: body.action, matched: selected.length, ok: count('ok'), failed: count('failed'), rejected: count('rejected'), results }, 200);
});

opsDeadLetters.openapi(detailRoute, async (c) => {
  const letter = await letterOr404(c.get('sql'), c.req.valid('param').id);
  const target = replayTarget(letter);
  const actions = (await listOpsActions(c.get('sql'), { deadLetterId: letter.id, limit: 50 })).slice(0, 50);
  return c.json({
    dead_letter: letter,
    replay: target.queue ? { possible: true as const, queue: target.queue } : { possible: false as const, reason: target.reason ?? 'cannot be replayed' },
    actions,
  }, 200);
});

opsDeadLetters.openapi(replayRoute, async (c) => {
  const body = ReplayBody.safeParse(await optionalJson(c.req));
  if (!body.success) throw validationError(body.error, 'body');
  const letter = await letterOr404(c.get('sql'), c.req.valid('param').id);
  const [result] = await replayLetters(c.env, c.get('sql'), [letter], { actor: c.get('operator').actor, again: body.data.again });
  return c.json(single(result!, await getDeadLetter(c.get('sql'), letter.id)), 200);
});

opsDeadLetters.openapi(resolveRoute, async (c) => {
  const letter = await letterOr404(c.get('sql'), c.req.valid('param').id);
  const [result] = await resolveLetters(c.get('sql'), [letter], { actor: c.get('operator').actor, note: c.req.valid('json').note });
  return c.json(single(result!, await getDeadLetter(c.get('sql'), letter.id)), 200);
});
