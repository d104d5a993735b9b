-- Google Sheets: OAuth connection (state, encrypted credentials), source mapping/export config,
-- SheetsResync run counts and the staging of a worksheet's rows.
--
-- Tokens never live in a table members can read: google_sheet_integrations keeps the account,
-- scopes and status; the encrypted refresh/access tokens live in google_oauth_credentials, which
-- only the service reaches (RLS on, no policy for authenticated).

-- (Text can never hold NUL characters in Postgres; the Worker refuses them at its boundaries.)

-- Integrations ------------------------------------------------------------------------------------
-- The legacy token columns stay (no renames) but can never hold anything.
alter table public.google_sheet_integrations
  add constraint google_sheet_integrations_no_tokens check (access_token_encrypted is null and refresh_token_encrypted is null),
  add constraint google_sheet_integrations_status_check check (status in ('active', 'needs_reauth')),
  add column status_reason text check (status_reason is null or (length(status_reason) <= 1000)),
  add column status_changed_at timestamptz,
  add constraint google_sheet_integrations_email_check check (google_email is null or (length(google_email) <= 320));
comment on column public.google_sheet_integrations.status is 'active, or needs_reauth after Google answered invalid_grant (the user must connect again).';
-- Reconnecting the same Google account updates its integration instead of adding another.
create unique index google_sheet_integrations_organization_email_idx on public.google_sheet_integrations (organization_id, google_email);

-- Service only: what the consent round trip needs between /authorize and /callback (single use).
create table public.google_oauth_states (
  nonce text primary key check (length(nonce) between 16 and 100),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null,
  code_verifier text not null,
  scopes text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
comment on table public.google_oauth_states is 'Pending Google consents: deleted when the callback uses them (so a state cannot be replayed). Service only.';
create index google_oauth_states_expires_idx on public.google_oauth_states (expires_at);
alter table public.google_oauth_states enable row level security;

-- Service only: AES-GCM ciphertexts (key id + iv + ciphertext; AAD = organization + integration id).
create table public.google_oauth_credentials (
  integration_id uuid primary key,
  organization_id uuid not null,
  refresh_token_ciphertext text not null,
  access_token_ciphertext text,
  access_token_expires_at timestamptz,
  key_id text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (organization_id, integration_id) references public.google_sheet_integrations (organization_id, id) on delete cascade
);
comment on table public.google_oauth_credentials is 'Encrypted Google tokens of each integration. No policy for authenticated: only the service reads it.';
create index google_oauth_credentials_organization_idx on public.google_oauth_credentials (organization_id);
create trigger set_updated_at before update on public.google_oauth_credentials
  for each row execute function private.set_updated_at();
alter table public.google_oauth_credentials enable row level security;

-- Sources -----------------------------------------------------------------------------------------
alter table public.google_sheet_sources
  add column header_row int not null default 1 check (header_row between 1 and 1000),
  add column export_config jsonb not null default '{}'::jsonb check (jsonb_typeof(export_config) = 'object'),
  add column status text not null default 'active' check (status in ('active', 'broken', 'needs_reauth')),
  add column created_by uuid,
  add column last_run_at timestamptz,
  add column last_run_counts jsonb,
  add constraint google_sheet_sources_spreadsheet_id_check check (spreadsheet_id ~ '^[A-Za-z0-9_-]{1,200}$'),
  add constraint google_sheet_sources_sheet_title_check check (sheet_title is null or (length(sheet_title) <= 200));
comment on column public.google_sheet_sources.status is 'active; broken (Google answered 403/404: sheet deleted or access removed; reason in last_error); needs_reauth (its integration lost its grant).';
comment on column public.google_sheet_sources.export_config is '{stats: [...], target: columns|tab, tab_title?}: which stats SheetsResync writes back and where.';
create unique index google_sheet_sources_worksheet_idx on public.google_sheet_sources (organization_id, spreadsheet_id, sheet_id);

-- Import jobs (shared with the Excel import: columns added, none renamed) -------------------------
alter table public.import_jobs
  add column already_tracked int not null default 0 check (already_tracked >= 0),
  -- over_quota (rows whose new video could not start tracking) comes with the Excel import's columns
  add column cells_written int not null default 0 check (cells_written >= 0),
  add column trigger text check (trigger is null or trigger in ('cron', 'http', 'ops', 'workflow')),
  add column error text;
comment on column public.import_jobs.already_tracked is 'Sheets resync: rows whose video the organization already had.';
comment on column public.import_jobs.over_quota is 'Rows whose video was saved but could not start tracking: the tracked-videos quota was full (Excel import and Sheets resync).';
comment on column public.import_jobs.cells_written is 'Sheets resync: cells written back (values.batchUpdate totalUpdatedCells).';
-- One run at a time per source: a second start while one is pending/running is refused (409).
create unique index import_jobs_one_open_sheets_run_idx on public.import_jobs (source_id)
  where source = 'google_sheets' and status in ('pending', 'running');
create index import_jobs_source_created_idx on public.import_jobs (source_id, created_at desc) where source_id is not null;

-- Staging: a worksheet's rows during one run (read → parse → upsert → write back). Service only.
create table public.google_sheet_run_rows (
  job_id uuid not null references public.import_jobs (id) on delete cascade,
  row_number int not null check (row_number >= 1),
  url text,
  campaign text,
  tags text,
  budget text,
  platform public.platform,
  external_video_id text,
  canonical_url text,
  error text,
  video_id uuid,
  outcome text check (outcome is null or outcome in ('added', 'already_tracked', 'over_quota', 'duplicate', 'invalid')),
  primary key (job_id, row_number)
);
comment on table public.google_sheet_run_rows is 'SheetsResync staging: one row per worksheet row of a run; a finished run drops the rows of the source''s earlier runs (invalid rows stay in import_jobs.errors). Service only.';
alter table public.google_sheet_run_rows enable row level security;

-- RLS: role-aware writes on the Sheets tables ------------------------------------------------------
-- Integrations are written by the service only (the OAuth callback has no user JWT; deletes revoke
-- at Google first), so members keep read access and lose the write policies.
drop policy "Members can add Sheets integrations to their organization" on public.google_sheet_integrations;
drop policy "Members can update their organization's Sheets integrations" on public.google_sheet_integrations;
drop policy "Members can delete their organization's Sheets integrations" on public.google_sheet_integrations;

drop policy "Members can add Sheets sources to their organization" on public.google_sheet_sources;
drop policy "Members can update their organization's Sheets sources" on public.google_sheet_sources;
drop policy "Members can delete their organization's Sheets sources" on public.google_sheet_sources;

create policy "Members who may import can add Sheets sources"
  on public.google_sheet_sources for insert to authenticated
  with check ((select private.member_role(organization_id)) in ('owner', 'admin', 'member'));

create policy "Members who may import can update Sheets sources"
  on public.google_sheet_sources for update to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin', 'member'))
  with check ((select private.member_role(organization_id)) in ('owner', 'admin', 'member'));

create policy "Members who may import can delete Sheets sources"
  on public.google_sheet_sources for delete to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin', 'member'));
