import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { checkConfig } from '../env';
import { createSql } from '../db/client';
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

import { googleCallback, googleIntegrations } from './sheets/integrations';
import { sheetsSources } from './sheets/sources';

import { reports, sharedReports } from './reports';
import type { AppEnv } from './context';
import { corsFromConfig } from './cors';
import { mountGroups } from './mount';
import { apiDocuments } from './openapi/document';
import { docs } from './openapi/docs';
import { defaultHook } from './openapi/route';

export const app = new OpenAPIHono<AppEnv>({ defaultHook: defaultHook as never });

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

// Auth by construction (src/http/mount.ts): each router is mounted through the group that guards it.
const mount = mountGroups(app);

// A signed-in user, before they act for an organization (registration, invitations, preferences).
mount.user('/organizations', organizations);
mount.user('/me', me);
mount.user('/invitations', invitations);

// A signed-in user acting for one of their organizations.
mount.tenant('/dashboard/videos', dashboardVideos);
mount.tenant('/dashboard', dashboardAnalytics);
mount.tenant('/blogger', bloggers);
mount.tenant('/me/telegram', meTelegram);
mount.tenant('/me/notifications', meNotifications);
mount.tenant('/organization', organization);
mount.tenant('/limits', limits);
mount.tenant('/campaigns', campaigns);
mount.tenant('/alerts/rules', alertRules);
mount.tenant('/imports', imports);
mount.tenant('/exports', exportRoutes);
mount.tenant('/campaigns', campaignExportRoutes);
mount.tenant('/reports', reports);
mount.tenant('/sheets/sources', sheetsSources);
mount.tenant('/integrations/google', googleIntegrations);

// Telegram's webhook: authenticated by its secret header (src/http/notifications/telegram-webhook.ts).
mount.public('/telegram', telegramWebhook);
// Google's OAuth callback: no bearer token (Google redirects the browser); its signed state names the caller.
mount.public('/integrations/google', googleCallback);
// Public, read-only: a shared report's token is its credential (no sign-in).
mount.public('/shared/reports', sharedReports);

// Operators only (an ops token or an ops role, never organization members): /ops/api/* is guarded
// by src/http/ops/auth.ts; /ops itself is the static page that asks for the token.
app.route('/ops', ops);

// The contract: OpenAPI 3.1 documents generated from the route declarations, and a reference page.
app.get('/openapi.json', (c) => c.json(apiDocuments(app).api));
app.get('/ops/openapi.json', (c) => c.json(apiDocuments(app).ops));
mount.public('/docs', docs);

export type App = typeof app;
export { ApiError };
