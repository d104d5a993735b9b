/**
 * A workflow run's status: every status the Workflows runtime reports (InstanceStatus, including
 * `rollingBack`), plus `unknown` for one we cannot read. The `workflow_runs` registry, the ops API
 * and its filters all use this one list.
 */
export const RUN_STATUSES = ['queued', 'running', 'paused', 'waiting', 'waitingForPause', 'rollingBack', 'errored', 'terminated', 'complete', 'unknown'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run does not leave by itself. */
export const FINAL_STATUSES = ['complete', 'errored', 'terminated'] as const satisfies readonly RunStatus[];

export const isRunStatus = (s: string): s is RunStatus => (RUN_STATUSES as readonly string[]).includes(s);

/** Who started a run. */
export const RUN_TRIGGERS = ['http', 'cron', 'workflow', 'ops'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** A tracked video's status (the database enum `video_status`). */
export const VIDEO_STATUSES = ['tracking', 'stopped', 'deleted'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];
