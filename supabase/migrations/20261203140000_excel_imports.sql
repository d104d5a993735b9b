-- Excel imports: the ExcelImport workflow's progress on import_jobs, its staged rows and its
-- per-row errors; notes on videos (an import column, written to exports).

-- Columns ----------------------------------------------------------------------------------------
-- import_jobs is shared with SheetsResync; these columns are only added (none renamed).
alter table public.import_jobs
  add column file_key text,
  add column file_name text,
  add column file_size bigint check (file_size >= 0),
  add column sheet_name text,
  add column campaign_id uuid,
  add column start_tracking boolean not null default false,
  add column added int not null default 0 check (added >= 0),
  add column already_present int not null default 0 check (already_present >= 0),
  add column invalid int not null default 0 check (invalid >= 0),
  add column over_quota int not null default 0 check (over_quota >= 0),
  add column unknown_columns jsonb not null default '[]'::jsonb check (jsonb_typeof(unknown_columns) = 'array'),
  add column failure_code text,
  add column failure_reason text;
comment on column public.import_jobs.file_key is 'R2 key of the uploaded file (FILES bucket), under orgs/<organization_id>/.';
comment on column public.import_jobs.over_quota is 'Rows whose video was saved but not tracked: the plan''s tracked-videos quota was reached.';
comment on column public.import_jobs.failure_reason is 'Why the whole file was refused (not an xlsx, zip bomb, too many rows, ...); per-row problems are in import_job_errors.';

alter table public.videos add column notes text check (length(notes) <= 2000);
comment on column public.videos.notes is 'Free text from an import (or the user); exported as text, never as a formula.';

-- Tables -----------------------------------------------------------------------------------------
-- Rows parsed from the file, staged so chunk steps read them from here (not from step results,
-- capped at 1 MiB). outcome is set by the chunk step that imports the row, in the same
-- transaction as the video write, so a retried step skips what it already did.
create table public.import_job_rows (
  job_id uuid not null references public.import_jobs (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  row_number int not null check (row_number >= 1),
  -- 1..n in sheet order: chunk k is seq in ((k-1)*size, k*size]
  seq int not null check (seq >= 1),
  url text,
  -- what parsing found wrong with a cell ([{column, code, reason}]), validated again by the chunk step
  parse_problems jsonb not null default '[]'::jsonb,
  campaign text,
  tags text,
  budget text,
  notes text,
  outcome text check (outcome in ('added', 'already_present', 'duplicate', 'invalid')),
  over_quota boolean not null default false,
  video_id uuid,
  primary key (job_id, row_number),
  unique (job_id, seq)
);
comment on table public.import_job_rows is 'ExcelImport staging: one row per non-empty spreadsheet row; service only.';
create index import_job_rows_organization_idx on public.import_job_rows (organization_id);
-- "an earlier row of this job already brought this video" (duplicate links across chunks)
create index import_job_rows_job_video_idx on public.import_job_rows (job_id, video_id) where video_id is not null;

create table public.import_job_errors (
  job_id uuid not null references public.import_jobs (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  row_number int not null check (row_number >= 1),
  column_name text not null,
  code text not null,
  reason text not null,
  created_at timestamptz not null default now(),
  primary key (job_id, row_number, column_name)
);
comment on table public.import_job_errors is 'Per-row problems of an import (row number as the spreadsheet shows it, column header, reason).';
create index import_job_errors_organization_idx on public.import_job_errors (organization_id);

-- RLS --------------------------------------------------------------------------------------------
-- Staging is internal: RLS on, no policy for authenticated (only the service role reaches it).
alter table public.import_job_rows enable row level security;

-- Errors are written by the workflow (service role) and read by members of the organization.
alter table public.import_job_errors enable row level security;

create policy "Members can read their organization's import errors"
  on public.import_job_errors for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
