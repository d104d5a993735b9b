import { z } from '@hono/zod-openapi';
import { DayString, nullableRef, Timestamp, Uuid } from '../openapi/schemas';

/** The JSON shapes the /reports routes answer with (src/http/reports/schedules.ts and runs.ts build them). */

const ScopeOut = z.discriminatedUnion('type', [
  z.object({ type: z.literal('organization') }),
  z.object({ type: z.literal('campaigns'), campaign_ids: z.array(Uuid) }),
  z.object({ type: z.literal('tags'), tags: z.array(z.string()) }),
]);
const RecipientOut = z.discriminatedUnion('type', [z.object({ type: z.literal('member'), user_id: Uuid }), z.object({ type: z.literal('email'), email: z.string() })]);

export const Schedule = z
  .object({
    id: Uuid,
    name: z.string(),
    enabled: z.boolean(),
    scope: ScopeOut,
    frequency: z.enum(['daily', 'weekly', 'monthly']),
    day_of_week: z.number().int().nullable(),
    day_of_month: z.number().int().nullable(),
    local_time: z.string(),
    timezone: z.string().openapi({ description: 'the organization’s time zone, in which local_time applies' }),
    recipients: z.array(RecipientOut),
    channels: z.array(z.enum(['email', 'telegram'])),
    contents: z.object({ summary: z.boolean(), top_videos: z.number().int(), new_videos: z.boolean(), bloggers: z.boolean(), xlsx: z.enum(['attachment', 'link', 'none']) }),
    next_run_at: Timestamp,
    last_run_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('ReportSchedule');

/** The report's figures (summary, top and new videos, bloggers): see src/reports/figures.ts. */
export const Figures = z.record(z.string(), z.unknown()).openapi('ReportFigures', { description: 'totals, increments, change, top and new videos, bloggers of the period' });

const runFields = {
  id: Uuid,
  schedule_id: Uuid.nullable(),
  schedule_name: z.string(),
  period: z.object({ start: DayString, end: DayString }),
  status: z.enum(['running', 'complete', 'failed']),
  error: z.string().nullable(),
  has_file: z.boolean(),
  file_size: z.number().int().nullable(),
  created_at: Timestamp,
  completed_at: Timestamp.nullable(),
  deliveries: z.array(
    z.object({
      recipient: z.unknown(),
      channel: z.string(),
      address: z.string().nullable(),
      status: z.string().openapi({ description: 'skipped, or the outbox’s: queued, sending, sent, failed, cancelled' }),
      detail: z.string().nullable(),
      sent_at: Timestamp.nullable(),
    }),
  ),
};
export const Run = z.object(runFields).openapi('ReportRun');
export const RunWithFigures = z.object({ ...runFields, figures: nullableRef(Figures) }).openapi('ReportRunWithFigures');

export const SharedReport = z.object({
  report: z.object({ schedule_name: z.string(), period: z.object({ start: DayString, end: DayString }), figures: Figures, expires_at: Timestamp }),
});

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A spreadsheet download. */
export const xlsxFile = (description: string) => ({ description, content: { [XLSX]: { schema: z.string().openapi({ format: 'binary' }) } } });
