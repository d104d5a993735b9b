-- Private schema: security definer helpers and trigger functions. It is NOT exposed through the
-- Data API (config.toml lists only `public`). The `authenticated` role needs USAGE on it because RLS
-- policies call its helpers as the querying user; each helper's EXECUTE is granted one by one.

create schema if not exists private;
comment on schema private is 'Helpers for RLS policies and triggers; never exposed by the API.';

revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Functions --------------------------------------------------------------------------------------

-- Keeps updated_at honest whatever the writer sets (attached to every table with updated_at).
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.set_updated_at() is 'BEFORE UPDATE trigger: sets updated_at to now().';
revoke all on function private.set_updated_at() from public;
