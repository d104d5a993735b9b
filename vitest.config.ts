import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_LOOPS_TRANSACTIONAL_IDS, TEST_SECRETS } from './test/setup/secrets.ts';
import { FAKE_CF_ACCOUNT_ID, FAKE_CF_API_TOKEN } from './test/fakes/cloudflare-api.mjs';
import { FAKE_GOOGLE_CLIENT } from './test/fakes/google.mjs';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const platforms = inject<string>('platformApiUrl');
      const google = inject<string>('googleApiUrl');
      return {
        wrangler: { configPath: './wrangler.jsonc' },
        miniflare: {
          hyperdrives: { DB: inject<string>('databaseUrl') },
          // The suites drive the API with one token at a rate no client should reach, so the API's
          // budgets are far away here; test/http/rate-limit.test.ts runs the same middleware over
          // the TEST_* bindings, whose budgets a test can exhaust.
          ratelimits: {
            USER_RATE_LIMITER: { namespace_id: '1001', simple: { limit: 1_000_000, period: 60 } },
            ORG_RATE_LIMITER: { namespace_id: '1002', simple: { limit: 1_000_000, period: 60 } },
            TEST_USER_RATE_LIMITER: { namespace_id: '9001', simple: { limit: 3, period: 60 } },
            TEST_ORG_RATE_LIMITER: { namespace_id: '9002', simple: { limit: 5, period: 60 } },
          },
          bindings: {
            ...TEST_SECRETS,
            TIKTOK_API_BASE_URL: `${platforms}/tiktok`,
            INSTAGRAM_API_BASE_URL: `${platforms}/instagram`,
            YOUTUBE_API_BASE_URL: `${platforms}/youtube/v3`,
            // The ops step timeline reads the Workflows REST API; vitest-plugin's Miniflare serves no
            // local explorer, so tests point it at the fake (test/fakes/cloudflare-api.mjs).
            CLOUDFLARE_API_BASE_URL: `${inject<string>('cloudflareApiUrl')}/client/v4/accounts/{account_id}`,
            CLOUDFLARE_ACCOUNT_ID: FAKE_CF_ACCOUNT_ID,
            CLOUDFLARE_API_TOKEN: FAKE_CF_API_TOKEN,
            // notification delivery: the fake Loops server (test/fakes/loops-server.mjs)
            LOOPS_API_BASE_URL: inject<string>('loopsApiUrl'),
            LOOPS_TRANSACTIONAL_IDS: JSON.stringify(TEST_LOOPS_TRANSACTIONAL_IDS),
            APP_BASE_URL: 'https://app.influtics.test',
            // and the fake Telegram Bot API (test/fakes/telegram-server.mjs)
            TELEGRAM_API_BASE_URL: inject<string>('telegramApiUrl'),
            TELEGRAM_BOT_USERNAME: 'influtics_test_bot',

            // Google OAuth and Sheets point at the fake Google (test/fakes/google.mjs).
            GOOGLE_CLIENT_ID: FAKE_GOOGLE_CLIENT.id,
            GOOGLE_CLIENT_SECRET: FAKE_GOOGLE_CLIENT.secret,
            GOOGLE_AUTHORIZE_URL: `${google}/o/oauth2/v2/auth`,
            GOOGLE_TOKEN_URL: `${google}/token`,
            GOOGLE_REVOKE_URL: `${google}/revoke`,
            GOOGLE_SHEETS_API_BASE_URL: google,
            GOOGLE_REDIRECT_URI: 'http://influtics.test/integrations/google/callback',
            // resyncs write back at once (a test that wants the wait passes firstStatsWaitSeconds)
            SHEETS_FIRST_STATS_WAIT_SECONDS: '0',
          },
        },
      };
    }),
  ],
  test: {
    globalSetup: ['./test/setup/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // Test files share one Postgres and one fake platform server whose faults and call log are
    // global, so files run one at a time; tests inside a file still assert on their own rows.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
