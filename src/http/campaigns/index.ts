import { router } from '../openapi/route';
import { assignments } from './assignments';
import { bloggers } from './bloggers';
import { crud } from './crud';
import { stats } from './stats';
import { timeseries } from './timeseries';
import { videos } from './videos';

/**
 * /campaigns — campaign CRUD, assignments (videos, bloggers, tags, per-video budgets) and analytics
 * (stats, timeseries, video list, per-blogger rollup). Reads are open to every member; writes need
 * `campaigns.write`. Another organization's campaign, video or blogger answers 404.
 */
export const campaigns = router()
  .route('/', crud)
  .route('/', assignments)
  .route('/', stats)
  .route('/', timeseries)
  .route('/', videos)
  .route('/', bloggers);
