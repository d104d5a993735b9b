import type postgres from 'postgres';
import { z } from '@hono/zod-openapi';
import {
  campaignIdsIn, deleteSchedule, findSchedule, insertSchedule, listSchedules, memberIds, organizationTimeZone, updateSchedule,
  type ScheduleRow, type ScheduleValues,
} from '../../db/reports';
import { nextRunAt } from '../../reports/schedule-time';
import { assertQuota } from '../../steps/limits';
import { asCaller } from '../caller';
import { ApiError, notFound, validationError } from '../errors';
import { decodeCursor, page, PageQuery } from '../pagination';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Page, Uuid } from '../openapi/schemas';
import { Schedule } from './responses';
import { CreateScheduleBody, IdParam, MergedSchedule, UpdateScheduleBody } from './schemas';

/** The public JSON shape of a schedule. */
export function scheduleJson(s: ScheduleRow) {
  return {
    id: s.id,
    name: s.name,
    enabled: s.enabled,
    scope: s.scope,
    frequency: s.frequency,
    day_of_week: s.day_of_week,
    day_of_month: s.day_of_month,
    local_time: s.local_time,
    /** the organization's time zone, in which local_time applies */
    timezone: s.timezone,
    recipients: s.recipients,
    channels: s.channels,
    contents: s.contents,
    next_run_at: s.next_run_at,
    last_run_at: s.last_run_at,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

/** Member recipients must belong to the organization, named campaigns must be its own (422 otherwise). */
async function assertReferencesExist(tx: postgres.TransactionSql, organizationId: string, v: Pick<ScheduleValues, 'recipients' | 'scope'>) {
  const userIds = v.recipients.flatMap((r) => (r.type === 'member' ? [r.user_id] : []));
  const members = await memberIds(tx, organizationId, userIds);
  const notMembers = userIds.filter((id) => !members.has(id));
  if (notMembers.length > 0) throw new ApiError('unprocessable', 'recipients must be members of the organization (or external email addresses)', { reason: 'not_members', user_ids: notMembers });
  if (v.scope.type === 'campaigns') {
    const found = await campaignIdsIn(tx, organizationId, v.scope.campaign_ids);
    const unknown = v.scope.campaign_ids.filter((id) => !found.has(id));
    if (unknown.length > 0) throw new ApiError('unprocessable', 'unknown campaigns in the scope', { reason: 'unknown_campaigns', campaign_ids: unknown });
  }
}

async function timeZoneOf(tx: postgres.TransactionSql, organizationId: string): Promise<string> {
  const tz = await organizationTimeZone(tx, organizationId);
  if (!tz) throw notFound('organization');
  return tz;
}

async function scheduleOr404(tx: postgres.TransactionSql, organizationId: string, id: string) {
  const row = await findSchedule(tx, organizationId, id);
  if (!row) throw notFound('report schedule');
  return row;
}

const sameRule = (a: Pick<ScheduleValues, 'frequency' | 'day_of_week' | 'day_of_month' | 'local_time'>, b: typeof a) =>
  a.frequency === b.frequency && a.day_of_week === b.day_of_week && a.day_of_month === b.day_of_month && a.local_time === b.local_time;

/**
 * GET/POST /reports/schedules, GET/PATCH/DELETE /reports/schedules/:id. Reads are open to every
 * member; writes need `reports.write` (owners, admins). Enabled schedules count against
 * max_report_schedules (402 limit_exceeded).
 */
const T = ['Reports'];
const ScheduleEnvelope = z.object({ schedule: Schedule });
const listRoute = defineRoute('tenant', { method: 'get', path: '/', tags: T, summary: 'Report schedules', request: { query: PageQuery }, responses: { 200: json(Page(Schedule), 'A page of schedules') } });
const createScheduleRoute = defineRoute('tenant', {
  method: 'post', path: '/', tags: T, summary: 'Create a report schedule', description: 'Owners and admins. Enabled schedules count against max_report_schedules.',
  request: { body: jsonBody(CreateScheduleBody.openapi({ example: { name: 'Weekly digest', scope: { type: 'organization' }, frequency: 'weekly', day_of_week: 1, local_time: '09:00', recipients: [{ type: 'email', email: 'team@example.com' }], channels: ['email'] } })) },
  responses: { 201: json(ScheduleEnvelope, 'The new schedule') },
}, { errors: ['forbidden', 'limit_exceeded', 'unprocessable', 'not_found'] });
const getRoute = defineRoute('tenant', { method: 'get', path: '/{id}', tags: T, summary: 'A report schedule', request: { params: IdParam }, responses: { 200: json(ScheduleEnvelope, 'The schedule') } }, { errors: ['not_found'] });
const updateRoute = defineRoute('tenant', {
  method: 'patch', path: '/{id}', tags: T, summary: 'Change a report schedule', description: 'Any subset; the merged schedule must pass the same rules as a new one.',
  request: { params: IdParam, body: jsonBody(UpdateScheduleBody.openapi({ example: { enabled: false } })) }, responses: { 200: json(ScheduleEnvelope, 'The schedule as changed') },
}, { errors: ['forbidden', 'not_found', 'limit_exceeded', 'unprocessable'] });
const deleteRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: T, summary: 'Delete a report schedule', request: { params: IdParam }, responses: { 200: json(z.object({ deleted: z.literal(true), id: Uuid }), 'Deleted') },
}, { errors: ['forbidden', 'not_found'] });

export const schedules = router()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await asCaller(c, (tx) => listSchedules(tx, c.get('org').id, { afterId: decodeCursor(q.cursor), limit: q.limit + 1 }));
    const result = page(rows, q.limit);
    return c.json({ data: result.data.map(scheduleJson), next_cursor: result.next_cursor }, 200);
  })

  .openapi(createScheduleRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'reports.write');
    const body = c.req.valid('json');
    const row = await asCaller(c, async (tx) => {
      if (body.enabled) await assertQuota(tx, org.id, 'max_report_schedules', 1);
      const values: ScheduleValues = { ...body, day_of_week: body.day_of_week ?? null, day_of_month: body.day_of_month ?? null, next_run_at: new Date() };
      await assertReferencesExist(tx, org.id, values);
      values.next_run_at = nextRunAt(values, await timeZoneOf(tx, org.id), new Date());
      const id = await insertSchedule(tx, org.id, values);
      return (await findSchedule(tx, org.id, id))!;
    });
    return c.json({ schedule: scheduleJson(row) }, 201);
  })

  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const row = await asCaller(c, (tx) => scheduleOr404(tx, c.get('org').id, id));
    return c.json({ schedule: scheduleJson(row) }, 200);
  })

  .openapi(updateRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'reports.write');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const row = await asCaller(c, async (tx) => {
      const current = await scheduleOr404(tx, org.id, id);
      // a frequency change clears the day that no longer applies unless the body sets it
      const frequency = body.frequency ?? current.frequency;
      const merged = MergedSchedule.safeParse({
        name: body.name ?? current.name,
        enabled: body.enabled ?? current.enabled,
        scope: body.scope ?? current.scope,
        frequency,
        day_of_week: body.day_of_week !== undefined ? body.day_of_week : frequency === 'weekly' ? current.day_of_week : null,
        day_of_month: body.day_of_month !== undefined ? body.day_of_month : frequency === 'monthly' ? current.day_of_month : null,
        local_time: body.local_time ?? current.local_time,
        recipients: body.recipients ?? current.recipients,
        channels: body.channels ?? current.channels,
        contents: { ...current.contents, ...body.contents },
      });
      if (!merged.success) throw validationError(merged.error as z.ZodError, 'body');
      const v = merged.data;
      if (v.enabled && !current.enabled) await assertQuota(tx, org.id, 'max_report_schedules', 1);
      await assertReferencesExist(tx, org.id, v);
      // the due time moves only when the rule changes or the schedule is switched back on
      const recompute = !sameRule(v, current) || (v.enabled && !current.enabled);
      const next = recompute ? nextRunAt(v, await timeZoneOf(tx, org.id), new Date()) : current.next_run_at;
      if (!(await updateSchedule(tx, org.id, id, { ...v, next_run_at: next }))) throw notFound('report schedule');
      return (await findSchedule(tx, org.id, id))!;
    });
    return c.json({ schedule: scheduleJson(row) }, 200);
  })

  .openapi(deleteRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'reports.write');
    const { id } = c.req.valid('param');
    const deleted = await asCaller(c, (tx) => deleteSchedule(tx, org.id, id));
    if (!deleted) throw notFound('report schedule');
    return c.json({ deleted: true as const, id }, 200);
  });
