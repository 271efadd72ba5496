import type { Queryable } from '../db/database.ts';
import { newId } from '../ids.ts';

export type ErasureKind = 'customer' | 'store' | 'account' | 'shopify_customer_redact' | 'shopify_shop_redact';

/** Records that an erasure happened: account, kind, counts, time; nothing that identifies a person. */
export const recordErasure = async (queryable: Queryable, accountId: string, kind: ErasureKind, counts: Record<string, number>): Promise<void> => {
  await queryable.query('insert into erasure_audit (id, account_id, kind, counts) values ($1, $2, $3, $4)', [newId('erasure'), accountId, kind, JSON.stringify(counts)]);
};
