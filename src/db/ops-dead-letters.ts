import { jsonb, type Db } from './client';

/** open: needs a look; replayed: its original message went back to its queue; resolved: closed with a note. */
export const DEAD_LETTER_STATUSES = ['open', 'replayed', 'resolved'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface DeadLetterFilter {
  queue?: string;
  errorCode?: string;
  organizationId?: string;
  /** created_at ≥ since */
  since?: Date;
  statuses?: DeadLetterStatus[];
}

export interface DeadLetterListRow {
  id: string;
  message_id: string;
  source_queue: string;
  error_code: string;
  reason: string;
  attempts: number;
  organization_id: string | null;
  organization_name: string | null;
  status: DeadLetterStatus;
  created_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_note: string | null;
  replayed_at: Date | null;
  replay_queue: string | null;
  replay_count: number;
}

export interface DeadLetterRow extends DeadLetterListRow {
  /** the original queue message, as it was when it failed */
  body: unknown;
}

const statusSql = `case when d.resolution is null then 'open' else d.resolution end`;

function whereLetters(db: Db, f: DeadLetterFilter) {
  const none = db``;
  return db`
    where true
    ${f.queue ? db`and d.source_queue = ${f.queue}` : none}
    ${f.errorCode ? db`and d.error_code = ${f.errorCode}` : none}
    ${f.organizationId ? db`and d.organization_id = ${f.organizationId}::uuid` : none}
    ${f.since ? db`and d.created_at >= ${f.since}` : none}
    ${f.statuses?.length ? db`and ${db.unsafe(statusSql)} in (select jsonb_array_elements_text(${jsonb(f.statuses)}::text::jsonb))` : none}`;
}

const listColumns = (db: Db) => db`
  d.id::text, d.message_id, d.source_queue, d.error_code, d.reason, d.attempts, d.organization_id,
  o.name as organization_name, ${db.unsafe(statusSql)} as status, d.created_at, d.resolved_at, d.resolved_by,
  d.resolution_note, d.replayed_at, d.replay_queue, d.replay_count`;

/** One page, newest first (limit + 1 rows, so the caller knows whether there are more). */
export async function listDeadLetters(db: Db, filter: DeadLetterFilter, limit: number, beforeId?: string): Promise<DeadLetterListRow[]> {
  return db<DeadLetterListRow[]>`
    select ${listColumns(db)}
    from public.dead_letters d
    left join public.organizations o on o.id = d.organization_id
    ${whereLetters(db, filter)}
    ${beforeId ? db`and d.id < ${beforeId}::bigint` : db``}
    order by d.id desc
    limit ${limit + 1}`;
}

export async function getDeadLetter(db: Db, id: string): Promise<DeadLetterRow | null> {
  const [row] = await db<DeadLetterRow[]>`
    select ${listColumns(db)}, d.body
    from public.dead_letters d
    left join public.organizations o on o.id = d.organization_id
    where d.id = ${id}::bigint`;
  return row ?? null;
}

/** What a bulk action over a filter would act on (open letters only), capped at max + 1 to detect "too many". */
export async function selectOpenDeadLetters(db: Db, filter: DeadLetterFilter, max: number): Promise<DeadLetterRow[]> {
  return db<DeadLetterRow[]>`
    select ${listColumns(db)}, d.body
    from public.dead_letters d
    left join public.organizations o on o.id = d.organization_id
    ${whereLetters(db, { ...filter, statuses: ['open'] })}
    order by d.id desc
    limit ${max + 1}`;
}

export async function deadLettersByIds(db: Db, ids: string[]): Promise<DeadLetterRow[]> {
  if (ids.length === 0) return [];
  return db<DeadLetterRow[]>`
    select ${listColumns(db)}, d.body
    from public.dead_letters d
    left join public.organizations o on o.id = d.organization_id
    where d.id in (select jsonb_array_elements_text(${jsonb(ids)}::text::jsonb)::bigint)
    order by d.id desc`;
}

/**
 * Claims letters for replay: marks them replayed, in one statement, and returns those it marked.
 * Only open letters are claimed unless `again` (an operator who means to send one a second time);
 * the row lock makes a concurrent second replay wait and then find the letter no longer open.
 * Call it in the transaction that then sends the messages, so a failed send leaves them open.
 */
export async function claimForReplay(db: Db, targets: { id: string; queue: string }[], actor: string, again: boolean): Promise<{ id: string }[]> {
  if (targets.length === 0) return [];
  return db<{ id: string }[]>`
    update public.dead_letters d set
      resolution = 'replayed', resolved_at = now(), resolved_by = ${actor}, resolution_note = null,
      replayed_at = now(), replay_queue = x.queue, replay_count = d.replay_count + 1
    from jsonb_to_recordset(${jsonb(targets)}::text::jsonb) as x(id bigint, queue text)
    where d.id = x.id ${again ? db`` : db`and d.resolution is null`}
    returning d.id::text`;
}

/** Closes open letters with a note; returns those it closed. */
export async function resolveDeadLetters(db: Db, ids: string[], actor: string, note: string): Promise<{ id: string }[]> {
  if (ids.length === 0) return [];
  return db<{ id: string }[]>`
    update public.dead_letters d set resolution = 'resolved', resolved_at = now(), resolved_by = ${actor}, resolution_note = ${note}
    where d.id in (select jsonb_array_elements_text(${jsonb(ids)}::text::jsonb)::bigint) and d.resolution is null
    returning d.id::text`;
}
