import { z } from '@hono/zod-openapi';
import { getNotificationPreferences, organizationTimezone, putNotificationPreferences } from '../../db/notification-preferences';
import { CHANNELS, DEFAULT_CHANNELS, USER_NOTIFICATION_TYPES, type Channel, type UserNotificationType } from '../../notifications/types';
import { asCaller } from '../caller';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Timestamp } from '../openapi/schemas';

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
    channels: Object.fromEntries(USER_NOTIFICATION_TYPES.map((t) => [t, chosen[t] ?? DEFAULT_CHANNELS[t]])) as Record<UserNotificationType, Channel[]>,
    quiet_hours: row?.quiet_hours_start && row.quiet_hours_end ? { start: row.quiet_hours_start, end: row.quiet_hours_end } : null,
    delivery: row?.delivery ?? 'immediate',
    digest_hour: row?.digest_hour ?? 9,
    time_zone: timezone,
    updated_at: row?.updated_at ?? null,
  };
}

const Preferences = z.object({
  channels: z.record(z.enum(USER_NOTIFICATION_TYPES), z.array(z.enum(CHANNELS))),
  quiet_hours: z.object({ start: z.string(), end: z.string() }).nullable(),
  delivery: z.enum(['immediate', 'digest']),
  digest_hour: z.number().int(),
  time_zone: z.string(),
  updated_at: Timestamp.nullable(),
});
const getRoute = defineRoute('tenant', {
  method: 'get', path: '/', tags: ['Notifications'], summary: 'Your notification preferences',
  description: 'Channels per notification type, quiet hours (in the organization’s time zone), immediate or digest.',
  responses: { 200: json(Preferences, 'Your preferences (defaults until you set them)') },
});
const putRoute = defineRoute('tenant', {
  method: 'put', path: '/', tags: ['Notifications'], summary: 'Replace your notification preferences',
  request: { body: jsonBody(PreferencesBody.openapi({ example: { quiet_hours: { start: '22:00', end: '07:00' }, delivery: 'digest', digest_hour: 9 } })) },
  responses: { 200: json(Preferences, 'Your preferences as stored') },
});

export const meNotifications = router()
  .openapi(getRoute, async (c) => {
    const { org, user } = { org: c.get('org'), user: c.get('user') };
    const [row, tz] = await asCaller(c, async (tx) => [await getNotificationPreferences(tx, org.id, user.id), await organizationTimezone(tx, org.id)] as const);
    return c.json(view(row, tz), 200);
  })
  .openapi(putRoute, async (c) => {
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
    return c.json(view(row, tz), 200);
  });
