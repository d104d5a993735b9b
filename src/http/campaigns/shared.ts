import type postgres from 'postgres';
import { z } from '@hono/zod-openapi';
import { findCampaign, isCampaignNameTaken, type CampaignRow } from '../../db/campaigns';
import { budgetMetrics, engagements, type Counters } from '../../domain/analytics';
import { ApiError, notFound } from '../errors';

export { asCaller } from '../caller';
export { Day, RangeFields, rangeInOrder, rangeNotInOrder } from '../analytics-query';
export const Money = z.number().min(0).max(999_999_999_999.99).multipleOf(0.01);
export const Currency = z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. USD');
export { TagNames } from '../../domain/validation';
export const IdParam = z.object({ id: z.uuid() });

export const ModeParam = z.enum(['totals', 'increments']).default('totals');

/** Loads the organization's campaign or answers 404 (another organization's campaign does not exist for you). */
export async function campaignOr404(tx: postgres.TransactionSql, organizationId: string, campaignId: string): Promise<CampaignRow> {
  const row = await findCampaign(tx, organizationId, campaignId);
  if (!row) throw notFound('campaign');
  return row;
}

/** Maps the database's campaign-name uniqueness to 409. */
export async function uniqueName<T>(name: string | undefined, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isCampaignNameTaken(err)) throw new ApiError('conflict', `a campaign named '${name}' already exists`, { reason: 'name_taken', name });
    throw err;
  }
}

const money = (v: string | null) => (v === null ? null : Number(v));

/** The public JSON shape of a campaign. */
export function campaignJson(c: CampaignRow) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    budget: money(c.budget),
    currency: c.currency,
    starts_on: c.starts_on,
    ends_on: c.ends_on,
    tags: c.tags,
    blogger_ids: c.blogger_ids,
    video_count: c.video_count,
    /** sum of the budgets of the campaign's videos (null when none has one) */
    videos_budget: money(c.videos_budget),
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}
export type CampaignJson = ReturnType<typeof campaignJson>;

/** Counters as the API shows them, with engagements = likes + comments + reposts + saves. */
export const countersJson = (c: Counters) => ({ ...c, engagements: engagements(c) });

/** Totals, increments and the metrics of the mode's values, for one video or one blogger. */
export function analyticsJson(hasStats: boolean, totals: Counters, increments: Counters, mode: 'totals' | 'increments', budget: number | null) {
  return {
    totals: hasStats ? countersJson(totals) : null,
    increments: hasStats ? countersJson(increments) : null,
    metrics: budgetMetrics(budget, mode === 'increments' ? increments : totals),
  };
}
