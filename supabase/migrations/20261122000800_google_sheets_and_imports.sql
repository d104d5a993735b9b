-- Sheets integrations and sources, and import jobs (Excel and Google Sheets).

-- Tables -----------------------------------------------------------------------------------------
create table public.google_sheet_integrations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid,
  google_email text,
  -- OAuth tokens are encrypted by the Worker before they are stored; never plaintext here.
  access_token_encrypted text,
  refresh_token_encrypted text,
  token_expires_at timestamptz,
  scopes text[] not null default '{}',
  status text not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id)
);
comment on table public.google_sheet_integrations is 'Google accounts connected to an organization (OAuth tokens encrypted by the application).';
create index google_sheet_integrations_organization_idx on public.google_sheet_integrations (organization_id);

create trigger set_updated_at before update on public.google_sheet_integrations
  for each row execute function private.set_updated_at();

create table public.google_sheet_sources (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  integration_id uuid not null,
  spreadsheet_id text not null,
  sheet_id bigint,
  sheet_title text,
  mode text not null default 'import' check (mode in ('import', 'export', 'both')),
  column_mapping jsonb not null default '{}'::jsonb,
  last_synced_at timestamptz,
  last_error text,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (organization_id, integration_id) references public.google_sheet_integrations (organization_id, id) on delete cascade
);
comment on table public.google_sheet_sources is 'Worksheets imported from or exported to; resynced every 4 hours when active.';
create index google_sheet_sources_organization_integration_idx on public.google_sheet_sources (organization_id, integration_id);
-- SheetsResync: active sources, least recently synced first.
create index google_sheet_sources_resync_idx on public.google_sheet_sources (last_synced_at nulls first) where is_active;

create trigger set_updated_at before update on public.google_sheet_sources
  for each row execute function private.set_updated_at();

create table public.import_jobs (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  source text not null check (source in ('excel', 'google_sheets')),
  source_id uuid,
  status text not null default 'pending' check (status in ('pending', 'running', 'completed', 'failed')),
  total_rows int check (total_rows >= 0),
  processed_rows int not null default 0 check (processed_rows >= 0),
  inserted int not null default 0 check (inserted >= 0),
  updated int not null default 0 check (updated >= 0),
  failed_rows int not null default 0 check (failed_rows >= 0),
  errors jsonb not null default '[]'::jsonb check (jsonb_typeof(errors) = 'array'),
  workflow_instance_id text,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table public.import_jobs is 'One row per Excel / Google Sheets import (ExcelImport workflow progress).';
comment on column public.import_jobs.source_id is 'google_sheet_sources.id for Sheets imports; null for Excel uploads.';
create index import_jobs_organization_created_idx on public.import_jobs (organization_id, created_at desc);
create index import_jobs_workflow_instance_idx on public.import_jobs (workflow_instance_id) where workflow_instance_id is not null;

create trigger set_updated_at before update on public.import_jobs
  for each row execute function private.set_updated_at();

-- RLS --------------------------------------------------------------------------------------------
-- Members of the row's organization read and write it (roles: the application's permission matrix).
-- The caller's organization ids are read once per statement: see private.user_organization_ids().
alter table public.google_sheet_integrations enable row level security;

create policy "Members can read their organization's Sheets integrations"
  on public.google_sheet_integrations for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add Sheets integrations to their organization"
  on public.google_sheet_integrations for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's Sheets integrations"
  on public.google_sheet_integrations for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's Sheets integrations"
  on public.google_sheet_integrations for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.google_sheet_sources enable row level security;

create policy "Members can read their organization's Sheets sources"
  on public.google_sheet_sources for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add Sheets sources to their organization"
  on public.google_sheet_sources for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's Sheets sources"
  on public.google_sheet_sources for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's Sheets sources"
  on public.google_sheet_sources for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.import_jobs enable row level security;

create policy "Members can read their organization's import jobs"
  on public.import_jobs for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add import jobs to their organization"
  on public.import_jobs for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's import jobs"
  on public.import_jobs for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's import jobs"
  on public.import_jobs for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
