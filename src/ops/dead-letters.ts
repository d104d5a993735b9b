import type { Sql } from '../db/client';
import { claimForReplay, resolveDeadLetters, type DeadLetterRow } from '../db/ops-dead-letters';
import { recordOpsActions, type OpsActionRecord } from '../db/ops';
import { StatsMessage } from '../domain/stats-messages';

/**
 * Replaying and resolving dead letters: the operator's alternative to SQL. A replay sends the
 * letter's original message back to the queue it failed on, once: the letter is claimed (marked
 * replayed) in the transaction that sends, so a second replay — a double click, two operators, a
 * retried request — finds it no longer open and sends nothing, and a failed send leaves it open.
 */

/** The queues whose messages can be replayed, and their producer bindings. */
export const REPLAY_QUEUES = {
  'influtics-high-priority': 'HIGH_PRIORITY',
  'influtics-low-priority': 'LOW_PRIORITY',
} as const satisfies Record<string, keyof Env>;
export type ReplayQueue = keyof typeof REPLAY_QUEUES;

export type ReplayTarget = { queue: ReplayQueue; reason?: undefined } | { queue: null; reason: string };

/**
 * Where a letter's original message goes back to: the queue it failed on; for a message the runtime
 * moved here after max_retries (its queue is not recorded), the queue its own shape says it came
 * from. Only a valid stats message is sent: a malformed one would only fail again.
 */
export function replayTarget(letter: Pick<DeadLetterRow, 'source_queue' | 'body'>): ReplayTarget {
  const parsed = StatsMessage.safeParse(letter.body);
  if (!parsed.success) {
    return { queue: null, reason: `the original message is not a valid stats message (${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}): resolve it instead` };
  }
  if (letter.source_queue in REPLAY_QUEUES) return { queue: letter.source_queue as ReplayQueue };
  const m = parsed.data;
  return { queue: m.type === 'single_video' || m.priority === 'high' ? 'influtics-high-priority' : 'influtics-low-priority' };
}

export interface LetterResult {
  id: string;
  outcome: 'ok' | 'failed' | 'rejected';
  /** for a rejected or failed one: why, and the error code a single request answers with */
  error: string | null;
  code?: 'conflict' | 'unprocessable' | 'bad_gateway';
  queue?: ReplayQueue | null;
}

const describeHandled = (l: DeadLetterRow) =>
  l.status === 'replayed'
    ? `dead letter ${l.id} was already replayed to ${l.replay_queue} at ${new Date(l.replayed_at!).toISOString()} by ${l.resolved_by}`
    : `dead letter ${l.id} was resolved at ${new Date(l.resolved_at!).toISOString()} by ${l.resolved_by}`;

interface ActOpts {
  actor: string;
  bulkId?: string | null;
}

/**
 * The message a replay sends: the original, and when the operator replays it once more on purpose,
 * marked to be fetched even if another path fetched the video within the freshness window.
 */
function replayBody(body: unknown, again: boolean): unknown {
  return again && body !== null && typeof body === 'object' ? { ...(body as object), ignoreFreshness: true } : body;
}

/** Replays letters (each at most once unless `again`); audits every letter, sent or not. */
export async function replayLetters(env: Env, sql: Sql, letters: DeadLetterRow[], opts: ActOpts & { again: boolean }): Promise<LetterResult[]> {
  const results = new Map<string, LetterResult>();
  const eligible: { letter: DeadLetterRow; queue: ReplayQueue }[] = [];
  for (const l of letters) {
    const target = replayTarget(l);
    if (!target.queue) results.set(l.id, { id: l.id, outcome: 'rejected', error: target.reason, code: 'unprocessable', queue: null });
    else if (l.status !== 'open' && !opts.again) results.set(l.id, { id: l.id, outcome: 'rejected', error: `${describeHandled(l)}: send again: true to replay it once more`, code: 'conflict', queue: target.queue });
    else eligible.push({ letter: l, queue: target.queue });
  }
  if (eligible.length > 0) {
    try {
      await sql.begin(async (tx) => {
        const claimed = new Set((await claimForReplay(tx, eligible.map((e) => ({ id: e.letter.id, queue: e.queue })), opts.actor, opts.again)).map((r) => r.id));
        for (const e of eligible) {
          if (!claimed.has(e.letter.id)) results.set(e.letter.id, { id: e.letter.id, outcome: 'rejected', error: `dead letter ${e.letter.id} was replayed or resolved meanwhile`, code: 'conflict', queue: e.queue });
        }
        for (const queue of Object.keys(REPLAY_QUEUES) as ReplayQueue[]) {
          const bodies = eligible.filter((e) => e.queue === queue && claimed.has(e.letter.id)).map((e) => ({ body: replayBody(e.letter.body, opts.again), contentType: 'json' as const }));
          // sendBatch takes at most 100 messages; a bulk action covers at most 100 letters
          if (bodies.length > 0) await env[REPLAY_QUEUES[queue]].sendBatch(bodies);
        }
        for (const e of eligible) if (claimed.has(e.letter.id)) results.set(e.letter.id, { id: e.letter.id, outcome: 'ok', error: null, queue: e.queue });
      });
    } catch (err) {
      // nothing was marked (the transaction rolled back): the letters stay open for another try
      const message = `sending to the queue failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const e of eligible) results.set(e.letter.id, { id: e.letter.id, outcome: 'failed', error: message, code: 'bad_gateway', queue: e.queue });
    }
  }
  const ordered = letters.map((l) => results.get(l.id)!);
  await audit(sql, letters, ordered, 'dead_letter_replay', opts, (r) => ({ queue: r.queue ?? null, again: opts.again }));
  return ordered;
}

/** Resolves open letters with a note; audits every letter. */
export async function resolveLetters(sql: Sql, letters: DeadLetterRow[], opts: ActOpts & { note: string }): Promise<LetterResult[]> {
  const open = letters.filter((l) => l.status === 'open');
  const closed = new Set((await resolveDeadLetters(sql, open.map((l) => l.id), opts.actor, opts.note)).map((r) => r.id));
  const ordered = letters.map((l): LetterResult => {
    if (closed.has(l.id)) return { id: l.id, outcome: 'ok', error: null };
    return { id: l.id, outcome: 'rejected', error: l.status === 'open' ? `dead letter ${l.id} was replayed or resolved meanwhile` : describeHandled(l), code: 'conflict' };
  });
  await audit(sql, letters, ordered, 'dead_letter_resolve', opts, () => ({ note: opts.note }));
  return ordered;
}

async function audit(sql: Sql, letters: DeadLetterRow[], results: LetterResult[], action: OpsActionRecord['action'], opts: ActOpts, details: (r: LetterResult) => Record<string, unknown>) {
  await recordOpsActions(
    sql,
    letters.map((l, i) => ({
      instanceId: null,
      workflow: null,
      action,
      actor: opts.actor,
      outcome: results[i]!.outcome,
      error: results[i]!.error,
      details: { ...details(results[i]!), from_status: l.status, source_queue: l.source_queue, error_code: l.error_code },
      bulkId: opts.bulkId ?? null,
      deadLetterId: l.id,
      organizationId: l.organization_id,
    })),
  );
}
