-- Ops dashboard: what the operators' run list, search, bulk actions and audit need on top of the
-- `workflow_runs` registry and the `ops_actions` log (20261122001000_workflow_runs.sql).
-- Both tables stay service-only for writes; operators reach them through the Worker's /ops API.

-- workflow_runs ----------------------------------------------------------------------------------
-- The runtime also reports 'rollingBack' (terminate with rollback); the registry mirrors it.
alter table public.workflow_runs drop constraint workflow_runs_status_check;
alter table public.workflow_runs add constraint workflow_runs_status_check
  check (status in ('queued', 'running', 'paused', 'errored', 'terminated', 'complete', 'waiting',
                    'waitingForPause', 'rollingBack', 'unknown'));

-- The run list's default order and keyset: newest first, instance id as the tie-breaker.
create index workflow_runs_created_idx on public.workflow_runs (created_at desc, instance_id desc);
-- Search by instance id prefix (`like 'nightly-refresh-2026%'`).
create index workflow_runs_instance_prefix_idx on public.workflow_runs (instance_id text_pattern_ops);
-- Filter by trigger (cron / http / workflow / ops) within a time range.
create index workflow_runs_trigger_created_idx on public.workflow_runs (trigger, created_at desc);

-- ops_actions ------------------------------------------------------------------------------------
-- Who did what to which run, and how it went: one row per run per action, bulk actions share a
-- bulk_id so the log shows them as one operator decision.
alter table public.ops_actions
  add column workflow text,
  add column outcome text not null default 'ok' check (outcome in ('ok', 'failed', 'rejected')),
  add column error text,
  add column bulk_id uuid;
comment on column public.ops_actions.actor is 'ops-token, or user:<uuid> of a Supabase user whose app_metadata.ops_role is set.';
comment on column public.ops_actions.outcome is 'ok: the runtime accepted it; failed: the runtime refused it; rejected: refused before reaching the runtime (wrong status).';
create index ops_actions_bulk_idx on public.ops_actions (bulk_id) where bulk_id is not null;

-- RLS: unchanged. ops_actions keeps RLS enabled with no policy (service only); workflow_runs keeps
-- its members-read policy. Operators are not organization members and never read these through
-- PostgREST.
