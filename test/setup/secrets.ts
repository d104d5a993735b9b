/** Secrets the Worker sees under test (never real ones). */
export const TEST_SECRETS = {
  SUPABASE_JWT_SECRET: 'test-jwt-secret-that-is-at-least-32-characters',
  SUPABASE_JWKS_URL: '',
  SUPABASE_JWT_ISSUER: '',
  RAPIDAPI_KEY: 'test-rapidapi-key',
  YOUTUBE_API_KEY: 'test-youtube-key',
  OPS_TOKEN: 'test-ops-token',
  /** two keys: the first encrypts, both decrypt (rotation) */
  GOOGLE_TOKEN_KEYS: 'test2:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=,test1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=',
} as const;
