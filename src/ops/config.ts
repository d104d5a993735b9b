import { configSection } from '../env';

/**
 * What the ops dashboard reads from the Worker's env: its part of the one config schema (src/env.ts).
 *
 *   OPS_TOKEN                 secret: `Authorization: Bearer <OPS_TOKEN>` makes the caller an operator
 *   CLOUDFLARE_API_BASE_URL   var: the Workflows REST API root, up to (not including) `/workflows`;
 *                             `{account_id}` is replaced by CLOUDFLARE_ACCOUNT_ID. Empty = automatic:
 *                             the Cloudflare API when CLOUDFLARE_ACCOUNT_ID is set, else wrangler dev's
 *                             local explorer on the origin that received the request (loopback only).
 *   CLOUDFLARE_ACCOUNT_ID     secret
 *   CLOUDFLARE_API_TOKEN      secret: a token with Workers Scripts Read (or Workers Tail Read)
 */
const KEYS = ['OPS_TOKEN', 'CLOUDFLARE_API_BASE_URL', 'CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_API_TOKEN'] as const;

/** The ops part of the one config schema (src/env.ts); unset values as null. */
export function opsConfig(env: Env) {
  const c = configSection(env, KEYS, 'ops');
  return {
    OPS_TOKEN: c.OPS_TOKEN ?? null,
    CLOUDFLARE_API_BASE_URL: c.CLOUDFLARE_API_BASE_URL ?? null,
    CLOUDFLARE_ACCOUNT_ID: c.CLOUDFLARE_ACCOUNT_ID ?? null,
    CLOUDFLARE_API_TOKEN: c.CLOUDFLARE_API_TOKEN ?? null,
  };
}
export type OpsConfig = ReturnType<typeof opsConfig>;

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';
/** Where `wrangler dev` serves the Workflows REST API shape for its local instances. */
export const LOCAL_EXPLORER_API_PATH = '/cdn-cgi/local/explorer/api';

export type WorkflowsApiTarget =
  | { available: true; baseUrl: string; token: string | null; source: 'configured' | 'cloudflare' | 'local-explorer' }
  | { available: false; reason: string };

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Which Workflows REST API the step detail comes from, for a request received at `requestUrl`. */
export function workflowsApiTarget(env: Env, requestUrl: string): WorkflowsApiTarget {
  const c = opsConfig(env);
  if (c.CLOUDFLARE_API_BASE_URL) {
    if (c.CLOUDFLARE_API_BASE_URL.includes('{account_id}') && !c.CLOUDFLARE_ACCOUNT_ID) {
      return { available: false, reason: 'CLOUDFLARE_API_BASE_URL names {account_id} but CLOUDFLARE_ACCOUNT_ID is not set' };
    }
    return { available: true, baseUrl: c.CLOUDFLARE_API_BASE_URL.replace('{account_id}', c.CLOUDFLARE_ACCOUNT_ID ?? ''), token: c.CLOUDFLARE_API_TOKEN, source: 'configured' };
  }
  if (c.CLOUDFLARE_ACCOUNT_ID) {
    if (!c.CLOUDFLARE_API_TOKEN) return { available: false, reason: 'CLOUDFLARE_ACCOUNT_ID is set but CLOUDFLARE_API_TOKEN is not' };
    return { available: true, baseUrl: `${CLOUDFLARE_API}/accounts/${encodeURIComponent(c.CLOUDFLARE_ACCOUNT_ID)}`, token: c.CLOUDFLARE_API_TOKEN, source: 'cloudflare' };
  }
  const url = new URL(requestUrl);
  if (isLoopback(url.hostname)) return { available: true, baseUrl: `${url.origin}${LOCAL_EXPLORER_API_PATH}`, token: null, source: 'local-explorer' };
  return { available: false, reason: 'step detail is not configured: set the CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN secrets' };
}
