// Prints an access token for the seeded demo user, signed like Supabase's (HS256, aud authenticated),
// with the secret from .dev.vars. Usage: TOKEN=$(npm run -s dev:token)
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';

export const DEMO_USER_ID = '00000000-0000-4000-8000-000000000001';
export const DEMO_ORG_ID = '00000000-0000-4000-8000-0000000000a1';

export function devSecret(file = new URL('../.dev.vars', import.meta.url)) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : fs.readFileSync(new URL('../.dev.vars.example', import.meta.url), 'utf8');
  const match = /^SUPABASE_JWT_SECRET=(.*)$/m.exec(text);
  if (!match) throw new Error('SUPABASE_JWT_SECRET is not set in .dev.vars');
  return match[1].trim();
}

export async function devToken({ userId = DEMO_USER_ID, email = 'demo@influtics.local', expiresIn = '24h' } = {}) {
  return new SignJWT({ email, role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(devSecret()));
}

// (compared as URLs: a checkout path with spaces is percent-encoded in import.meta.url)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await devToken()}\n`);
}
