import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { listOpsActions } from '../../db/ops';
import { DEAD_LETTER_STATUSES, deadLettersByIds, getDeadLetter, listDeadLetters, selectOpenDeadLetters, type DeadLetterFilter, type DeadLetterRow } from '../../db/ops-dead-letters';
import { replayLetters, replayTarget, resolveLetters, type LetterResult } from '../../ops/dead-letters';
import { ApiError, notFound, validationError } from '../errors';
import { validate } from '../validate';
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
export const opsDeadLetters = new Hono<OpsEnv>();

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

opsDeadLetters.get('/', validate('query', ListDeadLettersQuery), async (c) => {
  const q = c.req.valid('query');
  const rows = await listDeadLetters(c.get('sql'), { ...toFilter(q), statuses: q.status }, q.limit, q.cursor);
  const data = rows.slice(0, q.limit);
  return c.json({ data, next_cursor: rows.length > q.limit ? (data.at(-1)?.id ?? null) : null });
});

opsDeadLetters.post('/bulk', requireActingOperator, validate('json', DeadLetterBulkBody), async (c) => {
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
    return c.json({ dry_run: true, action: body.action, matched: selected.length, by_status: byStatus, by_queue: byQueue, ids: selected.map((l) => l.id) });
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
  return c.json({ bulk_id: bulkId, action: body.action, matched: selected.length, ok: count('ok'), failed: count('failed'), rejected: count('rejected'), results });
});

opsDeadLetters.get('/:id', validate('param', Id), async (c) => {
  const letter = await letterOr404(c.get('sql'), c.req.valid('param').id);
  const target = replayTarget(letter);
  const actions = (await listOpsActions(c.get('sql'), { deadLetterId: letter.id, limit: 50 })).slice(0, 50);
  return c.json({
    dead_letter: letter,
    replay: target.queue ? { possible: true, queue: target.queue } : { possible: false, reason: target.reason },
    actions,
  });
});

opsDeadLetters.post('/:id/replay', requireActingOperator, validate('param', Id), async (c) => {
  const body = ReplayBody.safeParse(await optionalJson(c.req));
  if (!body.success) throw validationError(body.error, 'body');
  const letter = await letterOr404(c.get('sql'), c.req.valid('param').id);
  const [result] = await replayLetters(c.env, c.get('sql'), [letter], { actor: c.get('operator').actor, again: body.data.again });
  return c.json(single(result!, await getDeadLetter(c.get('sql'), letter.id)));
});

opsDeadLetters.post('/:id/resolve', requireActingOperator, validate('param', Id), validate('json', ResolveBody), async (c) => {
  const letter = await letterOr404(c.get('sql'), c.req.valid('param').id);
  const [result] = await resolveLetters(c.get('sql'), [letter], { actor: c.get('operator').actor, note: c.req.valid('json').note });
  return c.json(single(result!, await getDeadLetter(c.get('sql'), letter.id)));
});
