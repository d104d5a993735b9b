import { jsonb, type Db } from './client';

export interface DeadLetterRow {
  messageId: string;
  sourceQueue: string;
  errorCode: string;
  reason: string;
  attempts: number;
  organizationId: string | null;
  body: unknown;
}

/** One statement for the whole batch; a redelivered dead letter is recorded once. */
export async function recordDeadLetters(db: Db, rows: DeadLetterRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db`
    insert into public.dead_letters (message_id, source_queue, error_code, reason, attempts, organization_id, body)
    select message_id, source_queue, error_code, reason, attempts, organization_id, coalesce(body, 'null'::jsonb)
    from jsonb_to_recordset(${jsonb(rows.map((r) => ({ message_id: r.messageId, source_queue: r.sourceQueue, error_code: r.errorCode, reason: r.reason, attempts: r.attempts, organization_id: r.organizationId, body: r.body ?? null })))}::text::jsonb)
      as x(message_id text, source_queue text, error_code text, reason text, attempts int, organization_id uuid, body jsonb)
    on conflict (message_id) do nothing`;
  return result.count;
}
