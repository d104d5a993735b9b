import { Hono } from 'hono';
import { getPreferences, listMemberships, putPreferences } from '../../db/organizations';
import { notFound } from '../errors';
import { validate } from '../validate';
import type { AppEnv } from '../context';
import { asCaller } from './shared';
import { UserPreferences } from './schemas';

/** The caller's own preferences: GET /me/preferences, PUT /me/preferences (replaces the document). */
export const me = new Hono<AppEnv>()
  .get('/preferences', async (c) => {
    const user = c.get('user');
    const row = await asCaller(c, (tx) => getPreferences(tx, user.id));
    return c.json({ preferences: row.preferences, updated_at: row.updated_at });
  })

  .put('/preferences', validate('json', UserPreferences), async (c) => {
    const body = c.req.valid('json');
    const user = c.get('user');
    const row = await asCaller(c, async (tx) => {
      if (body.default_organization_id) {
        const memberships = await listMemberships(tx, user.id);
        if (!memberships.some((m) => m.organization_id === body.default_organization_id)) throw notFound('organization');
      }
      return putPreferences(tx, user.id, body);
    });
    return c.json({ preferences: row.preferences, updated_at: row.updated_at });
  });
