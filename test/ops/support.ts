import { env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { controlClient } from '../helpers/fake-control';
import { call, eventually, type CallOptions } from '../helpers/api';
import { TEST_SECRETS } from '../setup/secrets';

export const OPS_TOKEN = TEST_SECRETS.OPS_TOKEN;

export type Binding = 'INITIAL_BLOGGER_FETCH' | 'BLOGGER_BATCH' | 'BLOGGER_DAILY_FETCH' | 'NIGHTLY_REFRESH';
export const API_NAMES: Record<Binding, string> = {
  INITIAL_BLOGGER_FETCH: 'influtics-initial-blogger-fetch',
  BLOGGER_BATCH: 'influtics-blogger-batch',
  BLOGGER_DAILY_FETCH: 'influtics-blogger-daily-fetch',
  NIGHTLY_REFRESH: 'influtics-nightly-refresh',
};

/** A Supabase access token whose app_metadata carries an ops role (set by the service role in real life). */
export async function operatorJwt(role: string | null, userId: string = crypto.randomUUID()) {
  return new SignJWT({ email: `${userId.slice(0, 8)}@ops.test`, role: 'authenticated', app_metadata: role ? { provider: 'email', ops_role: role } : { provider: 'email' } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_SECRETS.SUPABASE_JWT_SECRET));
}

/** Calls the ops API as the ops-token holder (or with the given token). */
export const ops = <T = any>(method: string, path: string, opts: CallOptions = {}) => call<T>(method, `/ops/api${path}`, { token: OPS_TOKEN, ...opts });

/** The control API of test/fakes/cloudflare-api.mjs. */
const control = controlClient('Cloudflare API', 'cloudflareApiUrl');

export const fakeCloudflare = {
  reset: () => control('POST', 'reset'),
  outage: (status: number, times = 1) => control('POST', 'outage', { status, times }),
  calls: () => control('GET', 'calls') as Promise<{ method: string; path: string; authorization: string | null }[]>,
  putInstance: (workflow: string, id: string, detail: unknown) => control('PUT', `instances/${encodeURIComponent(workflow)}/${encodeURIComponent(id)}`, detail),
};

const iso = (ms: number) => new Date(ms).toISOString();
/** The engine names a step's occurrence `<name>-<n>` in its events; the REST API shows the name. */
const stepName = (s: string) => s.replace(/-\d+$/, '');

/**
 * What the engine really did in this instance, in the Workflows REST API's instance-detail shape:
 * the instance's own event history (binding `subscribe()`, the log the local explorer also reads),
 * served by the fake Cloudflare API so the ops detail route reads real steps and attempts.
 */
export async function mirrorToFakeCloudflare(binding: Binding, instanceId: string) {
  const instance = await (env[binding] as Workflow).get(instanceId);
  const status = await instance.status();
  const sub = await instance.subscribe();
  const events: WorkflowInstanceEvent[] = [];
  try {
    for (;;) {
      const next = await Promise.race([sub.next(), new Promise<{ done: true }>((r) => setTimeout(() => r({ done: true }), 300))]);
      if (next.done) break;
      events.push((next as IteratorYieldResult<WorkflowInstanceEvent>).value);
    }
  } finally {
    sub[Symbol.dispose]();
  }
  const detail: any = { status: status.status, params: null, queued: null, start: null, end: null, output: null, error: null, success: null, steps: [], trigger: { source: 'binding' }, versionId: 'fake-version' };
  const open = new Map<string, any>();
  for (const e of events) {
    const at = iso(e.timestamp);
    switch (e.type) {
      case 'workflow_queued':
        detail.queued ??= at;
        break;
      case 'workflow_started':
        detail.start ??= at;
        detail.params = e.params ?? detail.params;
        break;
      case 'workflow_completed':
        Object.assign(detail, { end: at, output: e.output ?? null, success: true });
        break;
      case 'workflow_errored':
        Object.assign(detail, { end: at, error: e.error, success: false });
        break;
      case 'workflow_terminated':
        detail.end = at;
        detail.steps.push({ type: 'termination', trigger: { source: 'api' } });
        break;
      case 'step_started': {
        const step = { type: 'step', name: stepName(e.stepName), start: at, end: null, success: null, output: null, config: e.config ?? null, attempts: [] as any[] };
        open.set(e.stepName, step);
        detail.steps.push(step);
        break;
      }
      case 'attempt_started':
        open.get(e.stepName)?.attempts.push({ start: at, end: null, success: null, error: null });
        break;
      case 'attempt_completed':
      case 'attempt_errored': {
        const a = open.get(e.stepName)?.attempts.at(-1);
        if (a) Object.assign(a, { end: at, success: e.type === 'attempt_completed', error: e.type === 'attempt_errored' ? e.error : null });
        break;
      }
      case 'step_completed':
      case 'step_errored': {
        const s = open.get(e.stepName);
        if (s) Object.assign(s, { end: at, success: e.type === 'step_completed', output: e.type === 'step_completed' ? (e.output ?? null) : null });
        open.delete(e.stepName);
        break;
      }
      case 'sleep_started':
        open.set(e.stepName, detail.steps[detail.steps.push({ type: 'sleep', name: stepName(e.stepName), start: at, end: null, finished: false, error: null }) - 1]);
        break;
      case 'sleep_completed':
        Object.assign(open.get(e.stepName) ?? {}, { end: at, finished: true });
        break;
      default:
        break;
    }
  }
  await fakeCloudflare.putInstance(API_NAMES[binding], instanceId, detail);
  return detail;
}

export async function liveStatus(binding: Binding, instanceId: string) {
  return (await (await (env[binding] as Workflow).get(instanceId)).status()).status;
}

export async function waitForLive(binding: Binding, instanceId: string, statuses: string[], timeoutMs = 30_000) {
  return eventually(async () => {
    const s = await liveStatus(binding, instanceId);
    return statuses.includes(s) ? s : undefined;
  }, { timeoutMs, intervalMs: 100 });
}
