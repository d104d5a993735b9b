import { Hono } from 'hono';
import scalarJs from '../../../node_modules/@scalar/api-reference/dist/browser/standalone.js';
import docsScript from './docs.client.js';
import type { AppEnv } from '../context';

/**
 * GET /docs — the interactive API reference (Scalar) over /openapi.json and /ops/openapi.json.
 * Scalar's standalone build ships inside the Worker as a text module, so the page works offline
 * (`npm run dev` without network) and loads nothing from a CDN.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Influtics API reference</title>
</head>
<body>
<div id="app"></div>
<script src="/docs/assets/scalar.js"></script>
<script type="module" src="/docs/assets/docs.js"></script>
</body>
</html>
`;

const script = (body: string) => () =>
  new Response(body, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' } });

export const docs = new Hono<AppEnv>()
  .get('/', (c) => c.body(PAGE, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'cache-control': 'no-store' }))
  .get('/assets/scalar.js', script(scalarJs))
  .get('/assets/docs.js', script(docsScript));
