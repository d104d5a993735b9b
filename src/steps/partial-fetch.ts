/**
 * MIN_PARTIAL_FETCH: how many videos each blogger of a batch may fetch given the organization's
 * remaining quota. remaining ≥ daily → daily; remaining ≥ 10 → 10; otherwise skip (with a reason).
 */
export const MIN_PARTIAL_FETCH = 10;

export interface BatchCandidate {
  trackingId: string;
  organizationId: string;
  dailyVideosCount: number;
}

export interface PlannedFetch<C extends BatchCandidate> {
  candidate: C;
  count: number;
  partial: boolean;
}

export interface SkippedFetch<C extends BatchCandidate> {
  candidate: C;
  reason: string;
}

export function planBatchFetches<C extends BatchCandidate>(candidates: C[], remainingByOrg: Map<string, number | null>) {
  const planned: PlannedFetch<C>[] = [];
  const skipped: SkippedFetch<C>[] = [];
  const remaining = new Map(remainingByOrg);
  for (const c of candidates) {
    const left = remaining.get(c.organizationId);
    if (left === null) {
      planned.push({ candidate: c, count: c.dailyVideosCount, partial: false });
      continue;
    }
    if (left === undefined) {
      skipped.push({ candidate: c, reason: 'organization has no subscription plan' });
      continue;
    }
    let count: number;
    if (left >= c.dailyVideosCount) count = c.dailyVideosCount;
    else if (left >= MIN_PARTIAL_FETCH) count = MIN_PARTIAL_FETCH;
    else {
      skipped.push({ candidate: c, reason: `video quota nearly used: ${left} remaining this period, fewer than the minimum partial fetch of ${MIN_PARTIAL_FETCH}` });
      continue;
    }
    remaining.set(c.organizationId, left - count);
    planned.push({ candidate: c, count, partial: count < c.dailyVideosCount });
  }
  return { planned, skipped };
}
