import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker, { BloggerBatch, BloggerDailyFetch, ExcelImport, InitialBloggerFetch, NightlyRefresh, ReportDispatch, ScheduledReport, SheetsResync, SheetsResyncSource } from '../../src/index';
import { checkConfig, ConfigError } from '../../src/env';
import { runKeyFor } from '../../src/scheduled';
import { googleConfig } from '../../src/google/config';
import { opsConfig } from '../../src/ops/config';
import { adminSql } from '../helpers/db';

/**
 * One config schema (src/env.ts), checked at every entry point before anything runs: a malformed
 * var or a Worker without a way to verify tokens fails with an error naming the variable.
 */
const sql = adminSql();

/** The test Worker's env with some vars changed (undefined removes one). */
const envWith = (changes: Record<string, unknown>) => {
  const copy: Record<string, unknown> = { ...(env as unknown as Record<string, unknown>) };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete copy[k];
    else copy[k] = v;
  }
  return copy as unknown as Env;
};

const noTokenKeys = () => envWith({ SUPABASE_JWT_SECRET: undefined, SUPABASE_JWKS_URL: '' });

describe('the one config schema', () => {
  it('accepts the configured Worker and applies defaults for unset or empty vars', () => {
    const config = checkConfig(envWith({ REPORTS_PUBLIC_BASE_URL: '', STATS_FRESHNESS_MINUTES: undefined, YOUTUBE_API_BASE_URL: `${env.YOUTUBE_API_BASE_URL}//` }));
    expect(config.REPORTS_PUBLIC_BASE_URL).toBe('http://127.0.0.1:8787');
    expect(config.STATS_FRESHNESS_MINUTES).toBe(30);
    expect(config.YOUTUBE_API_BASE_URL).toBe(env.YOUTUBE_API_BASE_URL.replace(/\/+$/, ''));
    expect(config.LOOPS_TRANSACTIONAL_IDS).toEqual(JSON.parse(env.LOOPS_TRANSACTIONAL_IDS));
  });

  it('names the missing token secret, and each malformed var', () => {
    expect(() => checkConfig(noTokenKeys())).toThrow(/SUPABASE_JWT_SECRET: set SUPABASE_JWT_SECRET \(HS256 tokens\) or SUPABASE_JWKS_URL/);
    expect(() => checkConfig(envWith({ TIKTOK_API_BASE_URL: 'ftp://tiktok.example' }))).toThrow(/TIKTOK_API_BASE_URL must be an http\(s\) URL/);
    expect(() => checkConfig(envWith({ OPS_ALERT_EMAIL: 'not an address' }))).toThrow(/OPS_ALERT_EMAIL: /);
    expect(() => checkConfig(envWith({ LOOPS_TRANSACTIONAL_IDS: '[1,2]' }))).toThrow(/LOOPS_TRANSACTIONAL_IDS: must be a JSON object/);
    expect(() => checkConfig(envWith({ STATS_FRESHNESS_MINUTES: 'soon' }))).toThrow(/STATS_FRESHNESS_MINUTES must be a whole number/);
    const both = (() => {
      try {
        checkConfig(envWith({ RAPIDAPI_KEY: '   ', GOOGLE_REDIRECT_URI: 'nope' }));
      } catch (err) {
        return err as Error;
      }
    })();
    expect(both).toBeInstanceOf(ConfigError);
    expect(both?.message).toMatch(/RAPIDAPI_KEY is empty/);
    expect(both?.message).toMatch(/GOOGLE_REDIRECT_URI: /);
  });

  it('a feature reads its own part and names what it needs when it is used', () => {
    expect(() => googleConfig(envWith({ GOOGLE_CLIENT_SECRET: undefined, GOOGLE_TOKEN_KEYS: '' }))).toThrow(
      /invalid Google configuration: GOOGLE_CLIENT_SECRET: set the GOOGLE_CLIENT_SECRET secret; GOOGLE_TOKEN_KEYS: set the GOOGLE_TOKEN_KEYS secret/,
    );
    expect(opsConfig(envWith({ OPS_TOKEN: '', CLOUDFLARE_API_BASE_URL: 'http://cf.example/v4///' }))).toMatchObject({ OPS_TOKEN: null, CLOUDFLARE_API_BASE_URL: 'http://cf.example/v4' });
  });
});

describe('every entry point checks it first', () => {
  it('fetch answers 500 without internals when the Worker cannot verify tokens, and serves again once configured', async () => {
    const bad = await worker.fetch!(new Request('http://influtics.test/health'), noTokenKeys(), createExecutionContext());
    expect(bad.status).toBe(500);
    expect(await bad.json()).toMatchObject({ error: { code: 'internal_error', message: 'internal error' } });
    const good = await worker.fetch!(new Request('http://influtics.test/health'), env, createExecutionContext());
    expect(good.status).toBe(200);
  });

  it('queue refuses a batch before touching a message (the queue redelivers it once fixed)', async () => {
    const touched: string[] = [];
    const batch = {
      queue: 'influtics-high-priority',
      messages: [{ id: 'm1', timestamp: new Date(), attempts: 1, body: {}, ack: () => touched.push('ack'), retry: () => touched.push('retry') }],
      ackAll: () => touched.push('ackAll'),
      retryAll: () => touched.push('retryAll'),
    } as unknown as MessageBatch;
    await expect(worker.queue!(batch, envWith({ TELEGRAM_BOT_USERNAME: 'no spaces allowed' }), createExecutionContext())).rejects.toThrow(/TELEGRAM_BOT_USERNAME: /);
    expect(touched).toEqual([]);
  });

  it('scheduled starts nothing with a broken configuration', async () => {
    const scheduledTime = Date.UTC(2031, 0, 1 + Math.floor(Math.random() * 28), 0);
    const controller = createScheduledController({ cron: '0 0 * * *', scheduledTime });
    expect(() => worker.scheduled!(controller, envWith({ APP_BASE_URL: 'not a url' }), createExecutionContext())).toThrow(/APP_BASE_URL: /);
    expect(await sql`select 1 from workflow_runs where params_summary ->> 'run_key' = ${runKeyFor(scheduledTime)}`).toHaveLength(0);
    // the same cron with the configured env does start its run (so the query above can see one)
    const ctx = createExecutionContext();
    await worker.scheduled!(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await sql`select workflow from workflow_runs where params_summary ->> 'run_key' = ${runKeyFor(scheduledTime)}`).toEqual([{ workflow: 'NightlyRefresh' }]);
  });

  it("each workflow's run refuses before its first step", async () => {
    const classes = { InitialBloggerFetch, BloggerDailyFetch, BloggerBatch, NightlyRefresh, ExcelImport, SheetsResync, SheetsResyncSource, ReportDispatch, ScheduledReport };
    for (const [name, Workflow] of Object.entries(classes)) {
      const steps: string[] = [];
      const step = { do: async (label: string) => void steps.push(label), sleep: async () => undefined, sleepUntil: async () => undefined, waitForEvent: async () => undefined };
      // the runtime constructs workflow instances itself; `run` only reads this.env
      const run = (Workflow.prototype as unknown as { run: (this: { env: Env }, event: unknown, step: unknown) => Promise<unknown> }).run;
      await expect(run.call({ env: noTokenKeys() }, { payload: {}, timestamp: new Date(), instanceId: `config-${name}` }, step), name).rejects.toThrow(/SUPABASE_JWT_SECRET/);
      expect(steps, name).toEqual([]);
    }
  });
});
