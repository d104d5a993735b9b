import { z } from '@hono/zod-openapi';
import { Text } from '../../domain/validation';
import { findOrganization, updateOrganizationSettings } from '../../db/organizations';
import { assertPerItemLimit } from '../../steps/limits';
import { ApiError, notFound } from '../errors';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { OrganizationWithRole } from './responses';
import { asCaller, organizationJson } from './shared';
import { Currency, ReportPreferences, Slug, TimeZone, VideosCount } from './schemas';

export const UpdateOrganizationBody = z
  .strictObject({
    name: Text({ max: 200 }),
    slug: Slug,
    timezone: TimeZone,
    currency: Currency,
    default_initial_videos_count: VideosCount,
    default_daily_videos_count: VideosCount,
    /** replaces the whole report preferences document */
    report_preferences: ReportPreferences,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });
export type UpdateOrganizationBody = z.infer<typeof UpdateOrganizationBody>;

const getSettings = defineRoute('tenant', {
  method: 'get', path: '/', tags: ['Organization'], summary: 'The organization you act for',
  description: 'Its settings, plan and your role in it.',
  responses: { 200: json(OrganizationWithRole, 'The organization and your role') },
}, { errors: ['not_found'] });

const updateSettings = defineRoute('tenant', {
  method: 'patch', path: '/', tags: ['Organization'], summary: 'Change the organization’s settings',
  description: 'Owners and admins. Only the fields sent change; `report_preferences` is replaced as a whole.',
  request: { body: jsonBody(UpdateOrganizationBody.openapi({ example: { name: 'Acme Media', timezone: 'Europe/Berlin', currency: 'EUR' } })) },
  responses: { 200: json(OrganizationWithRole, 'The organization as changed') },
}, { errors: ['forbidden', 'not_found', 'conflict', 'limit_exceeded'] });

/** GET /organization (settings, plan and the caller's role), PATCH /organization. */
export const settings = router()
  .openapi(getSettings, async (c) => {
    const org = c.get('org');
    const row = await asCaller(c, (tx) => findOrganization(tx, org.id));
    if (!row) throw notFound('organization');
    return c.json({ organization: organizationJson(row), role: org.role }, 200);
  })

  .openapi(updateSettings, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'organization.update');
    const body = c.req.valid('json');
    const row = await asCaller(c, async (tx) => {
      // a default that the plan would refuse for every new blogger is refused here already
      if (body.default_initial_videos_count !== undefined) await assertPerItemLimit(tx, org.id, 'max_initial_videos_per_blogger', body.default_initial_videos_count);
      if (body.default_daily_videos_count !== undefined) await assertPerItemLimit(tx, org.id, 'max_daily_videos_per_blogger', body.default_daily_videos_count);
      const updated = await updateOrganizationSettings(tx, org.id, body);
      if (updated === 'slug_taken') throw new ApiError('conflict', `the slug '${body.slug}' is taken`, { reason: 'slug_taken', slug: body.slug });
      if (!updated) throw notFound('organization');
      return updated;
    });
    return c.json({ organization: organizationJson(row), role: org.role }, 200);
  });
