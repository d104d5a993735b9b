import { z } from 'zod';

/**
 * Scheduled reports' configuration.
 *   REPORTS_PUBLIC_BASE_URL  var: the origin of this API as recipients reach it; share links
 *                            (/shared/reports/<token>) in digests point there.
 */
const ReportsConfig = z.object({
  REPORTS_PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8787'),
});

export function reportsConfig(env: Env): z.infer<typeof ReportsConfig> {
  const raw = env as unknown as Record<string, unknown>;
  return ReportsConfig.parse({ REPORTS_PUBLIC_BASE_URL: raw.REPORTS_PUBLIC_BASE_URL || undefined });
}

/** The public page of a shared report and its xlsx. */
export function shareUrls(env: Env, token: string) {
  const base = reportsConfig(env).REPORTS_PUBLIC_BASE_URL.replace(/\/+$/, '');
  return { reportUrl: `${base}/shared/reports/${token}`, xlsxUrl: `${base}/shared/reports/${token}/file` };
}
