import { cors } from 'hono/cors';
import { checkConfig } from '../env';

/**
 * CORS for a browser frontend on another origin: only the origins in CORS_ORIGINS (src/env.ts) get
 * `Access-Control-Allow-Origin`, with credentials, the bearer token and the organization header
 * allowed; preflight requests are answered here, before authentication (browsers send them
 * without a token). Error responses carry the headers too, so the page can read the envelope.
 */
export const corsFromConfig = cors({
  origin: (origin, c) => (checkConfig(c.env as Env).CORS_ORIGINS.includes(origin) ? origin : null),
  credentials: true,
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', 'X-Organization-Id'],
  exposeHeaders: ['Retry-After', 'Content-Disposition', 'X-Request-Id'],
  maxAge: 600,
});
