import { z } from '@hono/zod-openapi';
import { Timestamp, Uuid } from '../openapi/schemas';

/** The JSON shapes the ops API answers with (src/http/ops/*). */

export const RunView = z
  .object({
    instance_id: z.string(),
    workflow: z.string(),
    organization_id: Uuid.nullable(),
    organization_name: z.string().nullable(),
    trigger: z.string(),
    triggered_by: z.string().nullable(),
    params_summary: z.record(z.string(), z.unknown()),
    status: z.string(),
    error: z.string().nullable(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    ended_at: Timestamp.nullable(),
    updated_at: Timestamp,
    duration_ms: z.number().int().nullable(),
    output: z.unknown().optional().openapi({ description: 'the detail only' }),
  })
  .openapi('OpsRun');

export const OpsAction = z
  .object({
    id: z.string(),
    instance_id: z.string().nullable(),
    workflow: z.string().nullable(),
    action: z.string(),
    actor: z.string(),
    outcome: z.string(),
    error: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    bulk_id: z.string().nullable(),
    dead_letter_id: z.string().nullable(),
    organization_id: Uuid.nullable(),
    created_at: Timestamp,
  })
  .openapi('OpsAction');

export const Meta = z.object({
  operator: z.object({ actor: z.string(), role: z.enum(['admin', 'operator', 'viewer']), via: z.enum(['ops_token', 'jwt']), email: z.string().nullable() }),
  workflows: z.array(z.string()),
  statuses: z.array(z.string()),
  triggers: z.array(z.string()),
  actions: z.array(z.string()),
  step_detail: z.union([z.object({ available: z.literal(true), source: z.string() }), z.object({ available: z.literal(false), reason: z.string() })]),
});

export const Metrics = z.object({
  from: Timestamp,
  to: Timestamp,
  hours: z.number().int(),
  hourly: z.array(z.object({ hour: Timestamp, workflow: z.string(), status: z.string(), runs: z.number().int() })),
  by_workflow: z.array(
    z.object({
      workflow: z.string(),
      total: z.number().int(),
      finished: z.number().int(),
      complete: z.number().int(),
      errored: z.number().int(),
      terminated: z.number().int(),
      in_flight: z.number().int(),
      failure_rate: z.number().nullable(),
      p50_ms: z.number().nullable(),
      p95_ms: z.number().nullable(),
    }),
  ),
  totals: z.object({ runs: z.number().int(), in_flight: z.number().int(), finished: z.number().int(), errored: z.number().int(), failure_rate: z.number().nullable() }),
  backlog: z.object({
    videos_awaiting_refresh: z.number().int(),
    videos_awaiting_refresh_capped: z.boolean(),
    dead_letters_unresolved: z.number().int(),
    dead_letters_in_window: z.number().int(),
    dead_letters_by_queue: z.array(z.object({ source_queue: z.string(), unresolved: z.number().int(), in_window: z.number().int() })),
  }),
  recent_failures: z.array(RunView),
});

const dlFields = {
  id: z.string(),
  message_id: z.string(),
  source_queue: z.string(),
  error_code: z.string(),
  reason: z.string(),
  attempts: z.number().int(),
  organization_id: Uuid.nullable(),
  organization_name: z.string().nullable(),
  status: z.enum(['open', 'replayed', 'resolved']),
  created_at: Timestamp,
  resolved_at: Timestamp.nullable(),
  resolved_by: z.string().nullable(),
  resolution_note: z.string().nullable(),
  replayed_at: Timestamp.nullable(),
  replay_queue: z.string().nullable(),
  replay_count: z.number().int(),
};
export const DeadLetter = z.object(dlFields).openapi('DeadLetter');
export const DeadLetterWithBody = z.object({ ...dlFields, body: z.unknown() }).openapi('DeadLetterWithBody');
export const LetterResult = z.object({
  id: z.string(),
  outcome: z.enum(['ok', 'failed', 'rejected']),
  error: z.string().nullable(),
  code: z.enum(['conflict', 'unprocessable', 'bad_gateway']).optional(),
  queue: z.string().nullable().optional(),
});
export const RunActionResult = z.object({
  instance_id: z.string(),
  workflow: z.string(),
  outcome: z.enum(['ok', 'failed', 'rejected']),
  from_status: z.string().nullable(),
  status: z.string().nullable(),
  error: z.string().nullable(),
  code: z.enum(['not_found', 'conflict', 'unprocessable', 'bad_gateway']).nullable(),
});
export const Live = z.union([
  z.object({ status: z.string().nullable(), error: z.string().nullable() }),
  z.object({ status: z.null(), error: z.null(), unavailable: z.string() }),
]).nullable();
