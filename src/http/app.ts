import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { checkConfig } from '../env';
import { createSql } from '../db/client';
import { requireOrganization, requireUser } from './auth';
import { ApiError, handleError } from './errors';
import { dashboardVideos } from './dashboard/videos';
import { dashboardAnalytics } from './dashboard/analytics';
import { bloggers } from './bloggers';
import { invitations, me, organization, organizations } from './organizations';
import { limits } from './limits';
import { campaigns } from './campaigns';
import { ops } from './ops';
import { meTelegram } from './notifications/telegram';
import { telegramWebhook } from './notifications/telegram-webhook';
import { meNotifications } from './notifications/preferences';
import { alertRules } from './notifications/alert-rules';

import { imports } from './imports';
import { campaignExportRoutes, exportRoutes } from './exports';

import { googleIntegrations } from './sheets/integrations';
import { sheetsSources } from './sheets/sources';

import { reports, sharedReports } from './reports';
import type { AppEnv } from './context';
import { corsFromConfig } from './cors';

export const app = new Hono<AppEnv>();

app.use(requestId());
app.use(secureHeaders());
app.use(corsFromConfig);
app.onError(handleError);
app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

// Per-request services: config checked at the door, one database client per request.
app.use(async (c, next) => {
  checkConfig(c.env);
  c.set('sql', createSql(c.env));
  await next();
});

app.get('/health', async (c) => {
  try {
    await c.get('sql')`select 1`;
    return c.json({ status: 'ok', database: 'ok' });
  } catch (err) {
    console.error(JSON.stringify({ event: 'health_db_error', message: err instanceof Error ? err.message : String(err) }));
    return c.json({ status: 'degraded', database: 'unreachable' }, 503);
  }
});

// Routes for a signed-in user, before they act for an organization (registration, invitations).
const USER_ROUTES: string[] = ['/organizations/*', '/me/*', '/invitations/*'];
for (const prefix of USER_ROUTES) app.use(prefix, requireUser);

// Routes for a signed-in user acting for one of their organizations.
const TENANT_ROUTES = ['/dashboard/*', '/blogger/*', '/organization/*', '/limits/*', '/campaigns/*', '/imports/*', '/exports/*', '/reports/*'];
for (const prefix of TENANT_ROUTES) app.use(prefix, requireUser, requireOrganization);
app.use('/alerts/*', requireUser, requireOrganization);

app.route('/dashboard/videos', dashboardVideos);
app.route('/dashboard', dashboardAnalytics);
app.route('/blogger', bloggers);
app.route('/organizations', organizations);
app.route('/me/telegram', meTelegram);
app.route('/me/notifications', meNotifications);
app.route('/me', me);
app.route('/invitations', invitations);
app.route('/organization', organization);
app.route('/limits', limits);
app.route('/campaigns', campaigns);
app.route('/alerts/rules', alertRules);

// Telegram's webhook: authenticated by its secret header (src/http/notifications/telegram-webhook.ts).
app.route('/telegram', telegramWebhook);

app.route('/imports', imports);
app.route('/exports', exportRoutes);
app.route('/campaigns', campaignExportRoutes);

// Google Sheets: each router guards its own routes (the OAuth callback has no bearer token).
app.route('/integrations/google', googleIntegrations);
app.route('/sheets/sources', sheetsSources);

app.route('/reports', reports);
// Public, read-only: a shared report's token is its credential (no sign-in).
app.route('/shared/reports', sharedReports);

// Operators only (an ops token or an ops role, never organization members): /ops/api/* is guarded
// by src/http/ops/auth.ts; /ops itself is the static page that asks for the token.
app.route('/ops', ops);

export type App = typeof app;
export { ApiError };
