import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { runKeyFor } from '../../src/scheduled';
import { dueReport, reportInstanceId } from '../../src/workflows/report-dispatch';
import type { ScheduleRow } from '../../src/db/reports';
import { call, eventually, tokenFor } from '../helpers/api';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';

/**
 * The 15-minute cron → ReportDispatch → one ScheduledReport per (schedule, period). A cron fired
 * twice, or a dispatcher that started runs but died before moving the schedules on, sends once.
 */
const sql = adminSql();
let org: Fixture;
let token: string;

const CRON = '*/15 * * * *';
const dispatchId = (t: number) => `report-dispatch-${runKeyFor(t, true).replace(/[^0-9]/g, '')}`;

async function fireCron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: CRON, scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const finished = (binding: Workflow, id: string) =>
  eventually(async () => {
    const s = await (await binding.get(id)).status();
    return ['complete', 'errored', 'terminated'].includes(s.status) ? s : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });

/** A random quarter-hour in 2031, so runs of other test files never share the dispatcher id. */
const randomQuarter = () => Date.UTC(2031, Math.floor(Math.random() * 12), 1 + Math.floor(Math.random() * 28), Math.floor(Math.random() * 24), 15 * Math.floor(Math.random() * 4));

beforeAll(async () => {
  org = await createOrganization(sql);
  await sql`update organizations set timezone = 'Europe/Berlin' where id = ${org.orgId}`;
  token = await tokenFor(org.userId);
});

async function dueSchedule(name: string) {
  const res = await call('POST', '/reports/schedules', {
    token,
    body: { name, scope: { type: 'organization' }, frequency: 'daily', local_time: '06:00', recipients: [{ type: 'member', user_id: org.userId }, { type: 'email', email: 'client@example.com' }], channels: ['email'] },
  });
  expect(res.status).toBe(201);
  // due a minute ago (as if the dispatcher's last fire was just before its time)
  const [row] = await sql`update report_schedules set next_run_at = now() - interval '1 minute' where id = ${res.body.schedule.id} returning next_run_at`;
  return { id: res.body.schedule.id as string, dueAt: row!.next_run_at as Date };
}

const outboxCount = async (scheduleId: string) => (await sql`select count(*)::int as n from notification_outbox where idempotency_key like ${`report:${scheduleId}:%`}`)[0]!.n as number;
const reportRuns = (scheduleId: string) => sql`select instance_id, workflow, organization_id, trigger, triggered_by from workflow_runs where workflow = 'ScheduledReport' and params_summary ->> 'schedule_id' = ${scheduleId}`;

describe('the 15-minute dispatcher', () => {
  it('a cron fired twice starts one dispatcher, one report, and sends each message once', async () => {
    const s = await dueSchedule('twice');
    const t = randomQuarter();
    await fireCron(t);
    await fireCron(t);
    expect(await sql`select 1 from workflow_runs where instance_id = ${dispatchId(t)}`).toHaveLength(1);
    const dispatch = await finished(env.REPORT_DISPATCH, dispatchId(t));
    expect(dispatch.status).toBe('complete');

    const runs = await reportRuns(s.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ organization_id: org.orgId, trigger: 'workflow', triggered_by: dispatchId(t) });
    // the run reports the local day before the due time
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(s.dueAt.getTime() - 86_400_000)).replace(/-/g, '');
    expect(runs[0]!.instance_id).toBe(`report-${s.id}-${day}`);
    expect((await finished(env.SCHEDULED_REPORT, runs[0]!.instance_id)).status).toBe('complete');
    expect(await outboxCount(s.id)).toBe(2);

    // the schedule moved on to tomorrow 06:00 Berlin
    const [after] = await sql`select next_run_at, last_run_at from report_schedules where id = ${s.id}`;
    expect((after!.next_run_at as Date).getTime()).toBeGreaterThan(Date.now());
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(after!.next_run_at)).toBe('06:00');
    expect(after!.last_run_at).not.toBeNull();
  });

  it('a dispatcher that started the report but did not move the schedule on starts nothing new at the next fire', async () => {
    const s = await dueSchedule('restart');
    const t1 = randomQuarter();
    await fireCron(t1);
    expect((await finished(env.REPORT_DISPATCH, dispatchId(t1))).status).toBe('complete');
    const [run] = await reportRuns(s.id);
    expect((await finished(env.SCHEDULED_REPORT, run!.instance_id)).status).toBe('complete');
    expect(await outboxCount(s.id)).toBe(2);

    // as if the "advance schedules" step had never run
    await sql`update report_schedules set next_run_at = ${s.dueAt} where id = ${s.id}`;
    const t2 = t1 + 15 * 60_000;
    await fireCron(t2);
    const second = await finished(env.REPORT_DISPATCH, dispatchId(t2));
    expect(second.status).toBe('complete');
    // the same (schedule, period) id: a duplicate, nothing created, the first run's record untouched
    expect(second.output).toMatchObject({ due: 1, created: 0, duplicates: 1, failed: 0 });
    expect((await sql`select status from workflow_runs where instance_id = ${run!.instance_id}`)[0]!.status).toBe('complete');
    expect(await reportRuns(s.id)).toHaveLength(1);
    expect(await outboxCount(s.id)).toBe(2);
    expect((await sql`select next_run_at from report_schedules where id = ${s.id}`)[0]!.next_run_at.getTime()).toBeGreaterThan(Date.now());
  });

  it('a disabled or not yet due schedule starts nothing', async () => {
    const off = await dueSchedule('disabled');
    await sql`update report_schedules set enabled = false where id = ${off.id}`;
    const later = await dueSchedule('later');
    await sql`update report_schedules set next_run_at = now() + interval '1 hour' where id = ${later.id}`;
    const t = randomQuarter();
    await fireCron(t);
    expect((await finished(env.REPORT_DISPATCH, dispatchId(t))).status).toBe('complete');
    expect(await reportRuns(off.id)).toHaveLength(0);
    expect(await reportRuns(later.id)).toHaveLength(0);
  });

  it('a schedule of an organization with a zone the runtime does not know runs in UTC instead of stopping the dispatch', () => {
    const row = { id: '0b6f3a52-8a7c-4a57-9a40-3d1f0c6a1b2e', organization_id: org.orgId, name: 'x', frequency: 'daily', day_of_week: null, day_of_month: null, local_time: '06:00',
      timezone: 'Mars/Olympus_Mons', next_run_at: new Date('2026-03-10T06:00:00Z') } as unknown as ScheduleRow;
    const due = dueReport(row, new Date('2026-03-10T07:00:00Z'));
    expect(due).toMatchObject({ instanceId: `report-${row.id}-20260309`, from: '2026-03-10T06:00:00.000Z', to: '2026-03-11T06:00:00.000Z' });
    expect(due.params.period).toEqual({ start: '2026-03-09', end: '2026-03-09' });
  });

  it('the instance id is the schedule and the period start', () => {
    expect(reportInstanceId('0b6f3a52-8a7c-4a57-9a40-3d1f0c6a1b2e', '2026-03-02')).toBe('report-0b6f3a52-8a7c-4a57-9a40-3d1f0c6a1b2e-20260302');
  });
});
