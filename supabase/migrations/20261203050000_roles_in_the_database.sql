-- Roles in the database (issue 14). Supabase's Data API is enabled, so a signed-in user can run
-- the same SQL as the Worker with their own token. Until now most write policies checked
-- membership only: a viewer could write videos, snapshots and campaigns directly, and any member
-- could set video_status = 'tracking' around the tracked-videos quota.
--
-- The Worker itself writes AS the caller (src/db/client.ts#asUser: role authenticated with the
-- caller's JWT claims), so Data API writes cannot simply be revoked from `authenticated`. Instead:
--   1. write policies are role-aware, with the same roles as src/http/permissions.ts, added as
--      RESTRICTIVE policies: they AND with every permissive policy on the table (today's and any
--      added later), so nothing here drops or renames another migration's policy;
--   2. snapshots (video_statistics) are written by the service only (queue consumer, workflows);
--   3. quota-bearing columns (videos.video_status, tracked_accounts.is_active) are checked in the
--      database when the writer is `authenticated`, under the same per-organization lock as the
--      HTTP quota check (src/db/limits.ts#lockOrganizationQuota), so the quota holds however the
--      row is written.
-- notification_outbox is left to its own migration (made service-only there).

-- Functions --------------------------------------------------------------------------------------

-- The organizations in which the caller has one of `roles`. Used as
--   organization_id = any (array(select private.organization_ids_with_role(array['owner', ...])))
-- so Postgres reads it ONCE per statement (an InitPlan), like user_organization_ids(); a per-row
-- call such as member_role(organization_id) costs a lookup per row (see 20261122000300).
create function private.organization_ids_with_role(roles text[])
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.organization_id from public.organization_members m
  where m.user_id = (select auth.uid()) and m.role::text = any (roles);
$$;
comment on function private.organization_ids_with_role(text[]) is 'Ids of the organizations where the calling user (auth.uid()) has one of the roles. Use as organization_id = any (array(select private.organization_ids_with_role(array[...]))).';
revoke all on function private.organization_ids_with_role(text[]) from public;
grant execute on function private.organization_ids_with_role(text[]) to authenticated, service_role;

-- True when the caller has one of `roles` in the organization (for per-row checks on small tables).
create function private.has_role(org uuid, roles text[])
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.organization_members m
    where m.organization_id = org and m.user_id = (select auth.uid()) and m.role::text = any (roles)
  );
$$;
comment on function private.has_role(uuid, text[]) is 'True when the calling user has one of the roles in the organization. Per row: prefer organization_ids_with_role() on large tables.';
revoke all on function private.has_role(uuid, text[]) from public;
grant execute on function private.has_role(uuid, text[]) to authenticated, service_role;

-- Raises check_violation (constraint = the limit's name) when an organization uses more of a
-- tracking limit than its plan or unexpired override allows. Same definitions as
-- src/db/limits.ts (effectiveLimits, quotaUsage); takes the organization's quota lock first.
create function private.assert_tracking_quota(orgs uuid[], limit_key text)
returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  org uuid;
  max_allowed int;
  used int;
begin
  if limit_key not in ('max_tracked_videos', 'max_tracked_bloggers') then
    raise exception 'unknown tracking limit %', limit_key;
  end if;
  foreach org in array orgs loop
    perform pg_advisory_xact_lock(hashtextextended(org::text, 0));
    select coalesce(
             case when c.id is not null and (c.expires_at is null or c.expires_at > now()) then (to_jsonb(c) ->> limit_key)::int end,
             (to_jsonb(p) ->> limit_key)::int)
      into max_allowed
      from public.organizations o
      join public.subscription_plan_limits p on p.plan = o.plan
      left join public.organization_custom_limits c on c.organization_id = o.id
     where o.id = org;
    if max_allowed is null then
      continue;
    end if;
    if limit_key = 'max_tracked_videos' then
      select count(*) into used from public.videos v where v.organization_id = org and v.video_status = 'tracking';
    else
      select count(*) into used from public.tracked_accounts t where t.organization_id = org and t.is_active;
    end if;
    if used > max_allowed then
      raise exception 'the organization''s % is % (this write would make it %)', limit_key, max_allowed, used
        using errcode = '23514', constraint = limit_key;
    end if;
  end loop;
end;
$$;
comment on function private.assert_tracking_quota(uuid[], text) is 'Raises check_violation when an organization tracks more videos or bloggers than its effective limit.';
revoke all on function private.assert_tracking_quota(uuid[], text) from public;
grant execute on function private.assert_tracking_quota(uuid[], text) to authenticated, service_role;

-- AFTER statement triggers (they see the statement's rows, however many): only organizations
-- whose tracking went UP are checked, so stopping or editing videos of an organization already
-- over its limit (e.g. after a downgrade) still works. The service role and the migrating user
-- are trusted code paths that check quotas themselves (src/steps/limits.ts).
create function private.guard_video_tracking_quota()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  orgs uuid[];
begin
  if current_user not in ('authenticated', 'anon') then
    return null;
  end if;
  if tg_op = 'INSERT' then
    select array_agg(distinct n.organization_id) into orgs from new_rows n where n.video_status = 'tracking';
  else
    select array_agg(distinct n.organization_id) into orgs
      from new_rows n join old_rows o on o.id = n.id
     where n.video_status = 'tracking' and o.video_status is distinct from 'tracking';
  end if;
  if orgs is not null then
    perform private.assert_tracking_quota(orgs, 'max_tracked_videos');
  end if;
  return null;
end;
$$;
revoke all on function private.guard_video_tracking_quota() from public;

create trigger guard_tracking_quota_on_insert after insert on public.videos
  referencing new table as new_rows
  for each statement execute function private.guard_video_tracking_quota();
create trigger guard_tracking_quota_on_update after update on public.videos
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.guard_video_tracking_quota();

create function private.guard_blogger_tracking_quota()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  orgs uuid[];
begin
  if current_user not in ('authenticated', 'anon') then
    return null;
  end if;
  if tg_op = 'INSERT' then
    select array_agg(distinct n.organization_id) into orgs from new_rows n where n.is_active;
  else
    select array_agg(distinct n.organization_id) into orgs
      from new_rows n join old_rows o on o.id = n.id
     where n.is_active and not o.is_active;
  end if;
  if orgs is not null then
    perform private.assert_tracking_quota(orgs, 'max_tracked_bloggers');
  end if;
  return null;
end;
$$;
revoke all on function private.guard_blogger_tracking_quota() from public;

create trigger guard_tracking_quota_on_insert after insert on public.tracked_accounts
  referencing new table as new_rows
  for each statement execute function private.guard_blogger_tracking_quota();
create trigger guard_tracking_quota_on_update after update on public.tracked_accounts
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.guard_blogger_tracking_quota();

-- RLS policies -----------------------------------------------------------------------------------
-- Writers per table (src/http/permissions.ts): videos.write / bloggers.write / campaigns.write /
-- tags.write / imports.write = owner, admin, member; notifications.write = owner, admin (or the
-- user's own row, for personal notification settings and Telegram links).

do $policies$
declare
  t text;
  op text;
  writers constant text := $$organization_id = any (array(select private.organization_ids_with_role(array['owner', 'admin', 'member'])))$$;
begin
  foreach t in array array['videos', 'tags', 'video_tags', 'blogger_information', 'tracked_accounts', 'blogger_tags', 'blogger_campaigns',
                           'campaigns', 'campaign_tags', 'google_sheet_integrations', 'google_sheet_sources', 'import_jobs'] loop
    foreach op in array array['insert', 'update', 'delete'] loop
      execute format(
        'create policy %I on public.%I as restrictive for %s to authenticated %s',
        format('Owners, admins and members %s %s', op, replace(t, '_', ' ')),
        t, op,
        case op
          when 'insert' then format('with check (%s)', writers)
          when 'update' then format('using (%s) with check (%s)', writers, writers)
          else format('using (%s)', writers)
        end);
    end loop;
  end loop;
end
$policies$;

do $policies$
declare
  t text;
  op text;
  managers constant text := $$(organization_id = any (array(select private.organization_ids_with_role(array['owner', 'admin'])))
    or (user_id = (select auth.uid()) and organization_id = any (array(select private.user_organization_ids()))))$$;
begin
  foreach t in array array['notification_settings', 'telegram_links'] loop
    foreach op in array array['insert', 'update', 'delete'] loop
      execute format(
        'create policy %I on public.%I as restrictive for %s to authenticated %s',
        format('Owners, admins or the row''s user %s %s', op, replace(t, '_', ' ')),
        t, op,
        case op
          when 'insert' then format('with check (%s)', managers)
          when 'update' then format('using (%s) with check (%s)', managers, managers)
          else format('using (%s)', managers)
        end);
    end loop;
  end loop;
end
$policies$;

-- Snapshots are facts fetched from the platforms: only the service writes them.
create policy "Only the service writes video statistics (insert)"
  on public.video_statistics as restrictive for insert to authenticated with check (false);
create policy "Only the service writes video statistics (update)"
  on public.video_statistics as restrictive for update to authenticated using (false) with check (false);
create policy "Only the service writes video statistics (delete)"
  on public.video_statistics as restrictive for delete to authenticated using (false);
