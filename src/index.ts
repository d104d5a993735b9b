import { app } from './http/app';
import { handleScheduled } from './scheduled';
import { consumeStatsBatch } from './queues/stats-consumer';
import { consumeDeadLetters } from './queues/dead-letter-consumer';
import { consumeNotifications } from './queues/notifications-consumer';
import { runNotificationCron } from './notifications/cron';
import { checkConfig } from './env';

export { InitialBloggerFetch, BloggerDailyFetch } from './workflows/initial-blogger-fetch';
export { BloggerBatch } from './workflows/blogger-batch';
export { NightlyRefresh } from './workflows/nightly-refresh';
export { ExcelImport } from './workflows/excel-import';

export { SheetsResync, SheetsResyncSource } from './workflows/sheets-resync';

export { ReportDispatch } from './workflows/report-dispatch';
export { ScheduledReport } from './workflows/scheduled-report';

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    checkConfig(env);
    ctx.waitUntil(handleScheduled(controller, env));
    // operator alerts and the notification outbox relay ride the 15-minute cron
    if (controller.cron === '*/15 * * * *') ctx.waitUntil(runNotificationCron(env));
  },
  async queue(batch, env, _ctx) {
    checkConfig(env);
    switch (batch.queue) {
      case 'influtics-high-priority':
      case 'influtics-low-priority':
        await consumeStatsBatch(batch, env);
        return;
      case 'influtics-notifications':
        await consumeNotifications(batch, env);
        return;
      case 'influtics-dead-letters':
        await consumeDeadLetters(batch, env);
        return;
      default:
        // Unknown queue: retry so nothing is lost while a deploy catches up.
        console.error(JSON.stringify({ event: 'unknown_queue', queue: batch.queue }));
        batch.retryAll({ delaySeconds: 60 });
    }
  },
} satisfies ExportedHandler<Env>;
