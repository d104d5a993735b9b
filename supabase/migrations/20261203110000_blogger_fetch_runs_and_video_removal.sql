-- Which InitialBloggerFetch run a tracking record is on, so re-adding a blogger (or the next
-- BloggerBatch) can tell "a fetch is running" from "the last fetch errored / is stuck / never ran"
-- and start a NEW instance (instance ids stay taken until retention ends, so a fixed id cannot).
-- And soft removal of videos (DELETE /dashboard/videos/:id without ?purge=true).

-- Tables -----------------------------------------------------------------------------------------
alter table public.tracked_accounts
  add column initial_fetch_generation integer not null default 0 check (initial_fetch_generation >= 0),
  add column initial_fetch_instance_id text check (initial_fetch_instance_id ~ '^[a-zA-Z0-9_-]{1,100}$'),
  add column initial_fetch_requested_at timestamptz;
comment on column public.tracked_accounts.initial_fetch_generation is 'How many InitialBloggerFetch runs were claimed for this record (src/db/initial-fetch-claims.ts).';
comment on column public.tracked_accounts.initial_fetch_instance_id is 'The latest claimed InitialBloggerFetch instance; its workflow_runs row tells whether it is still running.';
comment on column public.tracked_accounts.initial_fetch_requested_at is 'When that instance was claimed: a run with no registry row yet, or stuck for hours, is judged from it.';

-- Records created before this migration got their one instance under the old fixed id.
update public.tracked_accounts
   set initial_fetch_generation = 1, initial_fetch_instance_id = 'initial-fetch-' || id, initial_fetch_requested_at = created_at;

alter table public.videos add column removed_at timestamptz;
comment on column public.videos.removed_at is
  'Set by DELETE /dashboard/videos/:id (soft removal): the video stops tracking and leaves the dashboard lists, '
  'but its snapshots and campaign link stay, so campaign totals keep its history. ?purge=true deletes it instead.';
