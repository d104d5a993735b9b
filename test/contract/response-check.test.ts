import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { checkAgainstContract } from '../helpers/contract';
import { adminSql, createOrganization } from '../helpers/db';
import { tokenFor } from '../helpers/api';

/** The check every test response goes through (test/helpers/contract.ts) fails on drift. */
describe('checking responses against the document', () => {
  it('accepts what /limits really answers, and refuses a missing field, an extra field, a wrong type, an undeclared status or content type', async () => {
    const org = await createOrganization(adminSql());
    const res = await call('GET', '/limits', { token: await tokenFor(org.userId) });
    expect(res.status).toBe(200);
    const seen = (body: unknown, status = 200, contentType = 'application/json') => () => checkAgainstContract('GET', '/limits', { status, contentType, text: JSON.stringify(body) });
    expect(seen(res.body)).not.toThrow();
    const { plan: _plan, ...noPlan } = res.body;
    expect(seen(noPlan)).toThrow(/does not match GET \/limits 200/);
    expect(seen({ ...res.body, secret: 1 })).toThrow(/does not match/);
    expect(seen({ ...res.body, limits: { ...res.body.limits, max_members: { ...res.body.limits.max_members, limit: 'ten' } } })).toThrow(/does not match/);
    expect(seen({ error: { code: 'conflict', message: 'x' } }, 409)).toThrow(/does not declare/);
    expect(seen({ error: { code: 'conflict', message: 'x' } }, 404)).toThrow(/does not match GET \/limits 404/);
    expect(seen(res.body, 200, 'text/html')).toThrow(/content type/);
  });

  it('refuses an answer from a route the document does not declare (outside the not-yet-declared modules)', () => {
    expect(() => checkAgainstContract('GET', '/nowhere', { status: 200, contentType: 'application/json', text: '{}' })).toThrow(/no route serves/);
    expect(() => checkAgainstContract('GET', '/nowhere', { status: 404, contentType: 'application/json', text: '{"error":{"code":"not_found","message":"x"}}' })).not.toThrow();
  });
});
