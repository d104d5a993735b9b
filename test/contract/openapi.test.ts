import { Validator, type Schema } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import oas31 from '@seriousme/openapi-schema-validator/schemas/v3.1/schema.json';
import { call } from '../helpers/api';
import { fetchWorker } from '../helpers/worker';

/**
 * The OpenAPI documents are valid OpenAPI 3.1 (the OpenAPI Initiative's JSON Schema for 3.1, as
 * @seriousme/openapi-schema-validator ships it, checked with @cfworker/json-schema because workerd
 * forbids the code generation Ajv needs), every $ref resolves, and every operation follows the
 * API's rules: a summary and tag, the error envelope for its failures, bearer auth unless public,
 * the organization header when it acts for an organization.
 */

const pointer = (doc: unknown, ref: string) =>
  ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), doc);

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function lint(doc: any): string[] {
  const problems: string[] = [];
  const result = new Validator(oas31 as unknown as Schema, '2020-12', false).validate(doc);
  if (!result.valid) problems.push(...result.errors.slice(0, 20).map((e) => `schema: ${e.instanceLocation} ${e.error}`));
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
    else if (node && typeof node === 'object') {
      const allOf = (node as { allOf?: { type?: unknown }[] }).allOf;
      // zod-to-openapi's `.nullable()` of a named schema: refuses null (use nullableRef)
      if (allOf?.some((m) => Array.isArray(m.type) && m.type.includes('null'))) problems.push(`${at}: nullable allOf refuses null`);
      // `.extend()` of a named schema: an allOf whose closed parts refuse each other's fields (spread `.shape` instead)
      else if (allOf?.some((m) => '$ref' in (m as object))) problems.push(`${at}: allOf over a named schema`);
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    }
  };
  walk(doc, '#');
  for (const ref of refsIn(doc)) if (!ref.startsWith('#/') || pointer(doc, ref) === undefined) problems.push(`unresolved $ref ${ref}`);
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      if (!op.summary) problems.push(`${name}: no summary`);
      if (!op.tags?.length) problems.push(`${name}: no tag`);
      const statuses = Object.keys(op.responses);
      if (!statuses.some((s) => s.startsWith('2') || s.startsWith('3'))) problems.push(`${name}: no success response`);
      if (!statuses.includes('500')) problems.push(`${name}: 500 not declared`);
      for (const s of statuses.filter((s) => s >= '400')) {
        const schema = op.responses[s].content?.['application/json']?.schema;
        if (!schema?.properties?.error?.properties?.code?.enum) problems.push(`${name}: ${s} is not the error envelope`);
      }
      const access = op['x-access'];
      if (!['public', 'user', 'tenant', 'ops'].includes(access)) problems.push(`${name}: no x-access`);
      if (access !== 'public' && (!op.security?.length || !statuses.includes('401'))) problems.push(`${name}: not public but no security or 401`);
      const orgHeader = (op.parameters ?? []).some((p: any) => p.in === 'header' && p.name === 'X-Organization-Id');
      if ((access === 'tenant') !== orgHeader) problems.push(`${name}: X-Organization-Id ${orgHeader ? 'on a non-tenant route' : 'missing'}`);
      if (/\{[^}]+\}/.test(path)) {
        for (const [, param] of path.matchAll(/\{([^}]+)\}/g)) {
          if (!(op.parameters ?? []).some((p: any) => p.in === 'path' && p.name === param)) problems.push(`${name}: path parameter ${param} not declared`);
        }
      }
    }
  }
  return problems;
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document of the product API, with bearer auth and the organization header', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(lint(doc)).toEqual([]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/ops'))).toEqual([]);
    const limits = doc.paths['/limits'].get;
    expect(limits.security).toEqual([{ bearerAuth: [] }]);
    expect(limits.parameters).toContainEqual(expect.objectContaining({ name: 'X-Organization-Id', in: 'header', example: expect.any(String) }));
    expect(limits.responses['401'].content['application/json'].schema.properties.error.properties.code.enum).toEqual(['unauthorized']);
    expect(limits.responses['403'].content['application/json'].schema.properties.error.properties.code.enum).toEqual(['not_a_member']);
  });

  it('answers without a token: the contract is public', async () => {
    expect((await call('GET', '/openapi.json')).headers.get('content-type')).toMatch(/application\/json/);
  });
});

describe('GET /ops/openapi.json', () => {
  it('is a separate valid document holding only the ops API', async () => {
    const res = await call('GET', '/ops/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.info.title).toMatch(/ops/i);
    expect(lint(res.body)).toEqual([]);
    expect(Object.keys(res.body.paths).every((p) => p.startsWith('/ops/'))).toBe(true);
    const limits = res.body.paths['/ops/api/organizations/{id}/limits'];
    expect(limits.put.security).toEqual([{ opsToken: [] }]);
    expect(limits.put.responses['403'].content['application/json'].schema.properties.error.properties.code.enum).toEqual(['forbidden']);
    expect(limits.put.parameters.some((p: any) => p.name === 'X-Organization-Id')).toBe(false);
  });
});

describe('the linter', () => {
  it('finds a broken document (so a passing lint means something)', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const broken = structuredClone(doc);
    broken.paths['/limits'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    delete broken.paths['/limits'].get.summary;
    broken.info = { title: 1 };
    const problems = lint(broken);
    expect(problems).toContain('unresolved $ref #/components/schemas/Nope');
    expect(problems).toContain('GET /limits: no summary');
    expect(problems.filter((p) => p.startsWith('schema: ') && p.includes('/info')), problems.join('\n')).not.toEqual([]);
  });
});

describe('GET /docs', () => {
  it('serves the API reference page and Scalar from the Worker itself (nothing from a CDN)', async () => {
    const page = await fetchWorker('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script (?:type="module" )?src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['/docs/assets/scalar.js', '/docs/assets/docs.js']);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const scalar = await fetchWorker('/docs/assets/scalar.js');
    expect(scalar.headers.get('content-type')).toMatch(/javascript/);
    expect(await scalar.text()).toContain('createApiReference');
    const init = await (await fetchWorker('/docs/assets/docs.js')).text();
    expect(init).toContain("'/openapi.json'");
    expect(init).toContain("'/ops/openapi.json'");
  });
});
