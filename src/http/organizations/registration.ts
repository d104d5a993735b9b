import { z } from '@hono/zod-openapi';
import { Text } from '../../domain/validation';
import { listMyOrganizations, registerOrganization, type OrganizationRow } from '../../db/organizations';
import { ApiError } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { List } from '../openapi/schemas';
import { MyOrganization, OrganizationWithRole } from './responses';
import { asCaller, organizationJson } from './shared';
import { Currency, Slug, TimeZone } from './schemas';

export const RegisterOrganizationBody = z.strictObject({
  name: Text({ max: 200 }),
  /** derived from the name when omitted */
  slug: Slug.optional(),
  timezone: TimeZone.optional(),
  currency: Currency.optional(),
});
export type RegisterOrganizationBody = z.infer<typeof RegisterOrganizationBody>;

export function slugFromName(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return base.length >= 2 ? base : 'org';
}

const suffix = () => crypto.randomUUID().slice(0, 6);

const register = defineRoute('user', {
  method: 'post', path: '/', tags: ['Organizations'], summary: 'Register an organization',
  description: 'You become its owner. The slug is derived from the name when omitted.',
  request: { body: jsonBody(RegisterOrganizationBody.openapi({ example: { name: 'Acme Media', timezone: 'Europe/Berlin', currency: 'EUR' } })) },
  responses: { 201: json(OrganizationWithRole, 'The new organization; your role is owner') },
}, { errors: ['conflict'] });

const listMine = defineRoute('user', {
  method: 'get', path: '/', tags: ['Organizations'], summary: 'Your organizations',
  description: 'Every organization you are a member of, with your role.',
  responses: { 200: json(List(MyOrganization), 'Your organizations') },
});

/** POST /organizations registers an organization (caller = owner); GET /organizations lists the caller's. */
export const organizations = router()
  .openapi(register, async (c) => {
    const body = c.req.valid('json');
    const user = c.get('user');
    const org = await asCaller(c, async (tx) => {
      const register = (slug: string) =>
        registerOrganization(tx, { name: body.name, slug, timezone: body.timezone, currency: body.currency, createdBy: user.id });
      if (body.slug) {
        const created = await register(body.slug);
        if (!created) throw new ApiError('conflict', `the slug '${body.slug}' is taken`, { reason: 'slug_taken', slug: body.slug });
        return created;
      }
      const base = slugFromName(body.name);
      let created: OrganizationRow | undefined = await register(base);
      for (let i = 0; !created && i < 3; i++) created = await register(`${base}-${suffix()}`);
      if (!created) throw new ApiError('conflict', 'no free slug found for this name: choose one', { reason: 'slug_taken' });
      return created;
    });
    return c.json({ organization: organizationJson(org), role: 'owner' as const }, 201);
  })

  .openapi(listMine, async (c) => {
    const user = c.get('user');
    const rows = await asCaller(c, (tx) => listMyOrganizations(tx, user.id));
    return c.json({ data: rows.map((r) => ({ ...organizationJson(r), role: r.role, joined_at: r.joined_at })) }, 200);
  });
