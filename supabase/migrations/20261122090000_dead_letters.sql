-- Dead letters: every queue message that failed for good (permanent platform error, malformed
-- message, or retries exhausted), recorded by the dead-letter consumer so operators can see it.

-- Tables
create table public.dead_letters (
  id bigint generated always as identity primary key,
  message_id text not null unique,
  source_queue text not null,
  error_code text not null,
  reason text not null,
  attempts int not null default 0,
  organization_id uuid references public.organizations (id) on delete set null,
  body jsonb not null,
  resolved_at timestamptz,
  resolved_by text,
  created_at timestamptz not null default now()
);
create index dead_letters_created_at_idx on public.dead_letters (created_at desc);
create index dead_letters_organization_id_idx on public.dead_letters (organization_id);
create index dead_letters_unresolved_idx on public.dead_letters (source_queue, created_at desc) where resolved_at is null;

-- RLS: members see their organization's dead letters; only the service writes them.
alter table public.dead_letters enable row level security;

create policy "Members can read their organization's dead letters"
  on public.dead_letters for select to authenticated
  using ((select private.is_member(organization_id)));
