import { env } from 'cloudflare:test';
import { eventually } from './api';

type Binding = 'INITIAL_BLOGGER_FETCH' | 'BLOGGER_BATCH' | 'BLOGGER_DAILY_FETCH' | 'NIGHTLY_REFRESH';

/** Waits until the instance reaches a final status and returns it (through the real binding). */
export async function waitForWorkflow(binding: Binding, instanceId: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const status = await (env[binding] as Workflow).get(instanceId).then((i) => i.status());
    return ['complete', 'errored', 'terminated'].includes(status.status) ? status : undefined;
  }, { timeoutMs, intervalMs: 200 });
}
