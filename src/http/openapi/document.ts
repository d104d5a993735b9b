import type { OpenAPIHono } from '@hono/zod-openapi';

/**
 * The OpenAPI 3.1 documents, generated from the routes' own declarations (src/http/openapi/route.ts):
 * the product API at /openapi.json and the operators' API (/ops/api/*) at /ops/openapi.json.
 * Built once per isolate: routes do not change after startup.
 */
type Document = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

const SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Supabase access token (`Authorization: Bearer <access_token>`): the session of a signed-in user.',
  },
  opsToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The operators’ token (`OPS_API_TOKEN`), or the Supabase access token of a user with an ops role.',
  },
} as const;

const API_DESCRIPTION = `The Influtics API: track TikTok, Instagram and YouTube videos and bloggers, group them in campaigns, import and export spreadsheets, schedule reports and alerts.

**Authentication.** Send a Supabase access token as \`Authorization: Bearer <token>\`. Routes that act for an organization take \`X-Organization-Id\` (optional when you belong to exactly one).

**Errors.** Every error is \`{"error":{"code","message","details"}}\`; each operation lists the codes it can answer with. Another organization's objects answer 404, never 403.

**Pagination.** Lists answer \`{data, next_cursor}\`; pass \`next_cursor\` back as \`cursor\`.`;

let cache: { api: Document; ops: Document } | undefined;

export function apiDocuments(app: OpenAPIHono<any>): { api: Document; ops: Document } {
  if (cache) return cache;
  const full = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Influtics API', version: '1', description: API_DESCRIPTION },
    servers: [{ url: '/', description: 'this deployment' }],
  });
  const components = { ...full.components, securitySchemes: SECURITY_SCHEMES };
  const split = (ops: boolean) => Object.fromEntries(Object.entries(full.paths ?? {}).filter(([path]) => path.startsWith('/ops/') === ops));
  cache = {
    api: { ...full, paths: split(false), components },
    ops: {
      ...full,
      info: { title: 'Influtics ops API', version: '1', description: 'Operators only: workflow runs, dead letters, organizations’ limits and plans, notifications. Authenticate with the ops token or an ops role.' },
      paths: split(true),
      components,
    },
  };
  return cache;
}
