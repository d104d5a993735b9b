import type postgres from 'postgres';
import { asUser } from '../db/client';
import type { AppContext } from './context';

/** Runs `fn` in one transaction as the signed-in caller (role authenticated, their JWT claims): RLS applies. */
export const asCaller = <T>(c: AppContext, fn: (tx: postgres.TransactionSql) => Promise<T>) => asUser(c.get('sql'), c.get('user').claims, fn);
