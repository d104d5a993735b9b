import type { Db } from '../db/client';
import { enqueueDueRows } from '../notifications/outbox-events';
import { recordSheetsReauth } from '../notifications/sheets-reauth';

/**
 * Called when an integration is found needs_reauth (Google answered invalid_grant, or a later run
 * meets the mark): writes its `sheets_reauth` notification — once per reauth episode, whoever
 * calls — and enqueues it. The state itself is recorded on google_sheet_integrations (status,
 * status_reason, status_changed_at) and on its sources.
 */
export async function onIntegrationNeedsReauth(env: Env, db: Db, e: { integrationId: string; organizationId: string; googleEmail: string | null; reason: string }): Promise<void> {
  // no token here: ids and the reason only
  console.warn(JSON.stringify({ event: 'google_integration_needs_reauth', integration_id: e.integrationId, organization_id: e.organizationId, reason: e.reason }));
  await enqueueDueRows(env, await recordSheetsReauth(db, e.integrationId));
}
