import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { databaseError, isMissingUserReference } from '../db/errors';
import { DomainError, type DomainErrorCode } from '../domain/errors';

/** Every error the API answers with, and its HTTP status. One envelope for the whole API. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  organization_required: 400,
  unauthorized: 401,
  limit_exceeded: 402,
  forbidden: 403,
  not_a_member: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  internal_error: 500,
  bad_gateway: 502,
  service_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; request_id?: string };
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);

export function validationError(error: z.ZodError, where: 'body' | 'query' | 'param' | 'header' | string) {
  return new ApiError('validation_failed', `invalid request ${where}`, {
    issues: error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code })),
  });
}

export function errorResponse(c: Context, err: ApiError) {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  // a 429 says when to come back (rate limits, Google's quota), as RFC 9110 asks
  const retryAfter = (err.details as { retry_after_seconds?: unknown } | undefined)?.retry_after_seconds;
  if (err.code === 'rate_limited' && typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
  return c.json(body, err.status);
}

/** THE mapping of domain errors (src/domain/errors.ts) to the HTTP error envelope. */
const DOMAIN_ERROR_STATUS = {
  not_found: 'not_found',
  forbidden: 'forbidden',
  conflict: 'conflict',
  limit_exceeded: 'limit_exceeded',
  unprocessable: 'unprocessable',
  not_configured: 'service_unavailable',
} as const satisfies Record<DomainErrorCode, ErrorCode>;

export const domainErrorAsApiError = (err: DomainError) => new ApiError(DOMAIN_ERROR_STATUS[err.code], err.message, err.details);

/** app.onError: our errors as they are, domain errors by their code, Hono's as their status, anything else as a bare 500. */
export function handleError(err: Error, c: Context) {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof DomainError) return errorResponse(c, domainErrorAsApiError(err));
  // a JSON route sent another Content-Type (@hono/zod-openapi's 415): the body is invalid as before
  if (err instanceof HTTPException && err.status === 415) {
    return errorResponse(c, new ApiError('validation_failed', 'invalid request body: send JSON with Content-Type: application/json', { issues: [{ path: '', message: 'expected application/json' }] }));
  }
  if (err instanceof HTTPException) {
    const code = (Object.entries(ERROR_STATUS).find(([, s]) => s === err.status)?.[0] ?? 'bad_request') as ErrorCode;
    return errorResponse(c, new ApiError(code, err.message || code.replace(/_/g, ' ')));
  }
  const fromDatabase = databaseErrorAsApiError(err);
  if (fromDatabase) {
    // validation should have refused this input before the database did: worth a look
    console.warn(JSON.stringify({ level: 'warn', event: 'database_refused_input', method: c.req.method, path: c.req.path, answered: fromDatabase.code, sqlstate: databaseError(err)?.sqlstate, message: err.message }));
    return errorResponse(c, fromDatabase);
  }
  const requestId = c.get('requestId' as never) as string | undefined;
  console.error(JSON.stringify({ level: 'error', request_id: requestId, path: c.req.path, error: err.name, message: err.message, stack: err.stack }));
  return c.json({ error: { code: 'internal_error', message: 'internal error', request_id: requestId } } satisfies ErrorBody, 500);
}

/**
 * Postgres errors caused by what the caller sent, as 4xx (the last line of defence: validation in
 * src/domain/validation.ts refuses such input first). Anything else stays a 500.
 */
export function databaseErrorAsApiError(err: unknown): ApiError | undefined {
  const db = databaseError(err);
  if (!db) return undefined;
  if (isMissingUserReference(err)) {
    return new ApiError('unauthorized', 'the account this access token was issued for no longer exists', { reason: 'user_not_found' });
  }
  // class 22: data exception (invalid text representation, NUL / bad Unicode, date out of range, …)
  if (db.sqlstate.startsWith('22')) return new ApiError('validation_failed', 'a value in the request cannot be stored', { reason: 'invalid_value' });
  // the database's own quota guard on tracking (20261203050000_roles_in_the_database.sql)
  if (db.sqlstate === '23514' && (db.constraint === 'max_tracked_videos' || db.constraint === 'max_tracked_bloggers')) {
    return new ApiError('limit_exceeded', `limit ${db.constraint} reached`, { limit: db.constraint });
  }
  if (db.sqlstate === '23514') return new ApiError('validation_failed', 'a value in the request is not allowed', { reason: 'check_violation' });
  if (db.sqlstate === '23505') return new ApiError('conflict', 'this already exists', { reason: 'duplicate' });
  if (db.sqlstate === '23503') return new ApiError('conflict', 'this refers to something that does not exist (any more)', { reason: 'missing_reference' });
  // 42501: the database's roles and policies refused a write the HTTP checks let through
  if (db.sqlstate === '42501') return new ApiError('forbidden', 'your role does not allow this');
  return undefined;
}
