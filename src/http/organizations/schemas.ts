import { z } from 'zod';

/** Shared shapes of the organization routes' bodies. */

export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, '2–63 characters: lowercase letters, digits and hyphens, not starting with a hyphen');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

export const TimeZone = z.string().trim().min(1).max(64).refine(isTimeZone, 'unknown IANA time zone (e.g. Europe/Berlin)');
export const Currency = z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. USD');
export const Locale = z.string().trim().min(2).max(35).refine(isLocale, 'BCP 47 language tag, e.g. en-US');
export const VideosCount = z.number().int().min(1).max(1000);

/** The organization's scheduled-report preferences (the ScheduledReport workflow reads them). */
export const ReportPreferences = z.strictObject({
  enabled: z.boolean().optional(),
  frequency: z.enum(['daily', 'weekly', 'monthly']).optional(),
  /** ISO weekday of weekly reports, 1 = Monday */
  day_of_week: z.number().int().min(1).max(7).optional(),
  day_of_month: z.number().int().min(1).max(28).optional(),
  /** local hour in the organization's time zone */
  hour: z.number().int().min(0).max(23).optional(),
  channels: z.array(z.enum(['email', 'telegram'])).max(2).optional(),
  recipients: z.array(z.email().max(320)).max(50).optional(),
  metrics: z.array(z.enum(['views', 'likes', 'comments', 'reposts', 'saves', 'engagement_rate', 'cpm', 'budget'])).max(8).optional(),
});
export type ReportPreferences = z.infer<typeof ReportPreferences>;

const Identifier = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'lowercase identifier');

/** A user's preferences: a validated document, replaced as a whole by PUT /me/preferences. */
export const UserPreferences = z.strictObject({
  default_organization_id: z.uuid().nullable().optional(),
  locale: Locale.optional(),
  timezone: TimeZone.optional(),
  theme: z.enum(['light', 'dark', 'system']).optional(),
  page_size: z.number().int().min(10).max(100).optional(),
  /** visible columns, in order, per table of the UI (e.g. { "videos": ["title", "views"] }) */
  table_columns: z
    .record(Identifier, z.array(Identifier).max(100))
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 tables')
    .optional(),
});
export type UserPreferences = z.infer<typeof UserPreferences>;

export const InvitableRole = z.enum(['admin', 'member', 'viewer']);
export const MemberRole = z.enum(['owner', 'admin', 'member', 'viewer']);

/** An invitation token as emailed: 32 random bytes, base64url (43 characters). */
export const InvitationToken = z.string().trim().regex(/^[A-Za-z0-9_-]{43}$/, 'invitation token as received in the email');
