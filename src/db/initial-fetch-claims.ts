import { jsonb, type Sql } from './client';

/**
 * A run that has been queued or running this long without ending is treated as stuck: the next
 * re-add or batch starts a new one (steps are idempotent, so the old one finishing late is harmless).
 * The longest legitimate run is ~20 pages × the transient retry budget (~25 min each at worst).
 */
export const STUCK_AFTER_MINUTES = 6 * 60;
/** A claimed instance with no registry row yet is being created; after this long its creation failed. */
export const UNREGISTERED_GRACE_MINUTES = 15;

export interface ClaimRequest {
  trackingId: string;
  /** start a new fetch even though the initial fetch completed (asked for, or the count was raised) */
  force: boolean;
}

export type ClaimOutcome =
  /** a new instance id was claimed: the caller starts it */
  | { trackingId: string; claimed: true; instanceId: string; previousInstanceId: string | null }
  /** nothing to start: a run is in progress (its id), or the initial fetch already completed */
  | { trackingId: string; claimed: false; reason: 'in_progress' | 'already_fetched'; instanceId: string | null };

/**
 * Claims the next InitialBloggerFetch instance for each tracking record that needs one: no run in
 * progress (a run is in progress while its registry status is not final and it is not stuck), and
 * either the initial fetch never completed or `force`.
 *
 * Concurrency: the records are locked FOR UPDATE first, and the decision is a second statement, so
 * under READ COMMITTED it sees a racing claim's commit: of two simultaneous re-adds, or a re-add and
 * a BloggerBatch, exactly one claims. Ids: `initial-fetch-<tracking id>` for the first run (as
 * before), `…-r<generation>` for later ones; with `claimKey` (a batch run) `…-<claimKey>`, and a
 * record already claimed under that key answers the same claim again, so a retried step is idempotent.
 */
export async function claimInitialFetches(sql: Sql, requests: ClaimRequest[], opts: { claimKey?: string } = {}): Promise<ClaimOutcome[]> {
  if (requests.length === 0) return [];
  const input = [...new Map(requests.map((r) => [r.trackingId, { id: r.trackingId, force: r.force }])).values()];
  const claimKey = opts.claimKey ?? null;
  return (await sql.begin(async (tx) => {
    await tx`
      select t.id from public.tracked_accounts t
      where t.id in (select (x->>'id')::uuid from jsonb_array_elements(${jsonb(input)}::text::jsonb) x)
      order by t.id
      for update`;
    const rows = await tx<{ id: string; claimed: boolean; in_progress: boolean; current_id: string | null; new_id: string | null }[]>`
      with input as (
        select * from jsonb_to_recordset(${jsonb(input)}::text::jsonb) as r(id uuid, force boolean)
      ),
      state as (
        select t.id, t.initial_fetch_instance_id as current_id, t.initial_fetch_generation as gen, t.initial_videos_fetched as fetched, i.force,
               ${claimKey}::text is not null and t.initial_fetch_instance_id = 'initial-fetch-' || t.id || '-' || ${claimKey}::text as mine,
               case
                 when t.initial_fetch_instance_id is null then false
                 when w.instance_id is null then t.initial_fetch_requested_at > now() - make_interval(mins => ${UNREGISTERED_GRACE_MINUTES})
                 when w.status in ('complete', 'errored', 'terminated') then false
                 else coalesce(t.initial_fetch_requested_at, w.created_at) > now() - make_interval(mins => ${STUCK_AFTER_MINUTES})
               end as in_progress
        from input i
        join public.tracked_accounts t on t.id = i.id
        left join public.workflow_runs w on w.instance_id = t.initial_fetch_instance_id
      ),
      claimed as (
        update public.tracked_accounts t set
          initial_fetch_generation = s.gen + 1,
          initial_fetch_instance_id = case
            when ${claimKey}::text is not null then 'initial-fetch-' || t.id || '-' || ${claimKey}::text
            when s.gen = 0 then 'initial-fetch-' || t.id
            else 'initial-fetch-' || t.id || '-r' || (s.gen + 1) end,
          initial_fetch_requested_at = now()
        from state s
        where s.id = t.id and not s.mine and not s.in_progress and (s.force or not s.fetched)
        returning t.id, t.initial_fetch_instance_id
      )
      select s.id, (c.id is not null or s.mine) as claimed, s.in_progress and not s.mine as in_progress, s.current_id,
             case when s.mine then s.current_id else c.initial_fetch_instance_id end as new_id
      from state s left join claimed c on c.id = s.id`;
    return rows.map((r): ClaimOutcome =>
      r.claimed
        ? { trackingId: r.id, claimed: true, instanceId: r.new_id!, previousInstanceId: r.new_id === r.current_id ? null : r.current_id }
        : { trackingId: r.id, claimed: false, reason: r.in_progress ? 'in_progress' : 'already_fetched', instanceId: r.current_id },
    );
  })) as ClaimOutcome[];
}
