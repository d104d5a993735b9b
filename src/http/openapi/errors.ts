import { z } from '@hono/zod-openapi';
import { ERROR_STATUS, type ErrorCode } from '../errors';

/**
 * The error envelope every route answers with, `{error:{code,message,details?}}`, as OpenAPI
 * responses: one response per status, whose `code` is restricted to the codes that status carries
 * for the route (src/http/errors.ts ERROR_STATUS maps each code to its status).
 */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

const MESSAGES: Record<ErrorCode, string> = {
  bad_request: 'The request could not be read (e.g. malformed JSON).',
  validation_failed: 'A parameter, query field or body field is invalid; `details.issues` names each one.',
  organization_required: 'You belong to several organizations: name one with `X-Organization-Id`.',
  unauthorized: 'No bearer token, or an invalid, expired or foreign one.',
  limit_exceeded: 'A plan limit would be exceeded; `details.limit` names it.',
  forbidden: 'Your role does not allow this.',
  not_a_member: 'You are not a member of the organization named (or of any).',
  not_found: 'The object does not exist, or belongs to another organization.',
  conflict: 'The request conflicts with the current state (duplicate name, wrong state).',
  payload_too_large: 'The upload or body is too large.',
  unprocessable: 'The request is well-formed but cannot be carried out.',
  rate_limited: 'Too many requests; retry after `Retry-After` seconds.',
  internal_error: 'An unexpected error; quote `request_id` when reporting it.',
  bad_gateway: 'An upstream service (platform API, Google, …) failed.',
  service_unavailable: 'A dependency is unavailable; retry later.',
};

/** The envelope for a set of codes (all codes when none are given). */
export function errorEnvelope(codes: readonly ErrorCode[] = ERROR_CODES) {
  const first = codes[0] ?? 'internal_error';
  return z
    .object({
      error: z.object({
        code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
        message: z.string(),
        details: z.unknown().optional(),
        request_id: z.string().optional(),
      }),
    })
    .openapi({ example: { error: { code: first, message: MESSAGES[first] } } });
}

/** OpenAPI responses for error codes, grouped by the status each code answers with. */
export function errorResponses(codes: Iterable<ErrorCode>) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, { description: string; content: { 'application/json': { schema: ReturnType<typeof errorEnvelope> } } }> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${MESSAGES[c]}`).join(' '),
      content: { 'application/json': { schema: errorEnvelope(list) } },
    };
  }
  return responses;
}
