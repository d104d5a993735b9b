import { Validator, type Schema } from '@cfworker/json-schema';
import { app } from '../../src/http/app';
import { apiDocuments } from '../../src/http/openapi/document';

/**
 * Every response a test receives is checked against the OpenAPI document (src/http/openapi):
 * the status must be declared for the operation, a JSON body must match the declared schema
 * (objects closed: a field the document does not declare fails too), and a non-JSON answer (xlsx,
 * html) must carry the declared content type. test/helpers/api.ts#call and test/helpers/worker.ts
 * run it on every request, so a response that drifts from the contract fails the test that saw it.
 */

/**
 * Route modules not yet declared with defineRoute (src/http/openapi/route.ts): their responses
 * are not checked yet. test/contract/route-table.test.ts keeps this list honest (every prefix here
 * still has undeclared routes, every undeclared route is under one of them). It only shrinks.
 */
export const NOT_YET_DECLARED: string[] = [];

/** Served by the app but not operations of the API: the documents, the reference page, the health probe. */
export const OUTSIDE_THE_DOCUMENT = [
  'GET /openapi.json', 'GET /ops/openapi.json', 'GET /docs', 'GET /docs/assets/scalar.js', 'GET /docs/assets/docs.js', 'GET /health',
  // the ops page shell and its scripts (it asks for the token; the data comes from /ops/api)
  'GET /ops', 'GET /ops/assets/ops.js', 'GET /ops/assets/chart.umd.min.js',
];

type Doc = ReturnType<typeof apiDocuments>['api'];
interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  literalSegments: number;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  doc: Doc;
}

let operations: Operation[] | undefined;

function allOperations(): Operation[] {
  if (operations) return operations;
  const docs = apiDocuments(app);
  operations = [];
  for (const doc of [docs.api, docs.ops]) {
    for (const [template, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, any>)) {
        if (!op || typeof op !== 'object' || !('responses' in op)) continue;
        const regex = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
        const literalSegments = template.split('/').filter((s) => s && !s.startsWith('{')).length;
        operations.push({ method: method.toUpperCase(), template, regex, literalSegments, responses: op.responses, doc });
      }
    }
  }
  return operations;
}

/** The declared operation a request reaches (the most literal template wins, as in the router). */
export function operationFor(method: string, path: string): Operation | undefined {
  const matches = allOperations().filter((o) => o.method === method && o.regex.test(path));
  return matches.sort((a, b) => b.literalSegments - a.literalSegments)[0];
}

const appRoutePattern = (p: string) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}$`);
/** The NOT_YET_DECLARED entry (a path prefix, `:params` allowed) a path falls under. */
export const undeclaredModuleOf = (path: string) =>
  NOT_YET_DECLARED.find((prefix) => new RegExp(`^${prefix.replace(/[.]/g, '\\.').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}(/|$)`).test(path));
const isUndeclaredModule = (path: string) => undeclaredModuleOf(path) !== undefined;

/** Objects without additionalProperties become closed: an undeclared field in a response is drift. */
function closeObjects(schema: unknown, inComposition = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => closeObjects(s, inComposition));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'allOf' ? closeObjects(v, true) : k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closeObjects(s)])) : closeObjects(v);
  }
  if (out.type === 'object' && out.properties && !('additionalProperties' in out) && !inComposition) out.additionalProperties = false;
  return out;
}

const validators = new Map<unknown, Validator>();
function validatorFor(schema: unknown, doc: Doc): Validator {
  let v = validators.get(schema);
  if (!v) {
    const closed = closeObjects({ ...(schema as object), components: doc.components }) as Schema;
    v = new Validator(closed, '2020-12', false);
    validators.set(schema, v);
  }
  return v;
}

export interface SeenResponse {
  status: number;
  contentType: string;
  text: string;
}

/** Throws when the response does not match what the document declares for the request. */
export function checkAgainstContract(method: string, url: string, res: SeenResponse): void {
  const path = new URL(url, 'http://influtics.test').pathname;
  const where = `${method} ${path} answered ${res.status}`;
  if (OUTSIDE_THE_DOCUMENT.includes(`${method} ${path}`)) return;
  // CORS preflights are answered by the CORS middleware for every path (test/http/cors.test.ts),
  // not by a route: OpenAPI documents the routes, not the browser's permission check.
  if (method === 'OPTIONS') return;
  const op = operationFor(method, path);
  if (!op) {
    if (isUndeclaredModule(path)) return;
    const isRoute = app.routes.some((r) => r.method !== 'ALL' && !r.path.includes('*') && r.method === method && appRoutePattern(r.path).test(path));
    if (isRoute) throw new Error(`contract: ${where}, but the route is not in the OpenAPI document (declare it with defineRoute)`);
    // no such route: the app's 404 envelope (or 401 when a guard's prefix covers the path, 403 when
    // the ops guard refuses a user without an ops role before routing)
    const body = safeJson(res.text) as { error?: { code?: string } } | undefined;
    const guarded = res.status === 401 || (res.status === 403 && path.startsWith('/ops/'));
    if ((res.status !== 404 && !guarded) || !body?.error?.code) throw new Error(`contract: ${where} for a path no route serves: ${res.text.slice(0, 200)}`);
    return;
  }
  const status = String(res.status);
  const response = op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default;
  if (!response) {
    throw new Error(`contract: ${where}, which ${op.method} ${op.template} does not declare (declared: ${Object.keys(op.responses).join(', ')}): ${res.text.slice(0, 300)}`);
  }
  const content = response.content ?? {};
  const declaredTypes = Object.keys(content);
  if (declaredTypes.length === 0) {
    if (res.text.length > 0) throw new Error(`contract: ${where} with a body, but the document declares none`);
    return;
  }
  const mediaType = res.contentType.split(';')[0]!.trim().toLowerCase();
  const declared = content[mediaType];
  if (!declared) throw new Error(`contract: ${where} with content type '${res.contentType}', declared: ${declaredTypes.join(', ')}`);
  if (mediaType !== 'application/json' || !declared.schema) return;
  const body = safeJson(res.text);
  if (body === undefined) throw new Error(`contract: ${where} with content type JSON but a body that is not JSON: ${res.text.slice(0, 200)}`);
  const result = validatorFor(declared.schema, op.doc).validate(body);
  if (!result.valid) {
    const errors = result.errors
      .filter((e) => e.keyword !== 'properties' && e.keyword !== '$ref' && e.keyword !== 'items' && e.keyword !== 'allOf' && e.keyword !== 'anyOf')
      .slice(0, 8)
      .map((e) => `${e.instanceLocation}: ${e.error}`);
    throw new Error(`contract: ${where}, whose body does not match ${op.method} ${op.template} ${status}:\n  ${(errors.length ? errors : result.errors.slice(0, 8).map((e) => `${e.instanceLocation}: ${e.error}`)).join('\n  ')}\nbody: ${res.text.slice(0, 500)}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
