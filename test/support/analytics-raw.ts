import type { Db } from '../../src/db/client';
import {
  campaignStatsFrom, timeseriesFrom, type PerVideoSource, type StatsInput, type TimeseriesInput,
} from '../../src/db/analytics';
import { METRICS } from '../../src/domain/analytics';

/**
 * The campaign reads computed straight from raw snapshots (video_statistics), the reference the
 * rollup and the daily aggregates are checked against: by the equivalence tests and by
 * `npm run bench` (scripts/lib/analytics-bench.mjs bundles this file). Not part of the Worker: no
 * route reads raw snapshots for analytics.
 *
 * Same queries as the per-video rollup reads (src/db/analytics.ts#rollupSource) with each probe
 * answered from snapshots: a day's value is its last snapshot (created_at, then id), the first
 * snapshot is the tracking start, and daily increments are computed with window functions.
 */
const list = (db: Db, f: (m: string) => string) => db.unsafe(METRICS.map(f).join(', '));

export const rawSnapshotSource: PerVideoSource = {
  probes: (db) => ({
    end: db`select ${list(db, (m) => `s.${m}`)} from public.video_statistics s
            where s.video_id = v.id and s.created_at < (r.to_bound + 1)::timestamp at time zone 'UTC'
            order by s.created_at desc, s.id desc limit 1`,
    start: db`select ${list(db, (m) => `s.${m}`)} from public.video_statistics s
              where s.video_id = v.id and s.created_at < r.from_bound::timestamp at time zone 'UTC'
              order by s.created_at desc, s.id desc limit 1`,
    first: db`select ${list(db, (m) => `s.${m} as open_${m}`)} from public.video_statistics s
              where s.video_id = v.id and b.views is null
              order by s.created_at asc, s.id asc limit 1`,
  }),
  perPeriod: (db, from, to, period) =>
    db`select r.period, ${list(db, (m) => `sum(r.d_${m}) as d_${m}, sum(r.o_${m}) as o_${m}`)}
       from (
         select ${period(db`r.day`)} as period,
                ${list(db, (m) => `r.${m} - coalesce(lag(r.${m}) over w, c.${m}, r.open_${m}) as d_${m}`)},
                ${list(db, (m) => `case when c.id is null and row_number() over w = 1 then r.open_${m} else 0 end as o_${m}`)}
         from (
           select distinct on (s.video_id, s.day) s.video_id, s.day,
                  ${list(db, (m) => `last_value(s.${m}) over w as ${m}, s.${m} as open_${m}`)}
           from (select st.*, (st.created_at at time zone 'UTC')::date as day
                 from vids v join public.video_statistics st on st.video_id = v.id
                  and st.created_at >= ${from}::timestamp at time zone 'UTC' and st.created_at < (${to}::date + 1)::timestamp at time zone 'UTC') s
           window w as (partition by s.video_id, s.day order by s.created_at, s.id rows between unbounded preceding and unbounded following)
           order by s.video_id, s.day, s.created_at, s.id
         ) r
         left join carry c on c.id = r.video_id
         window w as (partition by r.video_id order by r.day)
       ) r
       group by r.period`,
  carry: (db, from) =>
    db`select ${list(db, (m) => `s.${m}`)} from public.video_statistics s
       where s.video_id = v.id and s.created_at < ${from}::timestamp at time zone 'UTC' order by s.created_at desc, s.id desc limit 1`,
};

/** The answer of campaignStats (src/db/analytics-aggregate.ts), from raw snapshots. */
export const campaignStatsFromRawSnapshots = (db: Db, organizationId: string, campaignId: string, input: StatsInput) =>
  campaignStatsFrom(db, rawSnapshotSource, organizationId, campaignId, input);

/** The answer of campaignTimeseries (src/db/analytics-aggregate.ts), from raw snapshots. */
export const campaignTimeseriesFromRawSnapshots = (db: Db, organizationId: string, campaignId: string, input: TimeseriesInput) =>
  timeseriesFrom(db, rawSnapshotSource, organizationId, { campaignId }, input);
