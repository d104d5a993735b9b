-- Organizations (tenants), their members, invitations and per-user preferences, plus the RLS
-- helpers the other tables' policies call: private.user_organization_ids(), private.is_member(),
-- private.member_role().
--
-- RLS model: members of an organization can read and write its rows; which member may do what is
-- decided by the application's permission matrix (src/http/permissions.ts). The database adds
-- only the rules below:
--   organizations          any signed-in user can create one; owners/admins update; owners delete
--   organization_members   owners/admins write; the creator of a new organization (no members yet)
--                          can insert themselves as its first owner
--   invitations            owners/admins write; invitees accept/decline via private functions
--   user_preferences       each user reads and writes only their own row

-- Types ------------------------------------------------------------------------------------------
create type public.org_role as enum ('owner', 'admin', 'member', 'viewer');

-- Tables -----------------------------------------------------------------------------------------
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  plan text not null default 'free' references public.subscription_plan_limits (plan) on update cascade,
  timezone text not null default 'UTC' check (timezone <> ''),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  default_initial_videos_count int not null default 30 check (default_initial_videos_count between 1 and 1000),
  default_daily_videos_count int not null default 10 check (default_daily_videos_count between 1 and 1000),
  report_preferences jsonb not null default '{}'::jsonb check (jsonb_typeof(report_preferences) = 'object'),
  is_test boolean not null default false,
  billing_period_started_at timestamptz not null default date_trunc('month', now()),
  -- Who registered the organization; lets them see it and claim ownership before it has members.
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is 'Tenants. Every other table carries organization_id.';
comment on column public.organizations.is_test is 'Test organizations are skipped by the nightly refresh (videos_needing_update).';
comment on column public.organizations.created_by is 'User who registered the organization (auth.uid() at insert); may claim it as first owner.';
create index organizations_plan_idx on public.organizations (plan);

create trigger set_updated_at before update on public.organizations
  for each row execute function private.set_updated_at();

-- Plan, test flag and billing period are set by the service (billing, ops), never by users.
revoke insert, update on public.organizations from anon, authenticated;
grant insert (id, name, slug, timezone, currency, default_initial_videos_count, default_daily_videos_count,
              report_preferences, created_by)
  on public.organizations to authenticated;
grant update (name, slug, timezone, currency, default_initial_videos_count, default_daily_videos_count,
              report_preferences, updated_at)
  on public.organizations to authenticated;

-- user_id references auth.users: the shim creates auth.users locally and Supabase has it, so the
-- foreign key works in both places, and deleting a user removes their memberships.
create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null,
  created_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
comment on table public.organization_members is 'Who belongs to which organization, with which role.';
create index organization_members_user_id_idx on public.organization_members (user_id);

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+$'),
  role public.org_role not null check (role <> 'owner'),
  -- Only a hash of the emailed token is stored; the token itself never reaches the database.
  token_hash text not null unique,
  invited_by uuid,
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid,
  declined_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  constraint invitations_single_outcome check (num_nonnulls(accepted_at, declined_at, revoked_at) <= 1),
  constraint invitations_accepted_by_when_accepted check (accepted_by is null or accepted_at is not null)
);
comment on table public.invitations is 'Pending and past invitations; pending = not accepted, declined or revoked (expiry is checked at use).';
-- One pending invitation per address and organization. An expired one still counts: revoke it (or
-- update its token and expiry) before inviting the address again.
create unique index invitations_one_pending_per_email_idx on public.invitations (organization_id, lower(email))
  where accepted_at is null and declined_at is null and revoked_at is null;
create index invitations_organization_id_idx on public.invitations (organization_id, created_at desc);
create index invitations_pending_email_idx on public.invitations (lower(email))
  where accepted_at is null and declined_at is null and revoked_at is null;

create table public.user_preferences (
  user_id uuid primary key references auth.users (id) on delete cascade,
  preferences jsonb not null default '{}'::jsonb check (jsonb_typeof(preferences) = 'object'),
  updated_at timestamptz not null default now()
);
comment on table public.user_preferences is 'Per-user UI preferences (not organization-scoped).';

create trigger set_updated_at before update on public.user_preferences
  for each row execute function private.set_updated_at();

-- Functions --------------------------------------------------------------------------------------
-- security definer so that policies can call them without recursing into organization_members'
-- own policies.
--
-- How policies call them. Membership policies on organization data are written
--     organization_id = any (array(select private.user_organization_ids()))
-- The uncorrelated sub-select is an InitPlan: the caller's organization ids are read ONCE per
-- statement, and `= any(array)` (leakproof) is used as an index condition on organization_id.
-- `(select private.is_member(organization_id))` looks the same but takes a column, so Postgres
-- calls it once PER ROW (measured: 20k snapshots of one organization, 370 ms vs 10 ms). Keep
-- is_member()/member_role() for per-row role checks on small tables (members, invitations).

create function private.user_organization_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.organization_id from public.organization_members m
  where m.user_id = (select auth.uid());
$$;
comment on function private.user_organization_ids() is 'Ids of the organizations the calling user (auth.uid()) belongs to. Use as organization_id = any (array(select private.user_organization_ids())).';

create function private.is_member(org uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
    where m.organization_id = org and m.user_id = (select auth.uid())
  );
$$;
comment on function private.is_member(uuid) is 'True when the calling user (auth.uid()) is a member of the organization.';

create function private.member_role(org uuid)
returns public.org_role
language sql stable security definer
set search_path = ''
as $$
  select m.role from public.organization_members m
  where m.organization_id = org and m.user_id = (select auth.uid());
$$;
comment on function private.member_role(uuid) is 'The calling user''s role in the organization, or null when not a member.';

create function private.has_members(org uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (select 1 from public.organization_members m where m.organization_id = org);
$$;
comment on function private.has_members(uuid) is 'True when the organization has at least one member.';

-- Registration: the user who created an organization may add themselves as its first owner, and
-- only while it has no members at all.
create function private.can_claim_organization(org uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.organizations o
    where o.id = org and o.created_by = (select auth.uid())
  ) and not exists (
    select 1 from public.organization_members m where m.organization_id = org
  );
$$;
comment on function private.can_claim_organization(uuid) is 'True when the caller created the organization and it has no members yet.';

-- Invitees are not members yet, so they cannot write organization_members or invitations under
-- RLS; these two functions do it for them after checking the token hash and the caller's email.
create function private.accept_invitation(p_token_hash text)
returns table (organization_id uuid, role public.org_role)
language plpgsql volatile security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  uid uuid := auth.uid();
  caller_email text;
  inv public.invitations;
begin
  if uid is null then
    raise exception 'not signed in' using errcode = '42501';
  end if;
  caller_email := coalesce(auth.jwt() ->> 'email', (select u.email from auth.users u where u.id = uid));

  select * into inv from public.invitations i where i.token_hash = p_token_hash for update;
  if not found or caller_email is null or lower(inv.email) <> lower(caller_email) then
    raise exception 'invitation not found' using errcode = 'P0002';
  end if;

  -- Accepting again (a retried request) answers the same membership.
  if inv.accepted_at is not null and inv.accepted_by = uid then
    return query select m.organization_id, m.role from public.organization_members m
      where m.organization_id = inv.organization_id and m.user_id = uid;
    return;
  end if;
  if inv.accepted_at is not null or inv.declined_at is not null or inv.revoked_at is not null or inv.expires_at <= now() then
    raise exception 'invitation is no longer valid' using errcode = 'P0001';
  end if;

  insert into public.organization_members as m (organization_id, user_id, role)
  values (inv.organization_id, uid, inv.role)
  on conflict on constraint organization_members_pkey do nothing;
  update public.invitations set accepted_at = now(), accepted_by = uid where id = inv.id;

  return query select m.organization_id, m.role from public.organization_members m
    where m.organization_id = inv.organization_id and m.user_id = uid;
end;
$$;
comment on function private.accept_invitation(text) is
  'Accepts the pending invitation with this token hash for the calling user (email must match); returns the membership. P0002 = unknown, P0001 = no longer valid.';

create function private.decline_invitation(p_token_hash text)
returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  caller_email text;
begin
  if uid is null then
    raise exception 'not signed in' using errcode = '42501';
  end if;
  caller_email := coalesce(auth.jwt() ->> 'email', (select u.email from auth.users u where u.id = uid));
  update public.invitations i set declined_at = now()
  where i.token_hash = p_token_hash and lower(i.email) = lower(caller_email)
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  return found;
end;
$$;
comment on function private.decline_invitation(text) is 'Declines the pending invitation with this token hash for the calling user; false when none.';

revoke all on function private.user_organization_ids(), private.is_member(uuid), private.member_role(uuid), private.has_members(uuid), private.can_claim_organization(uuid),
  private.accept_invitation(text), private.decline_invitation(text) from public, anon;
grant execute on function private.user_organization_ids(), private.is_member(uuid), private.member_role(uuid), private.has_members(uuid), private.can_claim_organization(uuid),
  private.accept_invitation(text), private.decline_invitation(text) to authenticated, service_role;

-- RLS: organizations -----------------------------------------------------------------------------
alter table public.organizations enable row level security;

create policy "Members can read their organizations"
  on public.organizations for select to authenticated
  using (
    id = any (array(select private.user_organization_ids()))
    -- the creator, until the first member exists (lets `insert ... returning` work at registration)
    or (created_by = (select auth.uid()) and not (select private.has_members(id)))
  );

create policy "Signed-in users can create organizations"
  on public.organizations for insert to authenticated
  with check (created_by = (select auth.uid()));

create policy "Owners and admins can update their organization"
  on public.organizations for update to authenticated
  using ((select private.member_role(id)) in ('owner', 'admin'))
  with check ((select private.member_role(id)) in ('owner', 'admin'));

create policy "Owners can delete their organization"
  on public.organizations for delete to authenticated
  using ((select private.member_role(id)) = 'owner');

-- RLS: organization_members ----------------------------------------------------------------------
alter table public.organization_members enable row level security;

create policy "Members can read their organization's members"
  on public.organization_members for select to authenticated
  using (user_id = (select auth.uid()) or organization_id = any (array(select private.user_organization_ids())));

create policy "Owners and admins add members, creators join as first owner"
  on public.organization_members for insert to authenticated
  with check (
    (select private.member_role(organization_id)) in ('owner', 'admin')
    or (user_id = (select auth.uid()) and role = 'owner' and (select private.can_claim_organization(organization_id)))
  );

create policy "Owners and admins can change members' roles"
  on public.organization_members for update to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'))
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can remove members"
  on public.organization_members for delete to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'));

-- RLS: invitations -------------------------------------------------------------------------------
alter table public.invitations enable row level security;

create policy "Members and invitees can read invitations"
  on public.invitations for select to authenticated
  using (
    organization_id = any (array(select private.user_organization_ids()))
    or lower(email) = lower((select auth.jwt() ->> 'email'))
  );

create policy "Owners and admins can invite"
  on public.invitations for insert to authenticated
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can update invitations"
  on public.invitations for update to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'))
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can delete invitations"
  on public.invitations for delete to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'));

-- RLS: user_preferences --------------------------------------------------------------------------
alter table public.user_preferences enable row level security;

create policy "Users can read their own preferences"
  on public.user_preferences for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Users can create their own preferences"
  on public.user_preferences for insert to authenticated
  with check (user_id = (select auth.uid()));

create policy "Users can update their own preferences"
  on public.user_preferences for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Users can delete their own preferences"
  on public.user_preferences for delete to authenticated
  using (user_id = (select auth.uid()));
