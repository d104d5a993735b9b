import type { Vocabulary } from './route-table';

/**
 * Learns, from the running app, which body and query fields a route reads and which values each
 * accepts, so the fuzzer can send requests that are valid except for one hostile part (the only
 * way to reach the checks behind the first one, e.g. `interval=week` + a bad `from` + a good `to`).
 *
 * - Fields: one request sets every vocabulary key to a value no field accepts; the 400's issue
 *   paths name the fields the route validates (unknown keys are stripped or reported at the root).
 * - Values: one request per candidate sets every learned field to it; a field without an issue
 *   accepted it. Enum fields also list their options in their issue (zod: `expected one of "a"|"b"`).
 */

export interface Shape {
  body: Map<string, unknown[]>;
  query: Map<string, string[]>;
}

type Send = (init: { body?: unknown; query?: [string, string][] }) => Promise<{ status: number; text: string }>;

interface Issue {
  path: string;
  message: string;
  code?: string;
}

/** The validation issues of a 400 about `where` (src/http/errors.ts#validationError: 'invalid request json' / 'query'). */
function issuesOf(res: { status: number; text: string }, where: 'json' | 'query'): Issue[] | undefined {
  if (res.status !== 400) return undefined;
  try {
    const body = JSON.parse(res.text);
    const ok = body?.error?.code === 'validation_failed' && body.error.message === `invalid request ${where}` && Array.isArray(body.error.details?.issues);
    return ok ? body.error.details.issues : undefined;
  } catch {
    return undefined;
  }
}

const firstSegment = (path: string) => path.split('.')[0] ?? '';
const enumOptions = (issue: Issue) => (issue.code === 'invalid_value' ? [...issue.message.matchAll(/"([^"]*)"/g)].map((m) => m[1]!) : []);

/** Values tried against every learned field (`ids`: one id of each kind of object, so references resolve). */
export function bodyCandidates(ids: string[]): unknown[] {
  return [
    ...ids,
    '2026-03-02', '2026-03-08', '2026-03-10T00:00:00Z', 'fuzz name', 'https://www.tiktok.com/@fuzz/video/7300000000000000001', 'fuzz@example.com',
    'Europe/Berlin', 'USD', 'en-US', 'fuzz-slug-1', 1, 5, 50, 12.5, true, false, null, ['fuzz-tag'], ...ids.slice(0, 3).map((id) => [id]),
    ['fuzz@example.com'], {},
  ];
}

export function queryCandidates(ids: string[]): string[] {
  return [...ids, '2026-03-02', '2026-03-08', '2026-03-10T00:00:00Z', 'fuzz', '1', '5', '50', 'true', 'false'];
}

export async function learnShape(send: Send, vocab: Vocabulary, ids: string[], opts: { hasBody: boolean }): Promise<Shape> {
  const shape: Shape = { body: new Map(), query: new Map() };
  const accept = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key)!;
    if (!list.some((v) => JSON.stringify(v) === JSON.stringify(value))) list.push(value);
  };

  if (opts.hasBody) {
    const issues = issuesOf(await send({ body: Object.fromEntries(vocab.keys.map((k) => [k, { '\u0001': [[]] }])) }), 'json') ?? [];
    for (const issue of issues) {
      const key = firstSegment(issue.path);
      if (!key || !vocab.keys.includes(key)) continue;
      if (!shape.body.has(key)) shape.body.set(key, []);
      for (const option of enumOptions(issue)) accept(shape.body, key, option);
    }
    if (shape.body.size > 0) {
      for (const candidate of bodyCandidates(ids)) {
        const keys = [...shape.body.keys()];
        const rejected = new Set((issuesOf(await send({ body: Object.fromEntries(keys.map((k) => [k, candidate])) }), 'json') ?? []).map((i) => firstSegment(i.path)));
        for (const k of keys) if (!rejected.has(k)) accept(shape.body, k, candidate);
      }
    }
  }

  // The tenant selector `organization_id` is read by the door before validation: not probed here.
  const queryKeys = vocab.keys.filter((k) => k !== 'organization_id');
  const issues = issuesOf(await send({ query: queryKeys.flatMap((k) => [[k, '\u0001'], [k, '\u0002']] as [string, string][]) }), 'query') ?? [];
  for (const issue of issues) {
    const key = firstSegment(issue.path);
    if (!key || !queryKeys.includes(key)) continue;
    if (!shape.query.has(key)) shape.query.set(key, []);
    for (const option of enumOptions(issue)) accept(shape.query, key, option);
  }
  if (shape.query.size > 0) {
    for (const candidate of queryCandidates(ids)) {
      const keys = [...shape.query.keys()];
      const rejected = new Set((issuesOf(await send({ query: keys.map((k) => [k, candidate]) }), 'query') ?? []).map((i) => firstSegment(i.path)));
      for (const k of keys) if (!rejected.has(k)) accept(shape.query, k, candidate);
    }
  }
  return shape;
}
