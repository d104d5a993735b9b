import { z } from '@hono/zod-openapi';
import { Timestamp, Uuid } from '../openapi/schemas';

/** The JSON shapes the Google Sheets routes answer with (src/http/sheets/*). */

export const Integration = z
  .object({
    id: Uuid,
    google_email: z.string().nullable(),
    scopes: z.array(z.string()),
    status: z.enum(['active', 'needs_reauth']),
    status_reason: z.string().nullable(),
    status_changed_at: Timestamp.nullable(),
    sources: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('GoogleIntegration');

export const Source = z
  .object({
    id: Uuid,
    integration_id: Uuid,
    spreadsheet_id: z.string(),
    sheet_id: z.number().int(),
    sheet_title: z.string().nullable(),
    header_row: z.number().int(),
    mapping: z.record(z.string(), z.string()),
    export: z.object({ stats: z.array(z.string()).optional(), target: z.enum(['columns', 'tab']).optional(), tab_title: z.string().optional() }),
    is_active: z.boolean(),
    status: z.enum(['active', 'broken', 'needs_reauth']),
    last_error: z.string().nullable(),
    last_synced_at: Timestamp.nullable(),
    last_run_at: Timestamp.nullable(),
    last_run: z.record(z.string(), z.number()).nullable(),
    running_run_id: Uuid.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('SheetsSource');

export const SourceRun = z.object({
  id: Uuid,
  status: z.string(),
  trigger: z.string().nullable(),
  rows_read: z.number().int().nullable(),
  added: z.number().int(),
  already_tracked: z.number().int(),
  invalid: z.number().int(),
  over_quota: z.number().int(),
  cells_written: z.number().int(),
  invalid_rows: z.array(z.unknown()),
  error: z.string().nullable(),
  workflow_instance_id: z.string().nullable(),
  created_at: Timestamp,
  finished_at: Timestamp.nullable(),
});
