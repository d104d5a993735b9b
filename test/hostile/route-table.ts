/// <reference types="vite/client" />
import { z } from 'zod';
import { app } from '../../src/http/app';
import { MOUNTED_ROUTES } from '../../src/http/mount';

/**
 * The routes the fuzz suite attacks, read from the app's own route table (Hono `app.routes`), so
 * a route added later is attacked without anyone editing a list here. Middleware registrations
 * (method ALL, paths ending in `*`) are not endpoints.
 */
export interface Endpoint {
  method: string;
  path: string;
  /** the `:name` path parameters, in order */
  params: string[];
}

export function endpoints(): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const key = `${r.method} ${r.path}`;
    if (!seen.has(key)) seen.set(key, { method: r.method, path: r.path, params: [...r.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!) });
  }
  return [...seen.values()];
}

/**
 * Every route mounted as a tenant route (src/http/mount.ts): the list the cross-organization suites
 * (test/security/auth.test.ts, test/contract/route-table.test.ts) attack, derived from the app, so a
 * tenant route added later is covered without editing a list.
 */
export function tenantRoutes(): Endpoint[] {
  const tenant = new Set(MOUNTED_ROUTES.filter((m) => m.access === 'tenant').map((m) => `${m.method} ${m.path}`));
  return endpoints().filter((r) => tenant.has(`${r.method} ${r.path}`));
}

/** A path with each `:param` replaced by a fresh UUID (nobody's object). */
export const concrete = (path: string) => path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, () => crypto.randomUUID());

/**
 * The only routes allowed to answer something other than JSON when they succeed: the ops page and
 * its scripts, and the file downloads (xlsx). Their errors must still be the JSON envelope.
 */
export const NON_JSON_ROUTES = new Set([
  'GET /ops', 'GET /ops/assets/ops.js', 'GET /ops/assets/chart.umd.min.js',
  'GET /imports/excel/template', 'GET /imports/:id/file', 'GET /exports/videos.xlsx', 'GET /campaigns/:id/export.xlsx',
  'GET /reports/runs/:id/file', 'GET /shared/reports/:token', 'GET /shared/reports/:token/file',
  'GET /docs', 'GET /docs/assets/scalar.js', 'GET /docs/assets/docs.js',
]);

/**
 * Field names and enum values the API's schemas know, harvested from every zod schema exported by
 * src/http/** (and the shared value types), so generated bodies and queries use the API's own
 * vocabulary and reach the checks behind the first one. New schemas are picked up automatically.
 */
export interface Vocabulary {
  keys: string[];
  enumValues: string[];
}

export function harvestVocabulary(): Vocabulary {
  const modules = import.meta.glob(['../../src/http/**/*.ts', '../../src/domain/**/*.ts'], { eager: true }) as Record<string, Record<string, unknown>>;
  const keys = new Set<string>();
  const enumValues = new Set<string>();
  const visited = new Set<unknown>();
  const walk = (schema: unknown, depth: number) => {
    if (!(schema instanceof z.ZodType) || visited.has(schema) || depth > 12) return;
    visited.add(schema);
    const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
    switch (def.type) {
      case 'object':
        for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
          keys.add(k);
          walk(v, depth + 1);
        }
        break;
      case 'enum':
        for (const v of Object.values(def.entries as Record<string, unknown>)) if (typeof v === 'string') enumValues.add(v);
        break;
      case 'literal':
        for (const v of def.values as unknown[]) if (typeof v === 'string') enumValues.add(v);
        break;
      case 'pipe':
        walk(def.in, depth + 1);
        walk(def.out, depth + 1);
        break;
      case 'intersection':
        walk(def.left, depth + 1);
        walk(def.right, depth + 1);
        break;
      case 'union':
        for (const o of def.options as unknown[]) walk(o, depth + 1);
        break;
      case 'array':
        walk(def.element, depth + 1);
        break;
      case 'record':
        walk(def.keyType, depth + 1);
        walk(def.valueType, depth + 1);
        break;
      default:
        if (def.innerType) walk(def.innerType, depth + 1);
    }
  };
  for (const mod of Object.values(modules)) for (const value of Object.values(mod)) walk(value, 0);
  return { keys: [...keys].sort(), enumValues: [...enumValues].sort() };
}
