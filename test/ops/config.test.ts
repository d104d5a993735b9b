import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { workflowsApiTarget } from '../../src/ops/config';
import { WORKFLOW_API_NAMES } from '../../src/ops/workflows';
import { WORKFLOWS } from '../../src/workflows/start';
import { InstanceDetail, toTimeline } from '../../src/ops/workflows-api';
import wranglerConfig from '../../wrangler.jsonc?raw';

describe('workflow names', () => {
  it('every registry name maps to the binding and the Workflows API name that wrangler.jsonc declares', () => {
    const config = JSON.parse(wranglerConfig.replace(/^\s*\/\/.*$/gm, '').replace(/\/\/ .*$/gm, ''));
    const declared = Object.fromEntries(config.workflows.map((w: any) => [w.binding, w.name]));
    for (const [name, binding] of Object.entries(WORKFLOWS)) {
      expect(WORKFLOW_API_NAMES[name as keyof typeof WORKFLOWS], name).toBe(declared[binding]);
    }
    expect(Object.keys(WORKFLOW_API_NAMES).sort()).toEqual(Object.keys(WORKFLOWS).sort());
  });
});

describe('where step detail comes from', () => {
  const withEnv = (vars: Record<string, string>) => ({ ...env, CLOUDFLARE_API_BASE_URL: '', CLOUDFLARE_ACCOUNT_ID: '', CLOUDFLARE_API_TOKEN: '', ...vars }) as unknown as Env;

  it('production: the Cloudflare API of the account, with the API token', () => {
    expect(workflowsApiTarget(withEnv({ CLOUDFLARE_ACCOUNT_ID: 'acc123', CLOUDFLARE_API_TOKEN: 'tok' }), 'https://api.influtics.example/ops/api/runs/x')).toEqual({
      available: true,
      baseUrl: 'https://api.cloudflare.com/client/v4/accounts/acc123',
      token: 'tok',
      source: 'cloudflare',
    });
    expect(workflowsApiTarget(withEnv({ CLOUDFLARE_ACCOUNT_ID: 'acc123' }), 'https://api.influtics.example/x')).toMatchObject({ available: false, reason: expect.stringMatching(/CLOUDFLARE_API_TOKEN/) });
  });

  it('wrangler dev: its own local explorer, on the origin that received the request', () => {
    expect(workflowsApiTarget(withEnv({}), 'http://127.0.0.1:8787/ops/api/runs/x')).toEqual({ available: true, baseUrl: 'http://127.0.0.1:8787/cdn-cgi/local/explorer/api', token: null, source: 'local-explorer' });
    expect(workflowsApiTarget(withEnv({}), 'http://localhost:9000/ops/api/runs/x')).toMatchObject({ baseUrl: 'http://localhost:9000/cdn-cgi/local/explorer/api' });
    // never guessed for a public host
    expect(workflowsApiTarget(withEnv({}), 'https://api.influtics.example/ops/api/runs/x')).toMatchObject({ available: false, reason: expect.stringMatching(/not configured/) });
  });

  it('an explicit base URL wins, with {account_id} filled in', () => {
    expect(workflowsApiTarget(withEnv({ CLOUDFLARE_API_BASE_URL: 'http://proxy.internal/v4/accounts/{account_id}/', CLOUDFLARE_ACCOUNT_ID: 'a1', CLOUDFLARE_API_TOKEN: 't' }), 'https://x.example/')).toEqual({
      available: true,
      baseUrl: 'http://proxy.internal/v4/accounts/a1',
      token: 't',
      source: 'configured',
    });
    expect(workflowsApiTarget(withEnv({ CLOUDFLARE_API_BASE_URL: 'http://proxy.internal/accounts/{account_id}' }), 'https://x.example/')).toMatchObject({ available: false });
  });
});

describe('the step timeline', () => {
  // The shape wrangler dev's local explorer answers (miniflare's getWorkflowInstanceDetails), which is
  // also the Cloudflare API's: steps of type step / sleep / termination, attempts with errors.
  const explorerDetail = {
    status: 'terminated',
    params: { runKey: '2026-11-22T00' },
    queued: '2026-11-22T00:00:00.000Z',
    start: '2026-11-22T00:00:00.010Z',
    end: '2026-11-22T00:00:09.000Z',
    output: null,
    error: null,
    step_count: 4,
    steps: [
      { name: 'record run started', start: '2026-11-22T00:00:00.020Z', end: '2026-11-22T00:00:00.050Z', success: true, type: 'step', output: null, config: { retries: { limit: 5 } }, attempts: [{ start: '2026-11-22T00:00:00.020Z', end: '2026-11-22T00:00:00.050Z', success: true, error: null }] },
      {
        name: 'fetch videos page 1',
        start: '2026-11-22T00:00:00.060Z',
        end: '2026-11-22T00:00:03.560Z',
        success: true,
        type: 'step',
        output: { videos: ['x'.repeat(3000)] },
        config: {},
        attempts: [
          { start: '2026-11-22T00:00:00.060Z', end: '2026-11-22T00:00:00.560Z', success: false, error: { name: 'PlatformError', message: '502 from upstream' } },
          { start: '2026-11-22T00:00:02.060Z', end: '2026-11-22T00:00:03.560Z', success: true, error: null },
        ],
      },
      { name: 'wait a bit', start: '2026-11-22T00:00:04.000Z', end: null, finished: false, type: 'sleep', error: null },
      { name: 'save videos and snapshots', start: '2026-11-22T00:00:08.000Z', end: null, success: null, type: 'step', config: {}, attempts: [{ start: '2026-11-22T00:00:08.000Z', end: '2026-11-22T00:00:08.500Z', success: false, error: 'timeout' }] },
      { type: 'termination', trigger: { source: 'api' } },
    ],
  };

  it('turns steps and attempts into rows with durations, states and errors', () => {
    const steps = toTimeline(InstanceDetail.parse(explorerDetail));
    expect(steps.map((s) => [s.name, s.type, s.state, s.duration_ms, s.attempts.length])).toEqual([
      ['record run started', 'step', 'complete', 30, 1],
      ['fetch videos page 1', 'step', 'complete', 3500, 2],
      ['wait a bit', 'sleep', 'sleeping', null, 0],
      ['save videos and snapshots', 'step', 'running', null, 1],
      ['terminated (api)', 'termination', 'terminated', null, 0],
    ]);
    expect(steps[1]!.attempts).toEqual([
      { attempt: 1, start: '2026-11-22T00:00:00.060Z', end: '2026-11-22T00:00:00.560Z', duration_ms: 500, success: false, error: { name: 'PlatformError', message: '502 from upstream' } },
      { attempt: 2, start: '2026-11-22T00:00:02.060Z', end: '2026-11-22T00:00:03.560Z', duration_ms: 1500, success: true, error: null },
    ]);
    // a completed step shows no error (its failed attempt does); a retrying one shows the last
    expect(steps[1]!.error).toBeNull();
    expect(steps[3]!.error).toEqual({ name: 'Error', message: 'timeout' });
    expect(steps[1]!.output_truncated).toBe(true);
    expect(steps[1]!.output_preview).toHaveLength(2000);
    expect(steps[0]!.output_preview).toBe('null');
  });

  it("reads wrangler dev's engine keys (`name-2`) as name and occurrence; counts repeats in the Cloudflare shape", () => {
    const step = (name: string) => ({ name, type: 'step', start: null, end: null, success: true, attempts: [] });
    const local = toTimeline(InstanceDetail.parse({ status: 'complete', steps: [step('record run started-1'), step('enqueue page-1'), step('enqueue page-2')] }), { engineKeys: true });
    expect(local.map((s) => [s.name, s.count])).toEqual([['record run started', 1], ['enqueue page', 1], ['enqueue page', 2]]);
    const cloud = toTimeline(InstanceDetail.parse({ status: 'complete', steps: [step('record run started'), step('enqueue page'), step('enqueue page'), step('top-10')] }));
    expect(cloud.map((s) => [s.name, s.count])).toEqual([['record run started', 1], ['enqueue page', 1], ['enqueue page', 2], ['top-10', 1]]);
  });
});
