import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { opsConfig } from '../../ops/config';
import { requireUser } from '../auth';
import { ApiError } from '../errors';
import type { AppEnv } from '../context';

/**
 * Operators are not organization members: they are the holders of the OPS_TOKEN secret, or Supabase
 * users whose `app_metadata.ops_role` is set (app_metadata is writable by the service role only, so a
 * user cannot grant it to themselves).
 *
 *   admin, operator   read everything and act (pause, resume, terminate, restart, start scheduled)
 *   viewer            read only
 */
export const OPS_ROLES = ['admin', 'operator', 'viewer'] as const;
export type OpsRole = (typeof OPS_ROLES)[number];

export interface Operator {
  /** what the audit log records: `ops-token` or `user:<uuid>` */
  actor: string;
  role: OpsRole;
  via: 'ops_token' | 'jwt';
  email: string | null;
}

export interface OpsEnv {
  Bindings: Env;
  Variables: AppEnv['Variables'] & { operator: Operator };
}

const encoder = new TextEncoder();

/** Constant-time comparison: both sides are hashed first, so neither content nor length leaks. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest('SHA-256', encoder.encode(given)), crypto.subtle.digest('SHA-256', encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

const OpsClaims = z.object({ app_metadata: z.object({ ops_role: z.enum(OPS_ROLES) }) });

/** 401 without a valid credential; 403 for a valid user token that carries no ops role. */
export const requireOperator = createMiddleware<OpsEnv>(async (c, next) => {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!match?.[1]) throw new ApiError('unauthorized', 'missing bearer token: send Authorization: Bearer <OPS_TOKEN or an operator access token>');
  const token = match[1];
  const { OPS_TOKEN } = opsConfig(c.env);
  if (OPS_TOKEN && (await sameSecret(token, OPS_TOKEN))) {
    c.set('operator', { actor: 'ops-token', role: 'admin', via: 'ops_token', email: null });
    return next();
  }
  // Not the ops token: it must be a Supabase access token (requireUser answers 401 otherwise).
  await requireUser(c as never, async () => {});
  const user = c.get('user');
  const claims = OpsClaims.safeParse(user.claims);
  if (!claims.success) throw new ApiError('forbidden', 'operators only: this account has no ops role');
  c.set('operator', { actor: `user:${user.id}`, role: claims.data.app_metadata.ops_role, via: 'jwt', email: user.email });
  await next();
});

/** Actions (anything that changes a run, a dead letter or an organization) need an acting role; viewers get 403. */
export const requireActingOperator = createMiddleware<OpsEnv>(async (c, next) => {
  if (c.get('operator').role === 'viewer') throw new ApiError('forbidden', 'your ops role (viewer) may read but not act');
  await next();
});

/** Changing what an organization may use (limit overrides, plan) is for the admin ops role only. */
export const requireAdminOperator = createMiddleware<OpsEnv>(async (c, next) => {
  if (c.get('operator').role !== 'admin') throw new ApiError('forbidden', `your ops role (${c.get('operator').role}) may not change limits or plans: admin only`);
  await next();
});
