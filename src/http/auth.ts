import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { appConfig } from '../env';
import { listMemberships } from '../db/organizations';
import { asUser } from '../db/client';
import { ApiError } from './errors';
import type { AppEnv } from './context';
import type { OrgRole } from '../domain/roles';

const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

async function verifyAccessToken(env: Env, token: string): Promise<JWTPayload> {
  const config = appConfig(env);
  const options = { audience: 'authenticated', ...(config.SUPABASE_JWT_ISSUER ? { issuer: config.SUPABASE_JWT_ISSUER } : {}) };
  if (config.SUPABASE_JWKS_URL) {
    let jwks = jwksByUrl.get(config.SUPABASE_JWKS_URL);
    if (!jwks) jwksByUrl.set(config.SUPABASE_JWKS_URL, (jwks = createRemoteJWKSet(new URL(config.SUPABASE_JWKS_URL))));
    return (await jwtVerify(token, jwks, options)).payload;
  }
  const key = new TextEncoder().encode(config.SUPABASE_JWT_SECRET);
  return (await jwtVerify(token, key, { ...options, algorithms: ['HS256'] })).payload;
}

const ClaimsSchema = z.object({ sub: z.uuid(), email: z.string().optional() });

/** Verifies the Supabase access token and sets `user`. 401 for a missing, malformed or expired token. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  // idempotent: a path under two mounted groups (src/http/mount.ts) is checked once
  if (c.get('user')) return next();
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new ApiError('unauthorized', 'missing bearer token: send Authorization: Bearer <Supabase access token>');
  let payload: JWTPayload;
  try {
    payload = await verifyAccessToken(c.env, match[1]);
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : 'invalid';
    throw new ApiError('unauthorized', reason === 'ERR_JWT_EXPIRED' ? 'access token expired' : 'invalid access token', { reason });
  }
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) throw new ApiError('unauthorized', 'access token has no user subject');
  c.set('user', { id: claims.data.sub, email: claims.data.email ?? null, claims: payload as Record<string, unknown> });
  await next();
});

const OrgIdSchema = z.uuid();

/**
 * Resolves the organization the request acts for: `X-Organization-Id` header, else the
 * `organization_id` query parameter, else the caller's only organization.
 */
export const requireOrganization = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get('org')) return next();
  const user = c.get('user');
  const requested = c.req.header('x-organization-id') ?? c.req.query('organization_id');
  if (requested !== undefined && !OrgIdSchema.safeParse(requested).success) {
    throw new ApiError('validation_failed', 'organization id must be a UUID', { issues: [{ path: 'organization_id', message: 'Invalid UUID' }] });
  }
  const memberships = await asUser(c.get('sql'), user.claims, (tx) => listMemberships(tx, user.id));
  let chosen: { organization_id: string; role: OrgRole } | undefined;
  if (requested) {
    chosen = memberships.find((m) => m.organization_id === requested);
    if (!chosen) throw new ApiError('not_a_member', 'you are not a member of this organization');
  } else if (memberships.length === 1) {
    chosen = memberships[0];
  } else if (memberships.length === 0) {
    throw new ApiError('not_a_member', 'you are not a member of any organization');
  } else {
    throw new ApiError('organization_required', 'you belong to several organizations: choose one with the X-Organization-Id header', {
      organizations: memberships.map((m) => m.organization_id),
    });
  }
  c.set('org', { id: chosen!.organization_id, role: chosen!.role });
  await next();
});
