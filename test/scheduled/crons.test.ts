import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { CRON_WORKFLOWS, runKeyFor } from '../../src/scheduled';
import wranglerConfig from '../../wrangler.jsonc?raw';
import { adminSql } from '../helpers/db';

const sql = adminSql();

describe('crons', () => {
  it('every cron in wrangler.jsonc is mapped, and nothing else is', () => {
    const withoutComments = wranglerConfig.replace(/^\s*\/\/.*$/gm, '').replace(/\/\/ .*$/gm, '');
    const crons: string[] = JSON.parse(withoutComments).triggers.crons;
    expect(Object.keys(CRON_WORKFLOWS).sort()).toEqual([...crons].sort());
  });

  it('the 00:00 cron starts a NightlyRefresh instance named after the hour and registers it', async () => {
    const scheduledTime = Date.UTC(2024, 5, 1 + Math.floor(Math.random() * 29), 0);
    const controller = createScheduledController({ cron: '0 0 * * *', scheduledTime });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    const instanceId = `nightly-refresh-${runKeyFor(scheduledTime).replace(/[^0-9]/g, '')}`;
    const [run] = await sql`select workflow, trigger, params_summary from workflow_runs where instance_id = ${instanceId}`;
    expect(run).toMatchObject({ workflow: 'NightlyRefresh', trigger: 'cron' });
    expect(run!.params_summary).toMatchObject({ cron: '0 0 * * *', run_key: runKeyFor(scheduledTime) });
    const status = await (await env.NIGHTLY_REFRESH.get(instanceId)).status();
    expect(['queued', 'running', 'complete', 'waiting']).toContain(status.status);
  });
});
