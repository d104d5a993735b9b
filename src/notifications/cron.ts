import { z } from 'zod';
import { createSql } from '../db/client';
import { recordOperatorAlerts } from '../db/operator-alerts';
import { enqueueOutboxRows } from '../queues/notification-messages';
import { recordLimitUsageAlerts } from './limit-usage';
import { enqueueDueRows } from './outbox-events';
import { relayDueNotifications } from './relay';

/**
 *   OPS_ALERT_TELEGRAM_CHAT_ID          var, the operators' Telegram chat (the bot must be in it)
 *   OPS_ALERT_EMAIL                     var, operators' address (Loops template `operator_alert`)
 *   OPS_ALERT_DEAD_LETTERS_PER_HOUR     var, alert above this many dead letters in an hour (20)
 */
const OpsAlertEnv = z.object({
  OPS_ALERT_TELEGRAM_CHAT_ID: z.string().regex(/^-?\d{1,20}$/).optional(),
  OPS_ALERT_EMAIL: z.email().optional(),
  OPS_ALERT_DEAD_LETTERS_PER_HOUR: z.coerce.number().int().min(0).default(20),
});

/** The notifications part of the 15-minute cron: operator alerts, limit-usage alerts, then the outbox relay. */
export async function runNotificationCron(env: Env): Promise<void> {
  const raw = Object.fromEntries(Object.entries(env as unknown as Record<string, unknown>).filter(([k, v]) => k.startsWith('OPS_ALERT_') && v !== ''));
  const cfg = OpsAlertEnv.safeParse(raw);
  if (!cfg.success) {
    console.error(JSON.stringify({ event: 'ops_alert_config_invalid', issues: cfg.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }));
  } else {
    const rows = await recordOperatorAlerts(createSql(env), {
      telegramChatId: cfg.data.OPS_ALERT_TELEGRAM_CHAT_ID ?? null,
      email: cfg.data.OPS_ALERT_EMAIL ?? null,
      deadLettersPerHour: cfg.data.OPS_ALERT_DEAD_LETTERS_PER_HOUR,
    });
    await enqueueOutboxRows(env.NOTIFICATIONS, rows);
  }
  await enqueueDueRows(env, await recordLimitUsageAlerts(createSql(env)));
  await relayDueNotifications(env);
}
