import { GoogleApiError, SheetsApi } from '../../google/sheets-api';
import { googleConfig } from '../../google/config';
import { accessTokenFor, NeedsReauthError } from '../../steps/google-token';
import { ApiError } from '../errors';
import type { AppContext } from '../context';
import type { IntegrationRow } from '../../db/google-sheets';

/** A Sheets client for a route, acting as the integration's Google account. */
export async function sheetsApiFor(c: AppContext, integration: IntegrationRow): Promise<SheetsApi> {
  if (integration.status !== 'active') throw reconnect();
  try {
    const { token } = await accessTokenFor(c.env, c.get('sql'), integration.id);
    return new SheetsApi(googleConfig(c.env).GOOGLE_SHEETS_API_BASE_URL, token);
  } catch (err) {
    throw asHttpError(err);
  }
}

const reconnect = () => new ApiError('conflict', 'this Google account must be connected again (Google revoked or expired its access)', { integration_status: 'needs_reauth' });

/** Google's answers as ours: nothing of Google's internals, a status the caller can act on. */
export function asHttpError(err: unknown): unknown {
  if (err instanceof NeedsReauthError) return reconnect();
  if (err instanceof GoogleApiError) {
    if (err.status === 404 || err.status === 403)
      return new ApiError('not_found', 'spreadsheet not found, or this Google account cannot open it (with the drive.file scope, pick the file in the Google Picker first)');
    if (err.status === 429) return new ApiError('rate_limited', 'Google Sheets rate limit reached: try again in a minute');
    if (err.status === 400) return new ApiError('unprocessable', `Google refused the request: ${err.message}`);
    return new ApiError('bad_gateway', 'Google Sheets did not answer: try again shortly');
  }
  return err;
}

export async function google<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asHttpError(err);
  }
}

export function integrationJson(i: IntegrationRow) {
  return {
    id: i.id,
    google_email: i.google_email,
    scopes: i.scopes,
    status: i.status,
    status_reason: i.status_reason,
    status_changed_at: i.status_changed_at,
    sources: i.sources,
    created_at: i.created_at,
    updated_at: i.updated_at,
  };
}
