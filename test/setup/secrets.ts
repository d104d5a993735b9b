/** Secrets the Worker sees under test (never real ones). */
export const TEST_SECRETS = {
  SUPABASE_JWT_SECRET: 'test-jwt-secret-that-is-at-least-32-characters',
  SUPABASE_JWKS_URL: '',
  SUPABASE_JWT_ISSUER: '',
  RAPIDAPI_KEY: 'test-rapidapi-key',
  YOUTUBE_API_KEY: 'test-youtube-key',
  OPS_TOKEN: 'test-ops-token',
  LOOPS_API_KEY: 'fake-loops-api-key',
  INVITATION_TOKEN_SECRET: 'test-invitation-token-secret-at-least-32-chars',
  TELEGRAM_BOT_TOKEN: '123456:test-telegram-bot-token',
  TELEGRAM_WEBHOOK_SECRET: 'test-telegram-webhook-secret',
  /** two keys: the first encrypts, both decrypt (rotation) */
  GOOGLE_TOKEN_KEYS: 'test2:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=,test1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=',
} as const;

/** Loops transactional ids per notification template under test (the fake accepts any id not starting with `unknown`). */
export const TEST_LOOPS_TRANSACTIONAL_IDS = {
  organization_invitation: 'test-tx-organization-invitation',
  scheduled_report: 'test-tx-scheduled-report',
  limit_usage: 'test-tx-limit-usage',
  sheets_reauth: 'test-tx-sheets-reauth',
  import_finished: 'test-tx-import-finished',
  new_video: 'test-tx-new-video',
  digest: 'test-tx-digest',
} as const;
