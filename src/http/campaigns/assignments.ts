import { z } from '@hono/zod-openapi';
import { assignVideos, findCampaign, linkBloggers, setCampaignTags, setVideoBudget, unassignVideo, unlinkBlogger } from '../../db/campaigns';
import { notFound } from '../errors';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { CampaignEnvelope } from './responses';
import { asCaller, campaignJson, campaignOr404, IdParam, Money, TagNames } from './shared';

export const AssignVideosBody = z.strictObject({ video_ids: z.array(z.uuid()).min(1).max(500) });
export const AssignBloggersBody = z.strictObject({ blogger_ids: z.array(z.uuid()).min(1).max(500) });
export const SetTagsBody = z.strictObject({ tags: TagNames });
export const VideoBudgetBody = z.strictObject({ budget: Money.nullable() });
const VideoParam = IdParam.extend({ videoId: z.uuid() });
const BloggerParam = IdParam.extend({ bloggerId: z.uuid() });

const unique = (ids: string[]) => [...new Set(ids.map((id) => id.toLowerCase()))];

const T = ['Campaign assignments'];
const W = { errors: ['forbidden', 'not_found'] as ('forbidden' | 'not_found')[] };
const assignVideosRoute = defineRoute('tenant', {
  method: 'post', path: '/{id}/videos', tags: T, summary: 'Assign videos to a campaign', description: 'A video belongs to one campaign: assigning moves it here. One unknown id answers 404 and writes nothing.',
  request: { params: IdParam, body: jsonBody(AssignVideosBody) }, responses: { 200: json(CampaignEnvelope, 'The campaign') },
}, W);
const unassignVideoRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}/videos/{videoId}', tags: T, summary: 'Take a video out of a campaign',
  request: { params: VideoParam }, responses: { 200: json(CampaignEnvelope, 'The campaign') },
}, W);
const videoBudgetRoute = defineRoute('tenant', {
  method: 'patch', path: '/{id}/videos/{videoId}', tags: T, summary: 'Set a video’s budget in the campaign',
  request: { params: VideoParam, body: jsonBody(VideoBudgetBody.openapi({ example: { budget: 250 } })) },
  responses: { 200: json(z.object({ campaign_id: z.uuid(), video_id: z.uuid(), budget: z.number().nullable() }), 'The budget as set') },
}, W);
const assignBloggersRoute = defineRoute('tenant', {
  method: 'post', path: '/{id}/bloggers', tags: T, summary: 'Assign bloggers to a campaign',
  request: { params: IdParam, body: jsonBody(AssignBloggersBody) }, responses: { 200: json(CampaignEnvelope, 'The campaign') },
}, W);
const unlinkBloggerRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}/bloggers/{bloggerId}', tags: T, summary: 'Take a blogger out of a campaign',
  request: { params: BloggerParam }, responses: { 200: json(CampaignEnvelope, 'The campaign') },
}, W);
const setTagsRoute = defineRoute('tenant', {
  method: 'put', path: '/{id}/tags', tags: T, summary: 'Replace a campaign’s tags',
  request: { params: IdParam, body: jsonBody(SetTagsBody.openapi({ example: { tags: ['launch', 'spring'] } })) }, responses: { 200: json(CampaignEnvelope, 'The campaign') },
}, W);

/**
 * Assigning videos, bloggers, tags and per-video budgets to a campaign. Every id must be the
 * organization's: one unknown (or another organization's) id answers 404 and writes nothing.
 */
export const assignments = router()
  .openapi(assignVideosRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id } = c.req.valid('param');
    const ids = unique(c.req.valid('json').video_ids);
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      // a video belongs to one campaign: assigning moves it here from any other
      if ((await assignVideos(tx, org.id, id, ids)) < ids.length) throw notFound('video');
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) }, 200);
  })

  .openapi(unassignVideoRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id, videoId } = c.req.valid('param');
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if (!(await unassignVideo(tx, org.id, id, videoId))) throw notFound('video');
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) }, 200);
  })

  .openapi(videoBudgetRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id, videoId } = c.req.valid('param');
    const { budget } = c.req.valid('json');
    await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if (!(await setVideoBudget(tx, org.id, id, videoId, budget))) throw notFound('video');
    });
    return c.json({ campaign_id: id, video_id: videoId, budget }, 200);
  })

  .openapi(assignBloggersRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id } = c.req.valid('param');
    const ids = unique(c.req.valid('json').blogger_ids);
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if ((await linkBloggers(tx, org.id, id, ids)) < ids.length) throw notFound('blogger');
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) }, 200);
  })

  .openapi(unlinkBloggerRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id, bloggerId } = c.req.valid('param');
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if (!(await unlinkBlogger(tx, org.id, id, bloggerId))) throw notFound('blogger');
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) }, 200);
  })

  .openapi(setTagsRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id } = c.req.valid('param');
    const { tags } = c.req.valid('json');
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      await setCampaignTags(tx, org.id, id, tags);
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) }, 200);
  });
