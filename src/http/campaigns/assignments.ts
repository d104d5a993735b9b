import { Hono } from 'hono';
import { z } from 'zod';
import { assignVideos, findCampaign, linkBloggers, setCampaignTags, setVideoBudget, unassignVideo, unlinkBlogger } from '../../db/campaigns';
import { notFound } from '../errors';
import { assertCan } from '../permissions';
import { validate } from '../validate';
import type { AppEnv } from '../context';
import { asCaller, campaignJson, campaignOr404, IdParam, Money, TagNames } from './shared';

export const AssignVideosBody = z.strictObject({ video_ids: z.array(z.uuid()).min(1).max(500) });
export const AssignBloggersBody = z.strictObject({ blogger_ids: z.array(z.uuid()).min(1).max(500) });
export const SetTagsBody = z.strictObject({ tags: TagNames });
export const VideoBudgetBody = z.strictObject({ budget: Money.nullable() });
const VideoParam = IdParam.extend({ videoId: z.uuid() });
const BloggerParam = IdParam.extend({ bloggerId: z.uuid() });

const unique = (ids: string[]) => [...new Set(ids.map((id) => id.toLowerCase()))];

/**
 * Assigning videos, bloggers, tags and per-video budgets to a campaign. Every id must be the
 * organization's: one unknown (or another organization's) id answers 404 and writes nothing.
 */
export const assignments = new Hono<AppEnv>()
  .post('/:id/videos', validate('param', IdParam), validate('json', AssignVideosBody), async (c) => {
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
    return c.json({ campaign: campaignJson(campaign) });
  })

  .delete('/:id/videos/:videoId', validate('param', VideoParam), async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id, videoId } = c.req.valid('param');
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if (!(await unassignVideo(tx, org.id, id, videoId))) throw notFound('video');
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) });
  })

  .patch('/:id/videos/:videoId', validate('param', VideoParam), validate('json', VideoBudgetBody), async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id, videoId } = c.req.valid('param');
    const { budget } = c.req.valid('json');
    await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if (!(await setVideoBudget(tx, org.id, id, videoId, budget))) throw notFound('video');
    });
    return c.json({ campaign_id: id, video_id: videoId, budget });
  })

  .post('/:id/bloggers', validate('param', IdParam), validate('json', AssignBloggersBody), async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id } = c.req.valid('param');
    const ids = unique(c.req.valid('json').blogger_ids);
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if ((await linkBloggers(tx, org.id, id, ids)) < ids.length) throw notFound('blogger');
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) });
  })

  .delete('/:id/bloggers/:bloggerId', validate('param', BloggerParam), async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id, bloggerId } = c.req.valid('param');
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      if (!(await unlinkBlogger(tx, org.id, id, bloggerId))) throw notFound('blogger');
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) });
  })

  .put('/:id/tags', validate('param', IdParam), validate('json', SetTagsBody), async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'campaigns.write');
    const { id } = c.req.valid('param');
    const { tags } = c.req.valid('json');
    const campaign = await asCaller(c, async (tx) => {
      await campaignOr404(tx, org.id, id);
      await setCampaignTags(tx, org.id, id, tags);
      return (await findCampaign(tx, org.id, id))!;
    });
    return c.json({ campaign: campaignJson(campaign) });
  });
