import { jsonb, type Db } from './client';

export interface PreferencesRow {
  channels: Record<string, string[]>;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
  delivery: 'immediate' | 'digest';
  digest_hour: number;
  updated_at: Date | null;
}

export async function getNotificationPreferences(db: Db, organizationId: string, userId: string): Promise<PreferencesRow | undefined> {
  const [row] = await db<PreferencesRow[]>`
    select channels, to_char(quiet_hours_start, 'HH24:MI') as quiet_hours_start, to_char(quiet_hours_end, 'HH24:MI') as quiet_hours_end,
           delivery, digest_hour, updated_at
    from public.notification_preferences where organization_id = ${organizationId} and user_id = ${userId}`;
  return row;
}

export async function putNotificationPreferences(db: Db, organizationId: string, userId: string, p: Omit<PreferencesRow, 'updated_at'>): Promise<void> {
  await db`
    insert into public.notification_preferences (organization_id, user_id, channels, quiet_hours_start, quiet_hours_end, delivery, digest_hour)
    values (${organizationId}, ${userId}, ${jsonb(p.channels)}::text::jsonb, ${p.quiet_hours_start}::time, ${p.quiet_hours_end}::time, ${p.delivery}, ${p.digest_hour})
    on conflict (organization_id, user_id) do update set channels = excluded.channels, quiet_hours_start = excluded.quiet_hours_start,
      quiet_hours_end = excluded.quiet_hours_end, delivery = excluded.delivery, digest_hour = excluded.digest_hour`;
}

export async function organizationTimezone(db: Db, organizationId: string): Promise<string> {
  const [row] = await db<{ timezone: string }[]>`select timezone from public.organizations where id = ${organizationId}`;
  return row?.timezone ?? 'UTC';
}
