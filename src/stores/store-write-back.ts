import { readCredential } from '../credentials/credential-store.ts';
import type { Keyring } from '../crypto/envelope.ts';
import type { Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Platform } from '../ingest/order.ts';
import { WriteBackCredentialsSchemas } from '../writeback/platforms/index.ts';

/** Fields safe to show back to the merchant (which shop, which site), never a token. */
const VISIBLE_FIELDS = ['shopDomain', 'storeUrl'] as const;

export type WriteBackSummary = { supported: boolean; configured: boolean; shopDomain?: string; storeUrl?: string };

export const validateWriteBack = (platform: Platform, value: Record<string, unknown>): Record<string, unknown> => {
  const schema = WriteBackCredentialsSchemas[platform];
  if (!schema) throw new AppError('bad_request', { message: `writeBack: ${platform} stores have no write-back API` });
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('bad_request', {
      message: parsed.error.issues.map((issue) => `writeBack.${issue.path.join('.')}: ${issue.message}`).join('; '),
    });
  }

  return parsed.data as Record<string, unknown>;
};

export const readWriteBackSummary = async (
  queryable: Queryable,
  keyring: Keyring,
  store: { id: string; platform: Platform },
): Promise<WriteBackSummary> => {
  const supported = WriteBackCredentialsSchemas[store.platform] !== undefined;
  const stored = (await readCredential(queryable, keyring, store.id, 'write-back')) as Record<string, unknown> | null;
  const summary: WriteBackSummary = { supported, configured: stored !== null };
  for (const field of VISIBLE_FIELDS) {
    if (typeof stored?.[field] === 'string') summary[field] = stored[field] as string;
  }

  return summary;
};
