-- Team management: who may leave, the last-owner invariant, member profiles and the invitee's view
-- of their invitations; and limits that only operators may change.
--
--   organization_members   a member may delete their own row (leave); an organization that has
--                          members always keeps at least one owner (trigger, race-safe)
--   organization_custom_limits, usage_counters
--                          read-only for signed-in users: overrides are set by operators (service
--                          role) and usage is counted by the Worker's service connection, so a
--                          member cannot raise their own limits or reset their usage through the
--                          Data API
--   private.organization_member_profiles(org)   members with their email, for fellow members
--   private.my_pending_invitations()             invitations addressed to the caller's email,
--                                                with the organization's name (invitees are not
--                                                members yet, so RLS hides the organization)

-- Functions --------------------------------------------------------------------------------------

-- The quota lock of src/db/limits.ts (lockOrganizationQuota) is the same advisory lock: membership
-- writes of one organization are serialised, so two owners demoting each other at the same time
-- cannot both succeed.
create function private.ensure_organization_has_owner()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and old.role <> 'owner' then
    return null;
  end if;
  if tg_op = 'UPDATE' and new.role = 'owner' and new.organization_id = old.organization_id then
    return null;
  end if;
  perform pg_advisory_xact_lock(hashtextextended(old.organization_id::text, 0));
  if exists (select 1 from public.organizations o where o.id = old.organization_id)
     and exists (select 1 from public.organization_members m where m.organization_id = old.organization_id)
     and not exists (select 1 from public.organization_members m where m.organization_id = old.organization_id and m.role = 'owner') then
    raise exception 'an organization must keep at least one owner'
      using errcode = 'P0001', constraint = 'organization_needs_owner';
  end if;
  return null;
end;
$$;
comment on function private.ensure_organization_has_owner() is
  'AFTER UPDATE/DELETE trigger on organization_members: the last owner of an organization that still has members cannot leave, be removed or be demoted (constraint name organization_needs_owner).';
revoke all on function private.ensure_organization_has_owner() from public;

create trigger ensure_organization_has_owner
  after update or delete on public.organization_members
  for each row execute function private.ensure_organization_has_owner();

create function private.organization_member_profiles(org uuid)
returns table (user_id uuid, email text, full_name text, role public.org_role, joined_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
  select m.user_id, u.email::text, (u.raw_user_meta_data ->> 'full_name')::text, m.role, m.created_at
  from public.organization_members m
  left join auth.users u on u.id = m.user_id
  where m.organization_id = org
    and exists (select 1 from public.organization_members me where me.organization_id = org and me.user_id = (select auth.uid()))
  order by m.created_at, m.user_id;
$$;
comment on function private.organization_member_profiles(uuid) is
  'Members of the organization with email and name from auth.users; empty unless the caller is a member.';

create function private.my_pending_invitations()
returns table (id uuid, organization_id uuid, organization_name text, email text, role public.org_role,
               expires_at timestamptz, created_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
  select i.id, i.organization_id, o.name, i.email, i.role, i.expires_at, i.created_at
  from public.invitations i
  join public.organizations o on o.id = i.organization_id
  where lower(i.email) = lower(coalesce((select auth.jwt() ->> 'email'), (select u.email from auth.users u where u.id = (select auth.uid()))))
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null and i.expires_at > now()
  order by i.created_at desc;
$$;
comment on function private.my_pending_invitations() is
  'Pending, unexpired invitations addressed to the caller''s email, with the organization''s name.';

revoke all on function private.organization_member_profiles(uuid), private.my_pending_invitations() from public, anon;
grant execute on function private.organization_member_profiles(uuid), private.my_pending_invitations() to authenticated, service_role;

-- RLS: organization_members ----------------------------------------------------------------------
create policy "Members can leave their organization"
  on public.organization_members for delete to authenticated
  using (user_id = (select auth.uid()));

-- RLS: organization_custom_limits, usage_counters --------------------------------------------------
drop policy "Members can add custom limits to their organization" on public.organization_custom_limits;
drop policy "Members can update their organization's custom limits" on public.organization_custom_limits;
drop policy "Members can delete their organization's custom limits" on public.organization_custom_limits;

drop policy "Members can add usage counters to their organization" on public.usage_counters;
drop policy "Members can update their organization's usage counters" on public.usage_counters;
drop policy "Members can delete their organization's usage counters" on public.usage_counters;
