/**
 * HOOK for notification delivery (not built yet): called once when an integration turns
 * needs_reauth (Google answered invalid_grant). The state is already recorded on
 * google_sheet_integrations (status, status_reason, status_changed_at) and on its sources, so a
 * notifier may also poll for `status = 'needs_reauth'` rows; this call is the push path.
 * Replace the log line with an enqueue to NOTIFICATIONS when that consumer exists.
 */
export async function onIntegrationNeedsReauth(_env: Env, e: { integrationId: string; organizationId: string; googleEmail: string | null; reason: string }): Promise<void> {
  // no token here: ids and the reason only
  console.warn(JSON.stringify({ event: 'google_integration_needs_reauth', integration_id: e.integrationId, organization_id: e.organizationId, reason: e.reason }));
}
