-- Operator tools over dead letters and organization limits (ops API: src/http/ops/dead-letters.ts,
-- src/http/ops/organizations.ts). Operators reach these tables through the Worker only; RLS is
-- unchanged (dead_letters: members read their organization's; ops_actions: service only).

-- dead_letters ------------------------------------------------------------------------------------
-- A letter is open until an operator replays it (its original message is sent back to its queue)
-- or resolves it with a note; `resolved_at` marks both, so "unresolved" keeps meaning "needs a look".
-- `replayed_at` is what stops a second replay by accident (the replay claims the row first).
alter table public.dead_letters
  add column resolution text check (resolution in ('replayed', 'resolved')),
  add column resolution_note text check (char_length(resolution_note) <= 2000),
  add column replayed_at timestamptz,
  add column replay_queue text,
  add column replay_count int not null default 0 check (replay_count >= 0);
alter table public.dead_letters
  add constraint dead_letters_resolution_has_time check ((resolution is null) = (resolved_at is null)),
  add constraint dead_letters_replayed_has_time check (resolution is distinct from 'replayed' or replayed_at is not null);
comment on column public.dead_letters.resolution is 'replayed: its original message was sent back to its queue; resolved: closed by an operator with a note. null: open.';

-- The list's order and keyset (newest first) and its filters.
create index dead_letters_id_desc_idx on public.dead_letters (id desc);
create index dead_letters_error_code_idx on public.dead_letters (error_code, id desc);

-- ops_actions -------------------------------------------------------------------------------------
-- Actions on dead letters and on organizations' limits and plans are audited in the same log as run
-- actions; these columns say which letter or organization an action touched.
alter table public.ops_actions
  add column dead_letter_id bigint references public.dead_letters (id) on delete set null,
  add column organization_id uuid references public.organizations (id) on delete set null;
create index ops_actions_dead_letter_idx on public.ops_actions (dead_letter_id, id desc) where dead_letter_id is not null;
create index ops_actions_organization_idx on public.ops_actions (organization_id, id desc) where organization_id is not null;
