import type { Db } from '../db/client';
import { recordNotificationEvents, type FannedOut } from '../db/alerts';

/**
 * `sheets_reauth` for an integration that is needs_reauth: one per reauth episode, keyed by the
 * integration and the moment it was marked (status_changed_at), so every later run that finds it
 * still unauthorised notifies nobody again, while a new revocation after a reconnect does. For
 * the member who connected the account and the owners/admins (who can connect it again).
 */
export async function recordSheetsReauth(db: Db, integrationId: string): Promise<FannedOut[]> {
  const [i] = await db<{ organization_id: string; google_email: string | null; marked_at: string; reason: string | null; user_ids: string[] }[]>`
    select i.organization_id, i.google_email, to_char(i.status_changed_at at time zone 'UTC', 'YYYYMMDD"T"HH24MISS.US') as marked_at, i.status_reason as reason,
           coalesce((select jsonb_agg(m.user_id) from public.organization_members m
                      where m.organization_id = i.organization_id and (m.user_id = i.user_id or m.role in ('owner', 'admin'))), '[]'::jsonb) as user_ids
    from public.google_sheet_integrations i
    where i.id = ${integrationId} and i.status = 'needs_reauth'`;
  if (!i || i.user_ids.length === 0) return [];
  const account = i.google_email ?? 'a Google account';
  return recordNotificationEvents(db, [{
    organizationId: i.organization_id,
    type: 'sheets_reauth',
    dedupeKey: `${integrationId}:${i.marked_at}`,
    text: `🔑 Google Sheets sync stopped: ${account} must be connected again (Google no longer accepts its authorisation). Reconnect it under Integrations to resume syncing.`,
    vars: { googleEmail: i.google_email ?? '', integrationId, reason: i.reason ?? '' },
    userIds: i.user_ids,
  }]);
}
