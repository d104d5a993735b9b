import { jsonb, type Db } from './client';

// ---------- OAuth state (service) ----------
export interface OAuthStateRow {
  nonce: string;
  organization_id: string;
  user_id: string;
  code_verifier: string;
  scopes: string;
}

export async function insertOAuthState(db: Db, s: OAuthStateRow & { expiresAt: Date }): Promise<void> {
  // old, unused states are swept by the same statement (bounded: the index on expires_at)
  await db`
    with swept as (delete from public.google_oauth_states where expires_at < now() - interval '1 day')
    insert into public.google_oauth_states (nonce, organization_id, user_id, code_verifier, scopes, expires_at)
    values (${s.nonce}, ${s.organization_id}, ${s.user_id}, ${s.code_verifier}, ${s.scopes}, ${s.expiresAt})`;
}

/** Single use: the row is deleted as it is read, so a replayed state finds nothing. */
export async function consumeOAuthState(db: Db, nonce: string): Promise<(OAuthStateRow & { expired: boolean }) | undefined> {
  const [row] = await db<(OAuthStateRow & { expired: boolean })[]>`
    delete from public.google_oauth_states where nonce = ${nonce}
    returning nonce, organization_id, user_id, code_verifier, scopes, expires_at <= now() as expired`;
  return row;
}

export async function memberRole(db: Db, organizationId: string, userId: string): Promise<string | undefined> {
  const [row] = await db<{ role: string }[]>`
    select role::text from public.organization_members where organization_id = ${organizationId} and user_id = ${userId}`;
  return row?.role;
}

// ---------- integrations ----------
export interface IntegrationRow {
  id: string;
  organization_id: string;
  user_id: string | null;
  google_email: string | null;
  scopes: string[];
  status: 'active' | 'needs_reauth';
  status_reason: string | null;
  status_changed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  sources: number;
}

const INTEGRATION_COLUMNS = (db: Db) => db`
  i.id, i.organization_id, i.user_id, i.google_email, to_jsonb(i.scopes) as scopes, i.status, i.status_reason, i.status_changed_at,
  i.created_at, i.updated_at,
  (select count(*)::int from public.google_sheet_sources s where s.organization_id = i.organization_id and s.integration_id = i.id) as sources`;

export async function listIntegrations(db: Db, organizationId: string): Promise<IntegrationRow[]> {
  return db<IntegrationRow[]>`select ${INTEGRATION_COLUMNS(db)} from public.google_sheet_integrations i
    where i.organization_id = ${organizationId} order by i.created_at, i.id`;
}

export async function findIntegration(db: Db, organizationId: string, id: string): Promise<IntegrationRow | undefined> {
  const [row] = await db<IntegrationRow[]>`select ${INTEGRATION_COLUMNS(db)} from public.google_sheet_integrations i
    where i.organization_id = ${organizationId} and i.id = ${id}`;
  return row;
}

/** Connect (or reconnect) a Google account: one integration per organization and account. */
export async function upsertIntegration(db: Db, v: { organizationId: string; userId: string; email: string; scopes: string[] }): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into public.google_sheet_integrations (organization_id, user_id, google_email, scopes, status)
    select ${v.organizationId}, ${v.userId}, ${v.email}, coalesce(array_agg(s), '{}'), 'active'
    from jsonb_array_elements_text(${jsonb(v.scopes)}::text::jsonb) s
    on conflict (organization_id, google_email) do update set
      user_id = excluded.user_id, scopes = excluded.scopes, status = 'active', status_reason = null,
      status_changed_at = case when google_sheet_integrations.status <> 'active' then now() else google_sheet_integrations.status_changed_at end
    returning id`;
  // a reconnected account's sources run again
  await db`update public.google_sheet_sources set status = 'active', last_error = null
    where organization_id = ${v.organizationId} and integration_id = ${row!.id} and status = 'needs_reauth'`;
  return row!.id;
}

export async function deleteIntegration(db: Db, organizationId: string, id: string): Promise<boolean> {
  const rows = await db`delete from public.google_sheet_integrations where organization_id = ${organizationId} and id = ${id} returning id`;
  return rows.length > 0;
}

/** invalid_grant: the integration and its sources stop until the user connects again. */
export async function markNeedsReauth(db: Db, integrationId: string, reason: string): Promise<{ organization_id: string; google_email: string | null } | undefined> {
  const [row] = await db<{ organization_id: string; google_email: string | null }[]>`
    with i as (
      update public.google_sheet_integrations set status = 'needs_reauth', status_reason = ${reason},
        status_changed_at = case when status <> 'needs_reauth' then now() else status_changed_at end
      where id = ${integrationId} returning id, organization_id, google_email),
    s as (update public.google_sheet_sources s set status = 'needs_reauth', last_error = ${reason}
      from i where s.organization_id = i.organization_id and s.integration_id = i.id and s.status = 'active' returning s.id)
    select organization_id, google_email from i`;
  return row;
}

// ---------- credentials (service only) ----------
export interface CredentialsRow {
  integration_id: string;
  organization_id: string;
  refresh_token_ciphertext: string;
  access_token_ciphertext: string | null;
  access_token_expires_at: Date | null;
  key_id: string;
  integration_status: 'active' | 'needs_reauth';
}

export async function loadCredentials(db: Db, integrationId: string): Promise<CredentialsRow | undefined> {
  const [row] = await db<CredentialsRow[]>`
    select c.integration_id, c.organization_id, c.refresh_token_ciphertext, c.access_token_ciphertext, c.access_token_expires_at, c.key_id,
           i.status as integration_status
    from public.google_oauth_credentials c join public.google_sheet_integrations i on i.id = c.integration_id
    where c.integration_id = ${integrationId}`;
  return row;
}

export async function saveCredentials(db: Db, c: { integrationId: string; organizationId: string; refreshCiphertext: string | null; accessCiphertext: string; accessExpiresAt: Date; keyId: string }): Promise<void> {
  if (c.refreshCiphertext) {
    await db`
      insert into public.google_oauth_credentials (integration_id, organization_id, refresh_token_ciphertext, access_token_ciphertext, access_token_expires_at, key_id)
      values (${c.integrationId}, ${c.organizationId}, ${c.refreshCiphertext}, ${c.accessCiphertext}, ${c.accessExpiresAt}, ${c.keyId})
      on conflict (integration_id) do update set refresh_token_ciphertext = excluded.refresh_token_ciphertext,
        access_token_ciphertext = excluded.access_token_ciphertext, access_token_expires_at = excluded.access_token_expires_at, key_id = excluded.key_id`;
  } else {
    await db`update public.google_oauth_credentials set access_token_ciphertext = ${c.accessCiphertext}, access_token_expires_at = ${c.accessExpiresAt}
      where integration_id = ${c.integrationId}`;
  }
}

// ---------- sources ----------
export interface SourceRow {
  id: string;
  organization_id: string;
  integration_id: string;
  spreadsheet_id: string;
  sheet_id: string;
  sheet_title: string | null;
  header_row: number;
  column_mapping: Record<string, string>;
  export_config: { stats?: string[]; target?: 'columns' | 'tab'; tab_title?: string };
  is_active: boolean;
  status: 'active' | 'broken' | 'needs_reauth';
  last_error: string | null;
  last_synced_at: Date | null;
  last_run_at: Date | null;
  last_run_counts: Record<string, number> | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  running_job_id: string | null;
}

const SOURCE_COLUMNS = (db: Db) => db`
  s.id, s.organization_id, s.integration_id, s.spreadsheet_id, s.sheet_id::text as sheet_id, s.sheet_title, s.header_row, s.column_mapping,
  s.export_config, s.is_active, s.status, s.last_error, s.last_synced_at, s.last_run_at, s.last_run_counts, s.created_by, s.created_at, s.updated_at,
  (select j.id from public.import_jobs j where j.source_id = s.id and j.source = 'google_sheets' and j.status in ('pending', 'running') limit 1) as running_job_id`;

export interface NewSource {
  organizationId: string;
  integrationId: string;
  spreadsheetId: string;
  sheetId: number;
  sheetTitle: string;
  headerRow: number;
  mapping: Record<string, string>;
  exportConfig: Record<string, unknown>;
  createdBy: string;
}

export async function insertSource(db: Db, s: NewSource): Promise<string | undefined> {
  const [row] = await db<{ id: string }[]>`
    insert into public.google_sheet_sources (organization_id, integration_id, spreadsheet_id, sheet_id, sheet_title, header_row, column_mapping, export_config, mode, created_by)
    values (${s.organizationId}, ${s.integrationId}, ${s.spreadsheetId}, ${s.sheetId}, ${s.sheetTitle}, ${s.headerRow},
            ${jsonb(s.mapping)}::text::jsonb, ${jsonb(s.exportConfig)}::text::jsonb, 'both', ${s.createdBy})
    on conflict (organization_id, spreadsheet_id, sheet_id) do nothing
    returning id`;
  return row?.id;
}

export async function listSources(db: Db, organizationId: string): Promise<SourceRow[]> {
  return db<SourceRow[]>`select ${SOURCE_COLUMNS(db)} from public.google_sheet_sources s where s.organization_id = ${organizationId} order by s.created_at, s.id`;
}

export async function findSource(db: Db, organizationId: string, id: string): Promise<SourceRow | undefined> {
  const [row] = await db<SourceRow[]>`select ${SOURCE_COLUMNS(db)} from public.google_sheet_sources s where s.organization_id = ${organizationId} and s.id = ${id}`;
  return row;
}

export async function updateSource(db: Db, organizationId: string, id: string, p: { headerRow?: number; mapping?: Record<string, string>; exportConfig?: Record<string, unknown>; isActive?: boolean }): Promise<boolean> {
  const rows = await db`
    update public.google_sheet_sources set
      header_row = coalesce(${p.headerRow ?? null}::int, header_row),
      column_mapping = coalesce(${p.mapping ? jsonb(p.mapping) : null}::text::jsonb, column_mapping),
      export_config = coalesce(${p.exportConfig ? jsonb(p.exportConfig) : null}::text::jsonb, export_config),
      is_active = coalesce(${p.isActive ?? null}::boolean, is_active),
      -- editing a broken source is how the user fixes it: the next run tries again
      status = case when status = 'broken' then 'active' else status end,
      last_error = case when status = 'broken' then null else last_error end
    where organization_id = ${organizationId} and id = ${id} returning id`;
  return rows.length > 0;
}

export async function deleteSource(db: Db, organizationId: string, id: string): Promise<boolean> {
  const rows = await db`delete from public.google_sheet_sources where organization_id = ${organizationId} and id = ${id} returning id`;
  return rows.length > 0;
}

// ---------- runs (import_jobs) ----------
export interface RunRow {
  id: string;
  status: string;
  trigger: string | null;
  total_rows: number | null;
  inserted: number;
  already_tracked: number;
  failed_rows: number;
  over_quota: number;
  cells_written: number;
  errors: unknown[];
  error: string | null;
  workflow_instance_id: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export async function listRuns(db: Db, organizationId: string, sourceId: string, limit: number): Promise<RunRow[]> {
  return db<RunRow[]>`
    select id, status, trigger, total_rows, inserted, already_tracked, failed_rows, over_quota, cells_written, errors, error,
           workflow_instance_id, created_at, finished_at
    from public.import_jobs where organization_id = ${organizationId} and source = 'google_sheets' and source_id = ${sourceId}
    order by created_at desc, id desc limit ${limit}`;
}

export interface RunToOpen {
  organizationId: string;
  sourceId: string;
  instanceId: string;
  trigger: 'cron' | 'http' | 'ops';
  createdBy: string | null;
}

/**
 * Opens a pending run per source unless one is open already (the partial unique index), and
 * answers the runs that belong to these instance ids — so a step that runs twice opens nothing twice.
 */
export async function openRuns(db: Db, runs: RunToOpen[]): Promise<{ source_id: string; job_id: string; instance_id: string; organization_id: string }[]> {
  if (runs.length === 0) return [];
  // A run that made no progress for 6 hours was terminated or lost (a run takes seconds): it no
  // longer blocks its source. (The 4-hour window makes this the next-but-one scheduled run.)
  await db`
    update public.import_jobs set status = 'failed', finished_at = now(), error = 'abandoned: no progress for 6 hours (terminated or lost)'
    where source = 'google_sheets' and status in ('pending', 'running') and updated_at < now() - interval '6 hours'
      and source_id in (select (jsonb_array_elements_text(${jsonb(runs.map((r) => r.sourceId))}::text::jsonb))::uuid)`;
  await db`
    insert into public.import_jobs (organization_id, source, source_id, status, workflow_instance_id, trigger, created_by)
    select r.organization_id, 'google_sheets', r.source_id, 'pending', r.instance_id, r.trigger, r.created_by
    from jsonb_to_recordset(${jsonb(runs.map((r) => ({ organization_id: r.organizationId, source_id: r.sourceId, instance_id: r.instanceId, trigger: r.trigger, created_by: r.createdBy })))}::text::jsonb)
      as r(organization_id uuid, source_id uuid, instance_id text, trigger text, created_by uuid)
    where not exists (select 1 from public.import_jobs j where j.workflow_instance_id = r.instance_id)
    on conflict (source_id) where source = 'google_sheets' and status in ('pending', 'running') do nothing`;
  return db<{ source_id: string; job_id: string; instance_id: string; organization_id: string }[]>`
    select j.source_id, j.id as job_id, j.workflow_instance_id as instance_id, j.organization_id from public.import_jobs j
    where j.workflow_instance_id in (select jsonb_array_elements_text(${jsonb(runs.map((r) => r.instanceId))}::text::jsonb))`;
}

/** Sources the 4-hour resync covers: active, not broken, whose Google account still has its grant. */
export async function sourcesForResync(db: Db, afterId: string | null, limit: number): Promise<{ id: string; organization_id: string; created_by: string | null }[]> {
  return db`
    select s.id, s.organization_id, s.created_by from public.google_sheet_sources s
    join public.google_sheet_integrations i on i.organization_id = s.organization_id and i.id = s.integration_id
    where s.is_active and s.status = 'active' and i.status = 'active' ${afterId ? db`and s.id > ${afterId}` : db``}
    order by s.id limit ${limit}`;
}

/** Google said 401 for our cached access token: the next attempt refreshes. */
export async function expireAccessToken(db: Db, integrationId: string): Promise<void> {
  await db`update public.google_oauth_credentials set access_token_expires_at = now() where integration_id = ${integrationId}`;
}
