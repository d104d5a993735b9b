-- telegram_links became service-only in 20261203120100 (its member policies were dropped), but the
-- restrictive role policies of 20261203050000 stayed behind: they grant nothing on their own, and
-- they made the table look member-facing to anyone reading pg_policies. Drop them.
drop policy "Owners, admins or the row's user insert telegram links" on public.telegram_links;
drop policy "Owners, admins or the row's user update telegram links" on public.telegram_links;
drop policy "Owners, admins or the row's user delete telegram links" on public.telegram_links;
