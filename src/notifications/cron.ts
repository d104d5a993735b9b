import { configSection } from '../env';
import { createSql } from '../db/client';
import { recordOperatorAlerts } from '../db/operator-alerts';
import { recordLimitUsageAlerts } from './limit-usage';
import { enqueueDueRows } from './outbox-events';
import { relayDueNotifications } from './relay';

/**
 *   OPS_ALERT_TELEGRAM_CHAT_ID          var, the operators' Telegram chat (the bot must be in it)
 *   OPS_ALERT_EMAIL                     var, operators' address (Loops template `operator_alert`)
 *   OPS_ALERT_DEAD_LETTERS_PER_HOUR     var, alert above this many dead letters in an hour (20)
 */
const KEYS = ['OPS_ALERT_TELEGRAM_CHAT_ID', 'OPS_ALERT_EMAIL', 'OPS_ALERT_DEAD_LETTERS_PER_HOUR'] as const;

/** The notifications part of the 15-minute cron: operator alerts, limit-usage alerts, then the outbox relay. */
export async function runNotificationCron(env: Env): Promise<void> {
  let cfg: ReturnType<typeof configSection<(typeof KEYS)[number]>> | undefined;
  try {
    cfg = configSection(env, KEYS, 'operator alert');
  } catch (err) {
    console.error(JSON.stringify({ event: 'ops_alert_config_invalid', message: err instanceof Error ? err.message : String(err) }));
  }
  if (cfg) {
    // digest parts: the relay below sends each channel's alerts of this tick as one message
    await recordOperatorAlerts(createSql(env), {
      telegramChatId: cfg.OPS_ALERT_TELEGRAM_CHAT_ID ?? null,
      email: cfg.OPS_ALERT_EMAIL ?? null,
      deadLettersPerHour: cfg.OPS_ALERT_DEAD_LETTERS_PER_HOUR,
    });
  }
  await enqueueDueRows(env, await recordLimitUsageAlerts(createSql(env)));
  await relayDueNotifications(env);
}
