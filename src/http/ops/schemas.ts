import { z } from 'zod';
import { fromCursor, toCursor } from '../cursor';
import { Instant, isStorableText, Text, whenFieldsValid } from '../../domain/validation';
import type { RunFilter, RunListRow, RunRow } from '../../db/ops';
import { RUN_ACTIONS } from '../../ops/runs';
import { RUN_STATUSES, RUN_TRIGGERS, WORKFLOW_NAMES } from '../../ops/workflows';

/** Request and response shapes of the ops API (tests import the types). */

export const InstanceId = z.string().regex(/^[a-zA-Z0-9_-]{1,100}$/, 'instance ids are 1–100 characters of [a-zA-Z0-9_-]');

/** `a,b` or a repeated parameter → a list of allowed values. */
const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(
    (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean)),
    z.array(z.enum(values)).max(values.length).optional(),
  );

const isoDate = Instant;
const searchText = Text({ max: 200 }).optional();

export const RunFilterInput = z
  .object({
    workflow: listOf(WORKFLOW_NAMES as [string, ...string[]]),
    status: listOf(RUN_STATUSES),
    trigger: listOf(RUN_TRIGGERS),
    organization_id: z.uuid().optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    q: z.string().trim().regex(/^[a-zA-Z0-9_-]{1,100}$/, 'search by an instance id or its beginning ([a-zA-Z0-9_-])').optional(),
    blogger: searchText,
    sheet: searchText,
    video: searchText,
  })
  .refine((f) => !(f.from && f.to) || f.from < f.to, { message: "'from' must be before 'to'", path: ['from'], ...whenFieldsValid });
export type RunFilterInput = z.input<typeof RunFilterInput>;

export function toRunFilter(f: z.output<typeof RunFilterInput>): RunFilter {
  return {
    workflows: f.workflow,
    statuses: f.status,
    triggers: f.trigger,
    organizationId: f.organization_id,
    from: f.from,
    to: f.to,
    q: f.q,
    blogger: f.blogger,
    sheet: f.sheet,
    video: f.video,
  };
}

export const ListRunsQuery = z.intersection(
  RunFilterInput,
  z.object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(300).optional(),
    /** `false` skips reading live statuses (faster, registry only) */
    reconcile: z.enum(['true', 'false']).default('true'),
  }),
);

// `at` is read back as timestamptz: a real instant in range, or the cursor is refused (not a database error).
const Cursor = z.object({
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/).refine((at) => Instant.safeParse(at).success),
  id: InstanceId,
});

export const encodeRunCursor = (row: { cursor_at: string; instance_id: string }) => toCursor({ at: row.cursor_at, id: row.instance_id });

export const decodeRunCursor = (cursor: string | undefined) => fromCursor(Cursor, cursor);

/** A run as the API answers it. */
export function runView(row: RunListRow | RunRow) {
  const { cursor_at: _cursor, ...rest } = row;
  return { ...rest, duration_ms: row.duration_ms === null ? null : Math.round(row.duration_ms) };
}
export type RunView = ReturnType<typeof runView>;

export const RestartFromInput = z.object({
  name: z.string().min(1).max(256).refine(isStorableText, 'must not contain NUL characters'),
  count: z.number().int().min(1).optional(),
  type: z.enum(['do', 'sleep', 'waitForEvent']).optional(),
});

export const ActionParam = z.object({ id: InstanceId, action: z.enum(RUN_ACTIONS) });
export const ActionBody = z.object({ from: RestartFromInput.optional() }).strict();

export const MAX_BULK = 100;

export const BulkBody = z
  .object({
    action: z.enum(RUN_ACTIONS),
    filter: RunFilterInput.optional(),
    instance_ids: z.array(InstanceId).min(1).max(MAX_BULK).optional(),
    dry_run: z.boolean().default(false),
    /** the number of runs the operator confirmed (from a dry run); a different match is refused */
    expected_count: z.number().int().min(0).optional(),
    from: RestartFromInput.optional(),
  })
  .strict()
  .refine((b) => (b.filter === undefined) !== (b.instance_ids === undefined), { message: 'give either filter or instance_ids', path: ['filter'], ...whenFieldsValid })
  .refine((b) => b.filter === undefined || Object.values(b.filter).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0)), {
    message: 'a bulk filter needs at least one criterion',
    path: ['filter'],
    ...whenFieldsValid,
  })
  .refine((b) => b.dry_run || b.expected_count !== undefined, { message: 'expected_count is required (run with dry_run first and confirm its count)', path: ['expected_count'], ...whenFieldsValid })
  .refine((b) => b.from === undefined || b.action === 'restart', { message: "'from' applies to restart only", path: ['from'], ...whenFieldsValid });
export type BulkBody = z.input<typeof BulkBody>;

export const ScheduledRunBody = z.object({ cron: Text({ max: 100 }) }).strict();

export const MetricsQuery = z.object({ hours: z.coerce.number().int().min(1).max(168).default(24) });

export const ActionsQuery = z.object({
  instance_id: InstanceId.optional(),
  dead_letter_id: z.string().regex(/^\d{1,19}$/, 'a dead letter id').optional(),
  organization_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  // an ops_actions id (bigint): at most 2^63 - 1, or Postgres refuses the comparison
  cursor: z.string().regex(/^\d{1,19}$/).refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9223372036854775807n, 'not a valid cursor').optional(),
});
