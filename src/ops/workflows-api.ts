import { z } from 'zod';
import type { WorkflowsApiTarget } from './config';

/**
 * A client for the Workflows REST API shape — `GET {base}/workflows/{name}/instances/{id}` — which
 * Cloudflare serves at api.cloudflare.com/client/v4/accounts/{account} and `wrangler dev` serves
 * for its local instances at /cdn-cgi/local/explorer/api. The binding gives live status and actions;
 * only this API gives the step history (steps, attempts, timings, outputs, errors).
 */

const ErrorShape = z.preprocess(
  (v) => (typeof v === 'string' ? { name: 'Error', message: v } : v),
  z.object({ name: z.string().catch('Error'), message: z.string().catch('') }),
);
const optionalError = ErrorShape.nullable().optional().catch(null);
const timestamp = z.string().nullable().optional().catch(null);

const Attempt = z.object({
  start: timestamp,
  end: timestamp,
  success: z.boolean().nullable().optional().catch(null),
  error: optionalError,
});

const Step = z.object({
  type: z.string().catch('step'),
  name: z.string().optional(),
  start: timestamp,
  end: timestamp,
  success: z.boolean().nullable().optional().catch(null),
  finished: z.boolean().optional().catch(undefined),
  attempts: z.array(Attempt).optional().catch(undefined),
  output: z.unknown().optional(),
  error: optionalError,
  config: z.unknown().optional(),
  trigger: z.object({ source: z.string() }).partial().optional().catch(undefined),
});

export const InstanceDetail = z.object({
  status: z.string(),
  params: z.unknown().optional(),
  queued: timestamp,
  start: timestamp,
  end: timestamp,
  output: z.unknown().optional(),
  error: optionalError,
  steps: z.array(Step).default([]),
});
export type InstanceDetail = z.infer<typeof InstanceDetail>;

const Envelope = z.object({
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number().optional(), message: z.string() }).passthrough()).default([]),
  result: z.unknown(),
});

export class WorkflowsApiError extends Error {
  override name = 'WorkflowsApiError';
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

export interface WorkflowsApi {
  source: string;
  getInstance(workflowName: string, instanceId: string): Promise<InstanceDetail>;
}

export function workflowsApi(target: Extract<WorkflowsApiTarget, { available: true }>, fetcher: typeof fetch = fetch): WorkflowsApi {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  const get = async (path: string) => {
    let res: Response;
    try {
      res = await fetcher(`${target.baseUrl}${path}`, { headers, signal: AbortSignal.timeout(8_000) });
    } catch (err) {
      throw new WorkflowsApiError(`Workflows API unreachable (${target.source}): ${err instanceof Error ? err.message : String(err)}`, null);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WorkflowsApiError(`Workflows API answered ${res.status} without JSON (${target.source})`, res.status);
    }
    const env = Envelope.safeParse(body);
    if (!env.success) throw new WorkflowsApiError(`Workflows API answered ${res.status} in an unexpected shape`, res.status);
    if (!res.ok || !env.data.success) {
      const message = env.data.errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join('; ') || `HTTP ${res.status}`;
      throw new WorkflowsApiError(`Workflows API answered ${res.status}: ${message}`, res.status);
    }
    return env.data.result;
  };
  return {
    source: target.source,
    async getInstance(workflowName, instanceId) {
      const result = await get(`/workflows/${encodeURIComponent(workflowName)}/instances/${encodeURIComponent(instanceId)}`);
      const parsed = InstanceDetail.safeParse(result);
      if (!parsed.success) throw new WorkflowsApiError(`instance detail in an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 200);
      return parsed.data;
    },
  };
}

// Timeline ---------------------------------------------------------------------------------------

export interface TimelineAttempt {
  attempt: number;
  start: string | null;
  end: string | null;
  duration_ms: number | null;
  success: boolean | null;
  error: { name: string; message: string } | null;
}

export interface TimelineStep {
  index: number;
  name: string;
  /** 1-based occurrence of this name in the run (a name repeated in a loop), as restart `from.count` takes it */
  count: number;
  type: string;
  /** complete | errored | running | sleeping | waiting | terminated */
  state: string;
  start: string | null;
  end: string | null;
  duration_ms: number | null;
  attempts: TimelineAttempt[];
  error: { name: string; message: string } | null;
  /** the step's output as JSON, cut to OUTPUT_PREVIEW_CHARS */
  output_preview: string | null;
  output_truncated: boolean;
}

export const OUTPUT_PREVIEW_CHARS = 2_000;

const ms = (start: string | null | undefined, end: string | null | undefined) => {
  if (!start || !end) return null;
  const d = Date.parse(end) - Date.parse(start);
  return Number.isFinite(d) ? Math.max(0, d) : null;
};

function preview(output: unknown): { output_preview: string | null; output_truncated: boolean } {
  if (output === undefined) return { output_preview: null, output_truncated: false };
  const text = typeof output === 'string' ? output : JSON.stringify(output) ?? 'null';
  return text.length > OUTPUT_PREVIEW_CHARS
    ? { output_preview: text.slice(0, OUTPUT_PREVIEW_CHARS), output_truncated: true }
    : { output_preview: text, output_truncated: false };
}

/**
 * The step history as operators read it: one row per step, its attempts, timings and error.
 * wrangler dev's explorer names a step by its engine key `<name>-<occurrence>`; the Cloudflare API by
 * its name. Both become `name` + `count`, what `restart({ from: { name, count } })` takes.
 */
export function toTimeline(detail: InstanceDetail, opts: { engineKeys?: boolean } = {}): TimelineStep[] {
  const seen = new Map<string, number>();
  return detail.steps.map((s, index) => {
    if (s.type === 'termination') {
      return { index, name: `terminated (${s.trigger?.source ?? 'unknown'})`, count: 1, type: s.type, state: 'terminated', start: null, end: null, duration_ms: null, attempts: [], error: null, output_preview: null, output_truncated: false };
    }
    let name = s.name ?? s.type;
    let count: number;
    const key = opts.engineKeys ? /^(.*)-(\d+)$/.exec(name) : null;
    if (key) {
      name = key[1]!;
      count = Number(key[2]);
    } else {
      count = (seen.get(`${s.type}:${name}`) ?? 0) + 1;
      seen.set(`${s.type}:${name}`, count);
    }
    const attempts: TimelineAttempt[] = (s.attempts ?? []).map((a, i) => ({
      attempt: i + 1,
      start: a.start ?? null,
      end: a.end ?? null,
      duration_ms: ms(a.start, a.end),
      success: a.success ?? null,
      error: a.error ?? null,
    }));
    const lastError = s.error ?? [...attempts].reverse().find((a) => a.error)?.error ?? null;
    const finished = s.type === 'step' ? s.success !== null && s.success !== undefined : Boolean(s.finished ?? s.end);
    const state =
      s.type === 'step'
        ? s.success === true ? 'complete' : s.success === false ? 'errored' : 'running'
        : s.type === 'sleep' ? (finished ? 'complete' : 'sleeping')
        : s.type === 'waitForEvent' ? (lastError ? 'errored' : finished ? 'complete' : 'waiting')
        : finished ? 'complete' : 'running';
    return {
      index,
      name,
      count,
      type: s.type,
      state,
      start: s.start ?? null,
      end: s.end ?? null,
      duration_ms: ms(s.start, s.end),
      attempts,
      error: state === 'complete' ? null : lastError,
      ...preview(s.type === 'step' && s.success ? s.output : undefined),
    };
  });
}
