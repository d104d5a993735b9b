import { Hono } from 'hono';
import chartJs from '../../../node_modules/chart.js/dist/chart.umd.min.js';
import opsScript from '../../ops/ui/ops.client.js';
import opsHtml from '../../ops/ui/ops.html';
import type { OpsEnv } from './auth';

/**
 * The ops page: static HTML, its script and Chart.js (bundled from the npm package as text modules,
 * so nothing loads from a CDN). The page holds no data; everything comes from /ops/api with the
 * operator's token.
 */
export const opsPage = new Hono<OpsEnv>();

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const asset = (body: string, type: string) => () =>
  new Response(body, { headers: { 'content-type': type, 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' } });

opsPage.get('/', (c) => c.body(opsHtml, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'cache-control': 'no-store' }));
opsPage.get('/assets/ops.js', asset(opsScript, 'text/javascript; charset=utf-8'));
opsPage.get('/assets/chart.umd.min.js', asset(chartJs, 'text/javascript; charset=utf-8'));
