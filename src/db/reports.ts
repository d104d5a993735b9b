import { jsonb, type Db } from './client';

/**
 * Scheduled reports: schedules, runs, deliveries and share links (migration 20261203160000).
 * Routes call these as the signed-in user (RLS applies); the workflow and the dispatcher call them
 * with the service connection, and every query still names the organization.
 */

export type Channel = 'email' | 'telegram';
export type ScheduleScope = { type: 'organization' } | { type: 'campaigns'; campaign_ids: string[] } | { type: 'tags'; tags: string[] };
export type Recipient = { type: 'member'; user_id: string } | { type: 'email'; email: string };
export interface ReportContents {
  summary: boolean;
  top_videos: number;
  new_videos: boolean;
  bloggers: boolean;
  xlsx: 'attachment' | 'link' | 'none';
}

export interface ScheduleValues {
  name: string;
  enabled: boolean;
  scope: ScheduleScope;
  frequency: 'daily' | 'weekly' | 'monthly';
  day_of_week: number | null;
  day_of_month: number | null;
  local_time: string;
  recipients: Recipient[];
  channels: Channel[];
  contents: ReportContents;
  next_run_at: Date;
}

/** A schedule as read back: what was written, plus its bookkeeping and the organization's zone. */
export interface ScheduleRow extends ScheduleValues {
  id: string;
  organization_id: string;
  last_run_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** the organization's time zone (joined) */
  timezone: string;
}

const SCHEDULE_SELECT = (db: Db) => db`
  select s.id, s.organization_id, s.name, s.enabled, s.scope, s.frequency, s.day_of_week, s.day_of_month, s.local_time,
         s.recipients, s.channels, s.contents, s.next_run_at, s.last_run_at, s.created_by, s.created_at, s.updated_at, o.timezone
  from public.report_schedules s join public.organizations o on o.id = s.organization_id`;

export async function organizationTimeZone(db: Db, organizationId: string): Promise<string | undefined> {
  const [row] = await db<{ timezone: string }[]>`select timezone from public.organizations where id = ${organizationId}`;
  return row?.timezone;
}

export async function insertSchedule(db: Db, organizationId: string, v: ScheduleValues): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into public.report_schedules (organization_id, name, enabled, scope, frequency, day_of_week, day_of_month, local_time,
                                         recipients, channels, contents, next_run_at)
    values (${organizationId}, ${v.name}, ${v.enabled}, ${jsonb(v.scope)}::text::jsonb, ${v.frequency}, ${v.day_of_week}, ${v.day_of_month},
            ${v.local_time}, ${jsonb(v.recipients)}::text::jsonb, ${jsonb(v.channels)}::text::jsonb, ${jsonb(v.contents)}::text::jsonb, ${v.next_run_at})
    returning id`;
  return row!.id;
}

export async function updateSchedule(db: Db, organizationId: string, id: string, v: ScheduleValues): Promise<boolean> {
  const rows = await db`
    update public.report_schedules set
      name = ${v.name}, enabled = ${v.enabled}, scope = ${jsonb(v.scope)}::text::jsonb, frequency = ${v.frequency},
      day_of_week = ${v.day_of_week}, day_of_month = ${v.day_of_month}, local_time = ${v.local_time},
      recipients = ${jsonb(v.recipients)}::text::jsonb, channels = ${jsonb(v.channels)}::text::jsonb,
      contents = ${jsonb(v.contents)}::text::jsonb, next_run_at = ${v.next_run_at}
    where organization_id = ${organizationId} and id = ${id}
    returning id`;
  return rows.length === 1;
}

export async function deleteSchedule(db: Db, organizationId: string, id: string): Promise<boolean> {
  const rows = await db`delete from public.report_schedules where organization_id = ${organizationId} and id = ${id} returning id`;
  return rows.length === 1;
}

export async function findSchedule(db: Db, organizationId: string, id: string): Promise<ScheduleRow | undefined> {
  const [row] = await db<ScheduleRow[]>`${SCHEDULE_SELECT(db)} where s.organization_id = ${organizationId} and s.id = ${id}`;
  return row;
}

export async function listSchedules(db: Db, organizationId: string, opts: { afterId?: string; limit: number }): Promise<ScheduleRow[]> {
  return db<ScheduleRow[]>`${SCHEDULE_SELECT(db)}
    where s.organization_id = ${organizationId} ${opts.afterId ? db`and s.id > ${opts.afterId}` : db``}
    order by s.id limit ${opts.limit}`;
}

/** Which of these users are members of the organization. */
export async function memberIds(db: Db, organizationId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db<{ user_id: string }[]>`
    select m.user_id from public.organization_members m
    where m.organization_id = ${organizationId} and m.user_id in (select x::uuid from jsonb_array_elements_text(${jsonb(userIds)}::text::jsonb) x)`;
  return new Set(rows.map((r) => r.user_id));
}

/** Which of these campaigns exist in the organization. */
export async function campaignIdsIn(db: Db, organizationId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db<{ id: string }[]>`
    select c.id from public.campaigns c
    where c.organization_id = ${organizationId} and c.id in (select x::uuid from jsonb_array_elements_text(${jsonb(ids)}::text::jsonb) x)`;
  return new Set(rows.map((r) => r.id));
}

// ---- dispatch ------------------------------------------------------------------------------------

/** The dispatcher's one query: enabled schedules whose next_run_at has passed, oldest first. */
export async function dueSchedules(db: Db, now: Date, limit: number): Promise<ScheduleRow[]> {
  return db<ScheduleRow[]>`${SCHEDULE_SELECT(db)}
    where s.enabled and s.next_run_at <= ${now}
    order by s.next_run_at, s.id limit ${limit}`;
}

/**
 * Moves each schedule on to its next due time, only if it still has the due time the dispatcher
 * read (a schedule edited meanwhile keeps the time its edit computed).
 */
export async function advanceSchedules(db: Db, moves: { id: string; from: string; to: string }[]): Promise<number> {
  if (moves.length === 0) return 0;
  const updated = await db`
    update public.report_schedules s set next_run_at = m."to", last_run_at = now()
    from jsonb_to_recordset(${jsonb(moves)}::text::jsonb) as m(id uuid, "from" timestamptz, "to" timestamptz)
    -- compared to the millisecond: the dispatcher read it through a JS Date
    where s.id = m.id and date_trunc('milliseconds', s.next_run_at) = date_trunc('milliseconds', m."from")
    returning s.id`;
  return updated.length;
}

// ---- runs --------------------------------------------------------------------------------------

export interface RunRow {
  id: string;
  organization_id: string;
  schedule_id: string | null;
  schedule_name: string;
  instance_id: string;
  period_start: string;
  period_end: string;
  status: 'running' | 'complete' | 'failed';
  figures: unknown;
  digest_text: string | null;
  file_key: string | null;
  file_size: number | null;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const RUN_SELECT = (db: Db) => db`
  select r.id, r.organization_id, r.schedule_id, r.schedule_name, r.instance_id, r.period_start::text as period_start,
         r.period_end::text as period_end, r.status, r.figures, r.digest_text, r.file_key, r.file_size, r.error, r.created_at, r.completed_at
  from public.report_runs r`;

/** The run of a workflow instance (created on its first step; a retried step finds the same row). */
export async function upsertRun(db: Db, v: { organizationId: string; scheduleId: string | null; scheduleName: string; instanceId: string; periodStart: string; periodEnd: string; figures: unknown }): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into public.report_runs (organization_id, schedule_id, schedule_name, instance_id, period_start, period_end, figures)
    values (${v.organizationId}, ${v.scheduleId}, ${v.scheduleName}, ${v.instanceId}, ${v.periodStart}, ${v.periodEnd}, ${jsonb(v.figures)}::text::jsonb)
    on conflict (instance_id) do update set figures = excluded.figures
    returning id`;
  return row!.id;
}

export async function setRunFile(db: Db, runId: string, v: { fileKey: string; fileSize: number; digestText: string }): Promise<void> {
  await db`update public.report_runs set file_key = ${v.fileKey}, file_size = ${v.fileSize}, digest_text = ${v.digestText} where id = ${runId}`;
}

export async function finishRun(db: Db, runId: string, outcome: { status: 'complete' } | { status: 'failed'; error: string }): Promise<void> {
  await db`update public.report_runs set status = ${outcome.status}, error = ${outcome.status === 'failed' ? outcome.error : null}, completed_at = now()
    where id = ${runId}`;
}

export async function findRun(db: Db, organizationId: string, id: string): Promise<RunRow | undefined> {
  const [row] = await db<RunRow[]>`${RUN_SELECT(db)} where r.organization_id = ${organizationId} and r.id = ${id}`;
  return row;
}

export async function findRunByInstance(db: Db, instanceId: string): Promise<RunRow | undefined> {
  const [row] = await db<RunRow[]>`${RUN_SELECT(db)} where r.instance_id = ${instanceId}`;
  return row;
}

/** Newest first; keyset on (created_at, id). */
export async function listRuns(db: Db, organizationId: string, opts: { scheduleId?: string; before?: { at: string; id: string }; limit: number }): Promise<RunRow[]> {
  return db<RunRow[]>`${RUN_SELECT(db)}
    where r.organization_id = ${organizationId}
      ${opts.scheduleId ? db`and r.schedule_id = ${opts.scheduleId}` : db``}
      ${opts.before ? db`and (r.created_at, r.id) < (${opts.before.at}::timestamptz, ${opts.before.id}::uuid)` : db``}
    order by r.created_at desc, r.id desc limit ${opts.limit}`;
}

// ---- deliveries ----------------------------------------------------------------------------------

export interface DeliveryRow {
  run_id: string;
  recipient: string;
  channel: Channel;
  address: string | null;
  idempotency_key: string;
  outbox_id: string | null;
  status: 'queued' | 'skipped';
  detail: string | null;
  created_at: Date;
}

export async function recordDelivery(db: Db, organizationId: string, d: Omit<DeliveryRow, 'created_at'>): Promise<void> {
  await db`
    insert into public.report_deliveries (organization_id, run_id, recipient, channel, address, idempotency_key, outbox_id, status, detail)
    values (${organizationId}, ${d.run_id}, ${d.recipient}, ${d.channel}, ${d.address}, ${d.idempotency_key}, ${d.outbox_id}, ${d.status}, ${d.detail})
    on conflict (idempotency_key) do update set outbox_id = excluded.outbox_id, status = excluded.status, detail = excluded.detail, address = excluded.address`;
}

/** Deliveries of these runs with the outbox's own status (sent, failed, …) where a row exists. */
export async function deliveriesOf(db: Db, organizationId: string, runIds: string[]): Promise<(DeliveryRow & { outbox_status: string | null; outbox_error: string | null; sent_at: Date | null })[]> {
  if (runIds.length === 0) return [];
  return db`
    select d.run_id, d.recipient, d.channel, d.address, d.idempotency_key, d.outbox_id, d.status, d.detail, d.created_at,
           o.status as outbox_status, o.error as outbox_error, o.sent_at
    from public.report_deliveries d
    left join public.notification_outbox o on o.id = d.outbox_id and o.organization_id = d.organization_id
    where d.organization_id = ${organizationId}
      and d.run_id in (select x::uuid from jsonb_array_elements_text(${jsonb(runIds)}::text::jsonb) x)
    order by d.created_at, d.recipient, d.channel`;
}

// ---- recipients ------------------------------------------------------------------------------------

/** Members' email addresses and their linked Telegram chats in this organization. */
export async function memberAddresses(db: Db, organizationId: string, userIds: string[]): Promise<Map<string, { email: string | null; telegram_chat_id: string | null }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db<{ user_id: string; email: string | null; chat_id: string | null }[]>`
    select m.user_id, u.email,
           (select t.chat_id::text from public.telegram_links t
            where t.organization_id = m.organization_id and t.user_id = m.user_id and t.chat_id is not null and t.disabled_at is null
            order by t.linked_at desc nulls last limit 1) as chat_id
    from public.organization_members m join auth.users u on u.id = m.user_id
    where m.organization_id = ${organizationId}
      and m.user_id in (select x::uuid from jsonb_array_elements_text(${jsonb(userIds)}::text::jsonb) x)`;
  return new Map(rows.map((r) => [r.user_id, { email: r.email, telegram_chat_id: r.chat_id }]));
}

// ---- share links -----------------------------------------------------------------------------------

export async function insertShareLink(db: Db, v: { organizationId: string; runId: string; tokenHash: string; expiresAt: Date; createdBy: string | null }): Promise<{ id: string; expires_at: Date }> {
  const [row] = await db<{ id: string; expires_at: Date }[]>`
    insert into public.report_share_links (organization_id, run_id, token_hash, expires_at, created_by)
    values (${v.organizationId}, ${v.runId}, ${v.tokenHash}, ${v.expiresAt}, ${v.createdBy})
    on conflict (token_hash) do update set token_hash = excluded.token_hash
    returning id, expires_at`;
  return row!;
}

/** Revokes every live link of the run; answers how many. */
export async function revokeShareLinks(db: Db, organizationId: string, runId: string): Promise<number> {
  const rows = await db`
    update public.report_share_links set revoked_at = now()
    where organization_id = ${organizationId} and run_id = ${runId} and revoked_at is null
    returning id`;
  return rows.length;
}

/** The run a live (unrevoked, unexpired) link points to, by the token's hash. */
export async function runForShareToken(db: Db, tokenHash: string): Promise<(RunRow & { link_expires_at: Date }) | undefined> {
  const [row] = await db<(RunRow & { link_expires_at: Date })[]>`
    select r.id, r.organization_id, r.schedule_id, r.schedule_name, r.instance_id, r.period_start::text as period_start,
           r.period_end::text as period_end, r.status, r.figures, r.digest_text, r.file_key, r.file_size, r.error, r.created_at, r.completed_at,
           l.expires_at as link_expires_at
    from public.report_share_links l join public.report_runs r on r.id = l.run_id and r.organization_id = l.organization_id
    where l.token_hash = ${tokenHash} and l.revoked_at is null and l.expires_at > now()`;
  return row;
}

// ---- what a report covers ----------------------------------------------------------------------

export interface ScopeCampaign {
  id: string;
  name: string;
  currency: string;
}

/**
 * The campaigns a scope covers: the named ones, those carrying any of the tags, or all of the
 * organization's (at most 200, by name).
 */
export async function scopeCampaigns(db: Db, organizationId: string, scope: ScheduleScope): Promise<ScopeCampaign[]> {
  const filter =
    scope.type === 'campaigns'
      ? db`and c.id in (select x::uuid from jsonb_array_elements_text(${jsonb(scope.campaign_ids)}::text::jsonb) x)`
      : scope.type === 'tags'
        ? db`and exists (select 1 from public.campaign_tags ct join public.tags t on t.id = ct.tag_id
                         where ct.campaign_id = c.id and t.name in (select x from jsonb_array_elements_text(${jsonb(scope.tags)}::text::jsonb) x))`
        : db``;
  return db<ScopeCampaign[]>`
    select c.id, c.name, c.currency from public.campaigns c
    where c.organization_id = ${organizationId} ${filter}
    order by c.name, c.id limit 200`;
}

export interface NewVideoRow {
  id: string;
  campaign_id: string;
  platform: string;
  video_url: string;
  title: string | null;
  author_username: string | null;
  published_at: Date;
}

/** Videos of these campaigns published within [from, to] (UTC days), newest first. */
export async function videosPublishedIn(db: Db, organizationId: string, campaignIds: string[], from: string, to: string, limit: number): Promise<NewVideoRow[]> {
  if (campaignIds.length === 0) return [];
  return db<NewVideoRow[]>`
    select v.id, v.campaign_id, v.platform, v.video_url, v.title, v.author_username, v.published_at
    from public.videos v
    where v.organization_id = ${organizationId}
      and v.campaign_id in (select x::uuid from jsonb_array_elements_text(${jsonb(campaignIds)}::text::jsonb) x)
      and v.published_at >= ${from}::date::timestamp at time zone 'UTC' and v.published_at < (${to}::date + 1)::timestamp at time zone 'UTC'
    order by v.published_at desc, v.id limit ${limit}`;
}

export async function organizationName(db: Db, organizationId: string): Promise<string | undefined> {
  const [row] = await db<{ name: string }[]>`select name from public.organizations where id = ${organizationId}`;
  return row?.name;
}
