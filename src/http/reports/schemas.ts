import { z } from 'zod';

/** Shapes of the /reports routes' bodies. Text never carries NUL characters (Postgres rejects them). */

const noNul = (s: string) => !s.includes('\u0000');
const Text = (max: number) => z.string().trim().min(1).max(max).refine(noNul, 'must not contain NUL characters');

export const ScheduleName = Text(200);
export const TagName = Text(64);

export const Scope = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('organization') }),
  z.strictObject({ type: z.literal('campaigns'), campaign_ids: z.array(z.uuid()).min(1).max(100) }),
  z.strictObject({ type: z.literal('tags'), tags: z.array(TagName).min(1).max(20) }),
]);

export const Recipient = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('member'), user_id: z.uuid() }),
  z.strictObject({ type: z.literal('email'), email: z.email().max(320).refine(noNul, 'must not contain NUL characters').transform((e) => e.toLowerCase()) }),
]);
export type Recipient = z.infer<typeof Recipient>;

export const recipientKey = (r: Recipient) => (r.type === 'member' ? `member:${r.user_id}` : `email:${r.email}`);

export const Channel = z.enum(['email', 'telegram']);

export const Contents = z.strictObject({
  /** totals and increments of the period and the one before, change in %, budget metrics */
  summary: z.boolean().default(true),
  /** how many videos by growth (views increment) to list; 0 = none */
  top_videos: z.number().int().min(0).max(50).default(10),
  /** videos published in the period */
  new_videos: z.boolean().default(true),
  /** the per-blogger table */
  bloggers: z.boolean().default(true),
  /** the xlsx: attached to the email, linked (a read-only share link), or neither */
  xlsx: z.enum(['attachment', 'link', 'none']).default('link'),
});

/** PATCH of contents: only the fields given change (no defaults fill the others). */
export const ContentsPatch = z
  .strictObject({
    summary: z.boolean(),
    top_videos: z.number().int().min(0).max(50),
    new_videos: z.boolean(),
    bloggers: z.boolean(),
    xlsx: z.enum(['attachment', 'link', 'none']),
  })
  .partial();

/** 'HH:MM', 00:00–23:59 (no 24:00, no leap seconds). */
export const LocalTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "local time 'HH:MM', 00:00 to 23:59");

const ScheduleFields = {
  name: ScheduleName,
  enabled: z.boolean(),
  scope: Scope,
  frequency: z.enum(['daily', 'weekly', 'monthly']),
  /** weekly only: ISO weekday, 1 = Monday … 7 = Sunday */
  day_of_week: z.number().int().min(1).max(7).nullable(),
  /** monthly only: 1–31; a day the month lacks (the 31st in April) means its last day */
  day_of_month: z.number().int().min(1).max(31).nullable(),
  local_time: LocalTime,
  recipients: z.array(Recipient).min(1).max(50),
  channels: z.array(Channel).min(1).max(2),
  contents: Contents,
};

type ScheduleShape = {
  frequency: 'daily' | 'weekly' | 'monthly';
  day_of_week?: number | null;
  day_of_month?: number | null;
  recipients: Recipient[];
  channels: string[];
};

/** Cross-field rules, shared by POST and by PATCH (checked on the merged schedule). */
export function checkSchedule(s: ScheduleShape, ctx: z.RefinementCtx) {
  if (s.frequency === 'weekly' && (s.day_of_week === null || s.day_of_week === undefined)) ctx.addIssue({ code: 'custom', path: ['day_of_week'], message: 'weekly schedules need day_of_week (1 = Monday)' });
  if (s.frequency !== 'weekly' && s.day_of_week !== null && s.day_of_week !== undefined) ctx.addIssue({ code: 'custom', path: ['day_of_week'], message: 'day_of_week is for weekly schedules only' });
  if (s.frequency === 'monthly' && (s.day_of_month === null || s.day_of_month === undefined)) ctx.addIssue({ code: 'custom', path: ['day_of_month'], message: 'monthly schedules need day_of_month (1–31)' });
  if (s.frequency !== 'monthly' && s.day_of_month !== null && s.day_of_month !== undefined) ctx.addIssue({ code: 'custom', path: ['day_of_month'], message: 'day_of_month is for monthly schedules only' });
  if (new Set(s.recipients.map(recipientKey)).size !== s.recipients.length) ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'each recipient once' });
  if (new Set(s.channels).size !== s.channels.length) ctx.addIssue({ code: 'custom', path: ['channels'], message: 'each channel once' });
}

export const CreateScheduleBody = z
  .strictObject({
    ...ScheduleFields,
    enabled: ScheduleFields.enabled.default(true),
    day_of_week: ScheduleFields.day_of_week.optional(),
    day_of_month: ScheduleFields.day_of_month.optional(),
    contents: Contents.default({ summary: true, top_videos: 10, new_videos: true, bloggers: true, xlsx: 'link' }),
  })
  .superRefine(checkSchedule);
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

/** PATCH: any subset; the merged schedule must pass the same rules as a new one. */
export const UpdateScheduleBody = z
  .strictObject({ ...ScheduleFields, contents: ContentsPatch })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });
export type UpdateScheduleBody = z.infer<typeof UpdateScheduleBody>;

export const MergedSchedule = z.object(ScheduleFields).superRefine(checkSchedule);

export const IdParam = z.object({ id: z.uuid() });

/** Share links live 1 to 90 days (default 30). */
export const ShareBody = z.strictObject({ expires_in_days: z.number().int().min(1).max(90).default(30) }).default({ expires_in_days: 30 });

/** A share token as handed out: 32 random bytes, base64url (43 characters). */
export const ShareToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'share token as received');
