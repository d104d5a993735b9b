-- Supabase shim: creates what a Supabase project already provides, and ONLY what is missing, so
-- that every later migration runs unchanged on Supabase and on a plain Postgres (local dev,
-- tests, benchmarks). On Supabase every check below finds the object and this file does nothing;
-- it never replaces or alters Supabase's own roles, schemas, tables or functions.
--
-- Provided here when missing (same names and semantics as Supabase):
--   roles     anon, authenticated (NOLOGIN), service_role (NOLOGIN BYPASSRLS), granted to the
--             migrating user so that `set role authenticated` works
--   schema    auth, with auth.users (a small subset of Supabase's columns)
--   functions auth.uid(), auth.role(), auth.jwt() reading the `request.jwt.claim.*` /
--             `request.jwt.claims` settings exactly as PostgREST sets them
--   grants    usage on public and auth; Supabase's default privileges in public

-- Roles ------------------------------------------------------------------------------------------
-- Roles are cluster-wide: they may already exist because another database of the same local
-- cluster was migrated first. Everything after this block is per database and checked separately.
do $shim$
declare
  r text;
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;

  -- The migrating user (and the Worker's connection user) switches to these roles per transaction.
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not pg_has_role(current_user, r, 'member') then
      begin
        execute format('grant %I to %I', r, current_user);
      exception when insufficient_privilege then
        raise notice 'supabase shim: cannot grant % to %, skipped', r, current_user;
      end;
    end if;
  end loop;
end
$shim$;

-- Schema auth and auth.users ---------------------------------------------------------------------
do $shim$
begin
  if not exists (select 1 from pg_namespace where nspname = 'auth') then
    create schema auth;
  end if;

  if to_regclass('auth.users') is null then
    -- The columns our code and seed use; Supabase's table has these and many more.
    create table auth.users (
      id uuid primary key,
      email text unique,
      raw_user_meta_data jsonb default '{}'::jsonb,
      created_at timestamptz default now()
    );
    comment on table auth.users is 'Local stand-in for Supabase Auth''s users table (created by the supabase shim migration).';
  end if;
end
$shim$;

-- auth.uid(), auth.role(), auth.jwt() ------------------------------------------------------------
-- Same bodies as Supabase's: the single-claim settings (older PostgREST) win, else the claims JSON.
do $shim$
begin
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'auth' and p.proname = 'uid') then
    create function auth.uid() returns uuid
    language sql stable
    as $fn$
      select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
      )::uuid
    $fn$;
    comment on function auth.uid() is 'Subject (user id) of the current request''s JWT claims, or null.';
  end if;

  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'auth' and p.proname = 'role') then
    create function auth.role() returns text
    language sql stable
    as $fn$
      select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
      )::text
    $fn$;
    comment on function auth.role() is 'Role claim of the current request''s JWT claims, or null.';
  end if;

  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'auth' and p.proname = 'jwt') then
    create function auth.jwt() returns jsonb
    language sql stable
    as $fn$
      select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
      )::jsonb
    $fn$;
    comment on function auth.jwt() is 'The current request''s JWT claims as jsonb, or null.';
  end if;
end
$shim$;

-- Grants -----------------------------------------------------------------------------------------
-- Only where missing: on Supabase these privileges already exist and nothing is executed.
do $shim$
declare
  s text;
  r text;
begin
  foreach s in array array['public', 'auth'] loop
    foreach r in array array['anon', 'authenticated', 'service_role'] loop
      if not has_schema_privilege(r, s, 'usage') then
        execute format('grant usage on schema %I to %I', s, r);
      end if;
    end loop;
  end loop;

  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not has_function_privilege(r, 'auth.uid()', 'execute') then
      execute format('grant execute on function auth.uid(), auth.role(), auth.jwt() to %I', r);
    end if;
  end loop;

  -- Supabase's default privileges: objects the migrating user creates in public are usable by the
  -- API roles, and Row Level Security decides which rows each caller reaches.
  if not exists (
    select 1 from pg_default_acl d
    where d.defaclrole = (select oid from pg_roles where rolname = current_user)
      and d.defaclnamespace = 'public'::regnamespace
      and d.defaclobjtype = 'r'
      and exists (select 1 from aclexplode(d.defaclacl) a where a.grantee = 'authenticated'::regrole)
  ) then
    alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
    alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
    alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
  end if;
end
$shim$;
