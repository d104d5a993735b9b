-- Our own registry of Workflow instances (the Workflows binding cannot list or search instances)
-- and the audit log of operator actions. Only the service writes either table.

-- Tables -----------------------------------------------------------------------------------------
create table public.workflow_runs (
  instance_id text primary key check (instance_id ~ '^[a-zA-Z0-9_-]{1,100}$'),
  workflow text not null,
  organization_id uuid references public.organizations (id) on delete set null,
  trigger text not null check (trigger in ('http', 'cron', 'workflow', 'ops')),
  triggered_by text,
  params_summary jsonb not null default '{}'::jsonb,
  -- Cloudflare Workflows instance statuses, plus 'queued' before the engine reports one.
  status text not null default 'queued'
    check (status in ('queued', 'running', 'paused', 'errored', 'terminated', 'complete', 'waiting', 'waitingForPause', 'unknown')),
  output jsonb,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  ended_at timestamptz,
  updated_at timestamptz not null default now()
);
comment on table public.workflow_runs is 'Registry of Workflow instances for the ops dashboard and domain search; written by the service only.';
comment on column public.workflow_runs.params_summary is 'Small searchable subset of the instance params (ids, counts); GIN indexed for @> queries.';
create index workflow_runs_workflow_created_idx on public.workflow_runs (workflow, created_at desc);
create index workflow_runs_status_created_idx on public.workflow_runs (status, created_at desc);
create index workflow_runs_organization_created_idx on public.workflow_runs (organization_id, created_at desc);
create index workflow_runs_params_summary_idx on public.workflow_runs using gin (params_summary jsonb_path_ops);

create trigger set_updated_at before update on public.workflow_runs
  for each row execute function private.set_updated_at();

create table public.ops_actions (
  id bigint generated always as identity primary key,
  instance_id text,
  action text not null,
  actor text not null,
  details jsonb,
  created_at timestamptz not null default now()
);
comment on table public.ops_actions is 'Audit log of operator actions (pause, resume, terminate, restart, ...); service only.';
create index ops_actions_instance_created_idx on public.ops_actions (instance_id, created_at desc);
create index ops_actions_created_idx on public.ops_actions (created_at desc);

-- RLS --------------------------------------------------------------------------------------------
alter table public.workflow_runs enable row level security;

-- Members see their organization's runs; nobody writes through the API (no write policies).
create policy "Members can read their organization's workflow runs"
  on public.workflow_runs for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

-- Service only: RLS enabled and no policy for any API role.
alter table public.ops_actions enable row level security;
