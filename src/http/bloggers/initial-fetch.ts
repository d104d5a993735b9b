import type { BloggerRow } from '../../db/bloggers';
import { claimInitialFetches } from '../../db/initial-fetch-claims';
import { bloggerRunSummary } from '../../workflows/initial-blogger-fetch';
import type { BloggerFetchParams } from '../../workflows/params';
import { startWorkflow } from '../../workflows/start';
import type { AppContext } from '../context';

/**
 * Why a (re-)add started an InitialBloggerFetch, or why it did not:
 *   new                       the blogger was not tracked before
 *   initial_fetch_incomplete  the last initial fetch errored, was terminated, got stuck or never ran
 *   requested                 the caller sent `refetch: true`
 *   initial_count_raised      the caller raised initial_videos_count above what was fetched
 *   in_progress               a fetch for this blogger is running: its instance id is returned
 *   already_fetched           the initial fetch completed and nothing asks for another
 */
export type FetchReason = 'new' | 'initial_fetch_incomplete' | 'requested' | 'initial_count_raised' | 'in_progress' | 'already_fetched';

export interface InitialFetchAnswer {
  instance_id: string | null;
  created: boolean;
  reason: FetchReason;
}

/**
 * Decides whether this request starts a new InitialBloggerFetch (one new instance id per request
 * that starts one; see db/initial-fetch-claims) and starts it. `before` is the tracking record as
 * it was before this request (null: it did not exist).
 */
export async function startInitialFetchIfNeeded(
  c: AppContext,
  blogger: BloggerRow,
  before: Pick<BloggerRow, 'tracking_id' | 'initial_videos_count'> | null,
  refetch: boolean,
): Promise<InitialFetchAnswer> {
  const countRaised = Boolean(before?.tracking_id) && blogger.initial_videos_count! > (before!.initial_videos_count ?? 0);
  const [claim] = await claimInitialFetches(c.get('sql'), [{ trackingId: blogger.tracking_id!, force: refetch || countRaised }]);
  if (!claim!.claimed) return { instance_id: claim!.instanceId, created: false, reason: claim!.reason };

  const params: BloggerFetchParams = {
    trackingId: blogger.tracking_id!,
    organizationId: blogger.organization_id,
    bloggerId: blogger.blogger_id,
    platform: blogger.platform as BloggerFetchParams['platform'],
    externalId: blogger.external_id,
    secUid: blogger.sec_uid,
    username: blogger.username,
    videoCount: blogger.initial_videos_count!,
    userId: c.get('user').id,
  };
  const run = await startWorkflow(c.env, c.get('sql'), {
    workflow: 'InitialBloggerFetch',
    instanceId: claim!.instanceId,
    params,
    organizationId: blogger.organization_id,
    trigger: 'http',
    triggeredBy: c.get('user').id,
    summary: bloggerRunSummary(params),
  });
  const reason: FetchReason = !before?.tracking_id
    ? 'new'
    : !blogger.initial_videos_fetched
      ? 'initial_fetch_incomplete'
      : refetch
        ? 'requested'
        : 'initial_count_raised';
  return { instance_id: run.instanceId, created: run.created, reason };
}
