-- The one definition of an organization's effective limits: an unexpired override in
-- organization_custom_limits wins, column by column; else the plan's value applies.
-- Quota checks in SQL (private.assert_tracking_quota) and in TypeScript (src/db/limits.ts,
-- src/db/sheets-resync.ts, src/db/ops-limits.ts) read it instead of repeating the rule.

-- ---- functions -----------------------------------------------------------------------------------

-- security invoker (the default): a signed-in caller sees only what RLS lets them read, exactly as
-- the queries this replaces did; security definer callers (the tracking quota guard) see all.
create function private.effective_limits(org uuid)
returns table (
  plan text,
  -- {"max_tracked_videos": 100, ...}: every limit column, null = unlimited
  limits jsonb,
  -- the limits whose value comes from the override
  overridden text[],
  override_active boolean,
  override_expires_at timestamptz
)
language sql stable
set search_path = ''
as $$
  select o.plan,
         (select jsonb_object_agg(k.key, coalesce(case when a.active then nullif(to_jsonb(c) -> k.key, 'null'::jsonb) end, k.value))
            from jsonb_each(to_jsonb(p) - array['plan', 'created_at', 'updated_at']) k),
         coalesce((select array_agg(k.key order by k.key)
                     from jsonb_each(to_jsonb(p) - array['plan', 'created_at', 'updated_at']) k
                    where a.active and nullif(to_jsonb(c) -> k.key, 'null'::jsonb) is not null), '{}'),
         a.active,
         c.expires_at
    from public.organizations o
    join public.subscription_plan_limits p on p.plan = o.plan
    left join public.organization_custom_limits c on c.organization_id = o.id
   cross join lateral (select c.id is not null and (c.expires_at is null or c.expires_at > now()) as active) a
   where o.id = org;
$$;
comment on function private.effective_limits(uuid) is 'The organization''s limits: an unexpired override, else the plan (one row, none for an unknown organization).';
revoke all on function private.effective_limits(uuid) from public;
grant execute on function private.effective_limits(uuid) to authenticated, service_role;

-- The tracking quota guard of 20261203050000_roles_in_the_database.sql, now reading the limit
-- from private.effective_limits (same behaviour).
create or replace function private.assert_tracking_quota(orgs uuid[], limit_key text)
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
    select (e.limits ->> limit_key)::int into max_allowed from private.effective_limits(org) e;
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
