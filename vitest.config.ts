import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_SECRETS } from './test/setup/secrets.ts';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const platforms = inject<string>('platformApiUrl');
      return {
        wrangler: { configPath: './wrangler.jsonc' },
        miniflare: {
          hyperdrives: { DB: inject<string>('databaseUrl') },
          bindings: {
            ...TEST_SECRETS,
            APP_ENV: 'test',
            TIKTOK_API_BASE_URL: `${platforms}/tiktok`,
            INSTAGRAM_API_BASE_URL: `${platforms}/instagram`,
            YOUTUBE_API_BASE_URL: `${platforms}/youtube/v3`,
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
