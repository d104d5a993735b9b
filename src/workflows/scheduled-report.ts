import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { z } from 'zod';
import { createSql } from '../db/client';
import {
  findRunByInstance, findSchedule, finishRun, insertShareLink, memberAddresses, recordDelivery, setRunFile, upsertRun, type Recipient,
} from '../db/reports';
import { shareUrls } from '../reports/config';
import { enqueueReportDelivery, reportIdempotencyKey } from '../reports/deliver';
import { enqueueOutboxRows } from '../queues/notification-messages';
import { computeFigures, type ReportFigures } from '../reports/figures';
import { digestHtml, digestText, reportSubject } from '../reports/render';
import { hashShareToken, newShareToken } from '../reports/share-token';
import { buildReportXlsx, reportFileKey, reportFileName, XLSX_CONTENT_TYPE } from '../reports/xlsx';
import { DB_STEP } from '../steps/platform-step';
import { parseParams } from './params';
import { trackedRun } from './tracked-run';
import { checkConfig } from '../env';

export const Day = z.iso.date();

/** One report: a schedule and the period it covers (the instance id is derived from both). */
export const ScheduledReportParams = z.object({
  organizationId: z.uuid(),
  scheduleId: z.uuid(),
  /** the due time this run is for */
  occurrence: z.iso.datetime(),
  period: z.object({ start: Day, end: Day }),
  previous: z.object({ start: Day, end: Day }),
});
export type ScheduledReportParams = z.infer<typeof ScheduledReportParams>;

export const REPORT_STEPS = {
  figures: 'compute figures',
  file: 'render and store xlsx',
  link: 'create digest link',
  recipients: 'resolve recipients',
  deliver: (channel: string, recipientKey: string) => `deliver ${channel} to ${recipientKey}`,
  record: 'record report run',
  recordFailed: 'record report run failed',
} as const;

/** Delivery steps retry on their own, with backoff (a failing one never re-runs its siblings). */
export const DELIVERY_STEP = { retries: { limit: 5, delay: '10 seconds', backoff: 'exponential' }, timeout: '1 minute' } as const;

/** How long the digest's own link works. */
export const DIGEST_LINK_DAYS = 30;

const recipientKey = (r: Recipient) => (r.type === 'member' ? `member:${r.user_id}` : `email:${r.email}`);

interface Target {
  key: string;
  userId: string | null;
  channel: 'email' | 'telegram';
  address: string | null;
  /** why nothing is sent (no address for this channel) */
  skip: string | null;
}

/**
 * compute figures → render and store the xlsx (R2) → create the digest link → resolve recipients →
 * one delivery step per recipient × channel (outbox rows with idempotency keys) → record the run.
 * Each step is idempotent: the run row is keyed by the instance id, the file by the run id, outbox
 * rows by `report:<schedule>:<period>:<recipient>:<channel>`.
 */
export class ScheduledReport extends WorkflowEntrypoint<Env, ScheduledReportParams> {
  override async run(event: WorkflowEvent<ScheduledReportParams>, step: WorkflowStep) {
    checkConfig(this.env);
    const parsed = ScheduledReportParams.safeParse(event.payload);
    const run = {
      instanceId: event.instanceId,
      workflow: 'ScheduledReport',
      organizationId: parsed.success ? parsed.data.organizationId : null,
      trigger: 'workflow' as const,
      triggeredBy: 'ReportDispatch',
      paramsSummary: parsed.success ? { schedule_id: parsed.data.scheduleId, period_start: parsed.data.period.start, period_end: parsed.data.period.end } : { invalid_params: true },
    };
    return trackedRun(this.env, step, run, async () => {
      const p = parseParams(ScheduledReportParams, event.payload);
      const org = p.organizationId;

      const made = await step.do(REPORT_STEPS.figures, DB_STEP, async () => {
        const db = createSql(this.env);
        const schedule = await findSchedule(db, org, p.scheduleId);
        if (!schedule) return null; // deleted after it was dispatched: nothing to report
        const figures = await computeFigures(db, { organizationId: org, schedule, period: p.period, previous: p.previous });
        const runId = await upsertRun(db, { organizationId: org, scheduleId: schedule.id, scheduleName: schedule.name, instanceId: event.instanceId, periodStart: p.period.start, periodEnd: p.period.end, figures });
        return { runId, recipients: schedule.recipients, channels: schedule.channels, xlsx: schedule.contents.xlsx, summary: figures.summary.increments };
      });
      if (!made) return { skipped: 'schedule deleted' };
      const { runId } = made;
      try {
        return await this.deliver(event, step, p, made);
      } catch (err) {
        // the run shows as failed on GET /reports/runs (workflow_runs records it for /ops)
        await step.do(REPORT_STEPS.recordFailed, DB_STEP, async () => {
          await finishRun(createSql(this.env), runId, { status: 'failed', error: err instanceof Error ? err.message.slice(0, 500) : String(err) });
          return null;
        });
        throw err;
      }
    });
  }

  /** Everything after the figures: file, link, recipients, one step per delivery, the record. */
  private async deliver(event: WorkflowEvent<ScheduledReportParams>, step: WorkflowStep, p: ScheduledReportParams, made: { runId: string; recipients: Recipient[]; channels: ('email' | 'telegram')[]; xlsx: 'attachment' | 'link' | 'none' }) {
    const org = p.organizationId;
    const { runId } = made;
    const figuresOf = async () => (await findRunByInstance(createSql(this.env), event.instanceId))!.figures as ReportFigures;

    const file = await step.do(REPORT_STEPS.file, DB_STEP, async () => {
      const figures = await figuresOf();
      const body = await buildReportXlsx(figures);
      const key = reportFileKey(org, runId);
      await this.env.FILES.put(key, body, { httpMetadata: { contentType: XLSX_CONTENT_TYPE, contentDisposition: `attachment; filename="${reportFileName(figures)}"` } });
      await setRunFile(createSql(this.env), runId, { fileKey: key, fileSize: body.byteLength, digestText: digestText(figures) });
      return { key, size: body.byteLength, filename: reportFileName(figures) };
    });

    // The token lives only in this step's result (the engine's storage) and in the message; the
    // database keeps its hash.
    const link =
      made.xlsx === 'link'
        ? await step.do(REPORT_STEPS.link, DB_STEP, async () => {
            const token = newShareToken();
            await insertShareLink(createSql(this.env), { organizationId: org, runId, tokenHash: await hashShareToken(token), expiresAt: new Date(Date.now() + DIGEST_LINK_DAYS * 86_400_000), createdBy: null });
            return shareUrls(this.env, token);
          })
        : null;

    const targets = await step.do(REPORT_STEPS.recipients, DB_STEP, async (): Promise<Target[]> => {
      const members = await memberAddresses(createSql(this.env), org, made.recipients.flatMap((r) => (r.type === 'member' ? [r.user_id] : [])));
      const out: Target[] = [];
      for (const r of made.recipients) {
        for (const channel of made.channels) {
          const key = recipientKey(r);
          if (r.type === 'email') {
            out.push(channel === 'email' ? { key, userId: null, channel, address: r.email, skip: null } : { key, userId: null, channel, address: null, skip: 'external recipients get email only' });
            continue;
          }
          const m = members.get(r.user_id);
          if (!m) out.push({ key, userId: r.user_id, channel, address: null, skip: 'no longer a member of the organization' });
          else if (channel === 'email') out.push({ key, userId: r.user_id, channel, address: m.email, skip: m.email ? null : 'the member has no email address' });
          else out.push({ key, userId: r.user_id, channel, address: m.telegram_chat_id, skip: m.telegram_chat_id ? null : 'the member has not linked Telegram' });
        }
      }
      return out;
    });

    let queued = 0;
    let skipped = 0;
    for (const t of targets) {
      const status = await step.do(REPORT_STEPS.deliver(t.channel, t.key), DELIVERY_STEP, async () => {
        const db = createSql(this.env);
        const idempotencyKey = await reportIdempotencyKey(p.scheduleId, p.period.start, t.key, t.channel);
        if (t.skip || !t.address) {
          await recordDelivery(db, org, { run_id: runId, recipient: t.key, channel: t.channel, address: null, idempotency_key: idempotencyKey, outbox_id: null, status: 'skipped', detail: t.skip });
          return 'skipped' as const;
        }
        const figures = await figuresOf();
        const links = { reportUrl: link?.reportUrl ?? null, xlsxUrl: link?.xlsxUrl ?? null };
        const text = digestText(figures, links);
        const payload: Record<string, unknown> =
          t.channel === 'telegram'
            ? { text }
            : {
                subject: reportSubject(figures),
                schedule_name: figures.schedule.name,
                period_start: figures.period.start,
                period_end: figures.period.end,
                digest_text: text,
                digest_html: digestHtml(figures, links),
                report_url: links.reportUrl ?? '',
                xlsx_url: links.xlsxUrl ?? '',
                ...(made.xlsx === 'attachment' ? { attachment: { r2_key: file.key, filename: file.filename, content_type: XLSX_CONTENT_TYPE } } : {}),
              };
        const outboxId = await enqueueReportDelivery(db, { organizationId: org, userId: t.userId, channel: t.channel, recipient: t.address, payload, idempotencyKey });
        await recordDelivery(db, org, { run_id: runId, recipient: t.key, channel: t.channel, address: t.address, idempotency_key: idempotencyKey, outbox_id: outboxId, status: 'queued', detail: null });
        // A retried step enqueues again: the consumer claims the row, so it is still sent once.
        await enqueueOutboxRows(this.env.NOTIFICATIONS, [{ id: outboxId, organization_id: org }]);
        return 'queued' as const;
      });
      if (status === 'queued') queued++;
      else skipped++;
    }

    await step.do(REPORT_STEPS.record, DB_STEP, async () => {
      await finishRun(createSql(this.env), runId, { status: 'complete' });
      return null;
    });
    return { run_id: runId, period: p.period, file_size: file.size, deliveries: { queued, skipped } };
  }
}
