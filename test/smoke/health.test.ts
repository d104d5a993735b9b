import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';

describe('GET /health', () => {
  it('reports the database reachable without a token', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('answers unknown routes with the JSON error envelope', async () => {
    const res = await call('GET', '/no-such-route');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
