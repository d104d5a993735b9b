/**
 * Every notification type, who it is for and its default channels. Members change channels per
 * type with PUT /me/notifications; the outbox template of a type is its name.
 */
export const USER_NOTIFICATION_TYPES = [
  'views_threshold', // a video crossed N views (alert rule)
  'viral', // 24 h growth > k × the creator's median daily growth (alert rule)
  'video_unavailable', // a tracked video was deleted or became unavailable (alert rule)
  'limit_usage', // the organization used 80 % / 100 % of a limit (alert rule)
  'new_video', // a tracked blogger posted a new video (blogger batch)
  'sheets_reauth', // a Google Sheets connection needs re-authorisation
  'import_finished', // an import finished or failed
] as const;
export type UserNotificationType = (typeof USER_NOTIFICATION_TYPES)[number];

export const CHANNELS = ['email', 'telegram'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Alerts reach a member's linked Telegram chat; email is opt-in (a busy campaign sends many). */
export const DEFAULT_CHANNELS: Record<UserNotificationType, Channel[]> = {
  views_threshold: ['telegram'],
  viral: ['telegram'],
  video_unavailable: ['telegram'],
  limit_usage: ['telegram', 'email'],
  new_video: ['telegram'],
  sheets_reauth: ['email', 'telegram'],
  import_finished: ['telegram'],
};

export const ALERT_RULE_TYPES = ['views_threshold', 'viral', 'video_unavailable', 'limit_usage'] as const;
export type AlertRuleType = (typeof ALERT_RULE_TYPES)[number];
