import { Hono } from 'hono';
import { z } from 'zod';
import { getNotificationPreferences, organizationTimezone, putNotificationPreferences } from '../../db/notification-preferences';
import { CHANNELS, DEFAULT_CHANNELS, USER_NOTIFICATION_TYPES, type Channel, type UserNotificationType } from '../../notifications/types';
import { asCaller } from '../caller';
import { validate } from '../validate';
import type { AppEnv } from '../context';

/**
 * GET/PUT /me/notifications — the caller's notification preferences in the organization they act
 * for: channels per type, quiet hours (local times in the organization's timezone), digest or
 * immediate. Runs as the caller: RLS lets each member reach only their own row.
 */
const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM (00:00–23:59)');

export const PreferencesBody = z.strictObject({
  channels: z.partialRecord(z.enum(USER_NOTIFICATION_TYPES), z.array(z.enum(CHANNELS)).max(2).refine((a) => new Set(a).size === a.length, 'each channel once')).default({}),
  quiet_hours: z.strictObject({ start: LocalTime, end: LocalTime }).refine((q) => q.start !== q.end, 'start and end differ').nullable().default(null),
  delivery: z.enum(['immediate', 'digest']).default('immediate'),
  digest_hour: z.number().int().min(0).max(23).default(9),
});
export type PreferencesBody = z.input<typeof PreferencesBody>;

function view(row: Awaited<ReturnType<typeof getNotificationPreferences>>, timezone: string) {
  const chosen = (row?.channels ?? {}) as Partial<Record<UserNotificationType, Channel[]>>;
  return {
    channels: Object.fromEntries(USER_NOTIFICATION_TYPES.map((t) => [t, chosen[t] ?? DEFAULT_CHANNELS[t]])),
    quiet_hours: row?.quiet_hours_start ? { start: row.quiet_hours_start, end: row.quiet_hours_end } : null,
    delivery: row?.delivery ?? 'immediate',
    digest_hour: row?.digest_hour ?? 9,
    time_zone: timezone,
    updated_at: row?.updated_at ?? null,
  };
}

export const meNotifications = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { org, user } = { org: c.get('org'), user: c.get('user') };
    const [row, tz] = await asCaller(c, async (tx) => [await getNotificationPreferences(tx, org.id, user.id), await organizationTimezone(tx, org.id)] as const);
    return c.json(view(row, tz));
  })
  .put('/', validate('json', PreferencesBody), async (c) => {
    const { org, user } = { org: c.get('org'), user: c.get('user') };
    const body = c.req.valid('json');
    const [row, tz] = await asCaller(c, async (tx) => {
      await putNotificationPreferences(tx, org.id, user.id, {
        channels: body.channels as Record<string, string[]>,
        quiet_hours_start: body.quiet_hours?.start ?? null,
        quiet_hours_end: body.quiet_hours?.end ?? null,
        delivery: body.delivery,
        digest_hour: body.digest_hour,
      });
      return [await getNotificationPreferences(tx, org.id, user.id), await organizationTimezone(tx, org.id)] as const;
    });
    return c.json(view(row, tz));
  });
