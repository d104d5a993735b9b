import { z } from '@hono/zod-openapi';
import { Text, whenFieldsValid } from '../../domain/validation';
import { deleteCampaign, findCampaign, insertCampaign, listCampaigns, setCampaignTags, updateCampaign } from '../../db/campaigns';
import { ApiError, notFound } from '../errors';
import { decodeCursor, page, PageQuery } from '../pagination';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Deleted, Page } from '../openapi/schemas';
import { Campaign, CampaignEnvelope } from './responses';
import { asCaller, campaignJson, campaignOr404, Currency, Day, IdParam, Money, TagNames, uniqueName } from './shared';

const datesInOrder = (b: { starts_on?: string | null; ends_on?: string | null }) => !b.starts_on || !b.ends_on || b.starts_on <= b.ends_on;

export const CreateCampaignBody = z
  .strictObject({
    name: Text({ max: 200 }),
    description: Text({ max: 5000, min: 0 }).nullable().optional(),
    /** the campaign's total budget, in `currency` (see README "Analytics" for how it combines with video budgets) */
    budget: Money.nullable().optional(),
    currency: Currency.optional(),
    starts_on: Day.nullable().optional(),
    ends_on: Day.nullable().optional(),
    tags: TagNames.optional(),
  })
  .refine(datesInOrder, { message: 'starts_on must not be after ends_on', path: ['ends_on'], ...whenFieldsValid });
export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;

export const UpdateCampaignBody = z
  .strictObject({
    name: Text({ max: 200 }),
    description: Text({ max: 5000, min: 0 }).nullable(),
    budget: Money.nullable(),
    currency: Currency,
    starts_on: Day.nullable(),
    ends_on: Day.nullable(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' })
  .refine(datesInOrder, { message: 'starts_on must not be after ends_on', path: ['ends_on'], ...whenFieldsValid });
export type UpdateCampaignBody = z.infer<typeof UpdateCampaignBody>;

export const ListCampaignsQuery = PageQuery.extend({
  tag: Text({ max: 64 }).optional(),
  search: Text({ max: 100 }).optional(),
});

const T = ['Campaigns'];
const createRoute = defineRoute('tenant', {
  method: 'post', path: '/', tags: T, summary: 'Create a campaign',
  description: 'Needs `campaigns.write` (owner, admin, member). Names are unique in the organization.',
  request: { body: jsonBody(CreateCampaignBody.openapi({ example: { name: 'Spring launch', budget: 5000, currency: 'EUR', starts_on: '2026-03-01', ends_on: '2026-04-30', tags: ['launch'] } })) },
  responses: { 201: json(CampaignEnvelope, 'The new campaign') },
}, { errors: ['forbidden', 'conflict'] });
const listRoute = defineRoute('tenant', {
  method: 'get', path: '/', tags: T, summary: 'List campaigns', description: 'Filtered by tag or a name search, in keyset pages.',
  request: { query: ListCampaignsQuery },
  responses: { 200: json(Page(Campaign), 'A page of campaigns') },
});
const getRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}', tags: T, summary: 'A campaign',
  request: { params: IdParam }, responses: { 200: json(CampaignEnvelope, 'The campaign') },
}, { errors: ['not_found'] });
const updateRoute = defineRoute('tenant', {
  method: 'patch', path: '/{id}', tags: T, summary: 'Change a campaign', description: 'Only the fields sent change; the dates must stay in order.',
  request: { params: IdParam, body: jsonBody(UpdateCampaignBody.openapi({ example: { budget: 7500 } })) },
  responses: { 200: json(CampaignEnvelope, 'The campaign as changed') },
}, { errors: ['forbidden', 'not_found', 'conflict'] });
const deleteRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: T, summary: 'Delete a campaign', description: 'Its videos stay (unassigned); its blogger and tag links go.',
  request: { params: IdParam }, responses: { 200: json(Deleted, 'The campaign was deleted') },
}, { errors: ['forbidden', 'not_found'] });

/** POST /campaigns, GET /campaigns, GET/PATCH/DELETE /campaigns/:id */
export const crud = router()
  .openapi(createRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const body = c.req.valid('json');
    const campaign = await asCaller(c, async (tx) => {
      const id = await uniqueName(body.name, insertCampaign(tx, org.id, body));
      await setCampaignTags(tx, org.id, id, body.tags ?? []);
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) }, 201);
  })

  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await asCaller(c, (tx) => listCampaigns(tx, c.get('org').id, { tag: q.tag, search: q.search, afterId: decodeCursor(q.cursor), limit: q.limit + 1 }));
    const result = page(rows, q.limit);
    return c.json({ data: result.data.map(campaignJson), next_cursor: result.next_cursor }, 200);
  })

  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const campaign = await asCaller(c, (tx) => campaignOr404(tx, c.get('org').id, id));
    return c.json({ campaign: campaignJson(campaign) }, 200);
  })

  .openapi(updateRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const campaign = await asCaller(c, async (tx) => {
      const current = await campaignOr404(tx, org.id, id);
      // one date may change alone: the pair it forms with the stored other one must stay in order
      const starts = body.starts_on !== undefined ? body.starts_on : current.starts_on;
      const ends = body.ends_on !== undefined ? body.ends_on : current.ends_on;
      if (!datesInOrder({ starts_on: starts, ends_on: ends })) {
        throw new ApiError('validation_failed', 'starts_on must not be after ends_on', {
          issues: [{ path: body.ends_on !== undefined ? 'ends_on' : 'starts_on', message: `the campaign would run from ${starts} to ${ends}` }],
        });
      }
      await uniqueName(body.name, updateCampaign(tx, org.id, id, body));
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) }, 200);
  })

  .openapi(deleteRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id } = c.req.valid('param');
    // its videos stay (campaign_id set null); its blogger and tag links go with it
    const deleted = await asCaller(c, (tx) => deleteCampaign(tx, org.id, id));
    if (!deleted) throw notFound('campaign');
    return c.json({ success: true as const, id }, 200);
  });
