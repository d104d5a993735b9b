import { z } from '@hono/zod-openapi';
import { getPreferences, listMemberships, putPreferences } from '../../db/organizations';
import { notFound } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Timestamp } from '../openapi/schemas';
import { asCaller } from './shared';
import { UserPreferences } from './schemas';

const Preferences = z.object({ preferences: UserPreferences, updated_at: Timestamp.nullable() });

const getPrefs = defineRoute('user', {
  method: 'get', path: '/preferences', tags: ['Me'], summary: 'Your preferences',
  description: 'Your UI preferences (default organization, locale, time zone, theme, table columns).',
  responses: { 200: json(Preferences, 'Your preferences') },
});

const putPrefs = defineRoute('user', {
  method: 'put', path: '/preferences', tags: ['Me'], summary: 'Replace your preferences',
  description: 'Replaces the whole document. `default_organization_id` must be one of your organizations (else 404).',
  request: { body: jsonBody(UserPreferences.openapi({ example: { locale: 'en-US', timezone: 'Europe/Berlin', theme: 'dark', page_size: 50 } })) },
  responses: { 200: json(Preferences, 'Your preferences as stored') },
}, { errors: ['not_found'] });

/** The caller's own preferences: GET /me/preferences, PUT /me/preferences (replaces the document). */
export const me = router()
  .openapi(getPrefs, async (c) => {
    const user = c.get('user');
    const row = await asCaller(c, (tx) => getPreferences(tx, user.id));
    return c.json({ preferences: row.preferences, updated_at: row.updated_at }, 200);
  })

  .openapi(putPrefs, async (c) => {
    const body = c.req.valid('json');
    const user = c.get('user');
    const row = await asCaller(c, async (tx) => {
      if (body.default_organization_id) {
        const memberships = await listMemberships(tx, user.id);
        if (!memberships.some((m) => m.organization_id === body.default_organization_id)) throw notFound('organization');
      }
      return putPreferences(tx, user.id, body);
    });
    return c.json({ preferences: row.preferences, updated_at: row.updated_at }, 200);
  });
