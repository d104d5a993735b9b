import { z } from 'zod';

/** Counts arrive as numbers or numeric strings, and are sometimes missing. */
export const count = z
  .union([z.number(), z.string().regex(/^\d+$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? 0 : Number(v)));
export const idString = z.union([z.string(), z.number()]).transform(String);
export const optionalString = z.string().nullish().transform((v) => v ?? null);
