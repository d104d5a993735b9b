import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Env as HonoEnv } from 'hono';
import type { z } from 'zod';
import { validationError, type ErrorCode } from '../errors';
import type { AppEnv } from '../context';
import { errorResponses } from './errors';

/**
 * Who may call a route, which decides its security, headers and the errors it can answer:
 * - `public`: no credentials (health, shared reports, the docs);
 * - `user`: a Supabase access token (acts for the user, before any organization);
 * - `tenant`: a token and the organization the request acts for (`X-Organization-Id`);
 * - `ops`: an operator (the ops token or an ops role): the ops API, in its own document.
 * The access is declared here for the document; the guard itself comes from where the router is
 * mounted (src/http/mount.ts), and test/contract/route-table.test.ts checks both agree.
 */
export type Access = 'public' | 'user' | 'tenant' | 'ops';

/** Request validation failures in the API's envelope (400 validation_failed), for every route. */
export const defaultHook = (result: { success: boolean; error?: unknown; target: string }) => {
  if (!result.success) throw validationError(result.error as z.ZodError, result.target);
};

/** A router whose routes are declared with `defineRoute` and validated with the API's envelope. */
export const router = <E extends HonoEnv = AppEnv>() => new OpenAPIHono<E>({ defaultHook: defaultHook as never });

export const ORGANIZATION_HEADER = {
  name: 'X-Organization-Id',
  in: 'header',
  required: false,
  description:
    'The organization the request acts for (a UUID). May be left out when you belong to exactly one; the `organization_id` query parameter is accepted instead.',
  schema: { type: 'string', format: 'uuid' },
  example: '5b0c3d7e-2f9a-4c1b-9e2d-7a6f1c3b8e10',
} as const;

const SECURITY: Record<Access, Record<string, string[]>[]> = {
  public: [],
  user: [{ bearerAuth: [] }],
  tenant: [{ bearerAuth: [] }],
  ops: [{ opsToken: [] }],
};

const ACCESS_ERRORS: Record<Access, ErrorCode[]> = {
  public: [],
  user: ['unauthorized', 'rate_limited'],
  // (validation_failed: the organization header or query parameter is not a UUID)
  tenant: ['unauthorized', 'not_a_member', 'organization_required', 'validation_failed', 'rate_limited'],
  ops: ['unauthorized', 'forbidden'],
};

export type RouteOptions = {
  /** Codes the handler itself can answer with (validation, auth and 500 are added from the route). */
  errors?: ErrorCode[];
};

/**
 * One route, declared once: its params, query, body and every response. Adds what follows from its
 * access (security, the organization header, 401/403) and from having input (400
 * validation_failed), and makes a JSON body required so it is always validated (a request without
 * Content-Type is validated as `{}`, as before).
 */
export function defineRoute<const R extends RouteConfig>(access: Access, config: R, options: RouteOptions = {}): R & { getRoutingPath(): string } {
  const request = config.request;
  const codes = new Set<ErrorCode>([...ACCESS_ERRORS[access], ...(options.errors ?? []), 'internal_error']);
  if (request && (request.params || request.query || request.body || request.headers)) codes.add('validation_failed');
  if (request?.body) codes.add('bad_request');
  const errors = errorResponses(codes);
  const declared = config.responses as Record<string, unknown>;
  const responses: Record<string, unknown> = { ...errors };
  for (const [status, response] of Object.entries(declared)) responses[status] = response;
  const body = request?.body ? { ...request.body, required: true } : undefined;
  return createRoute({
    ...config,
    ...(body ? { request: { ...request, body } } : {}),
    security: SECURITY[access],
    parameters: [...((config as { parameters?: unknown[] }).parameters ?? []), ...(access === 'tenant' ? [ORGANIZATION_HEADER] : [])],
    responses,
    'x-access': access,
  } as unknown as R) as R & { getRoutingPath(): string };
}

/** `{ 'application/json': { schema } }` with a description: the usual success response. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({ content: { 'application/json': { schema } }, description }) as const;
export const jsonBody = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } }) as const;
