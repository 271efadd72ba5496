import type { z } from 'zod';
import type { Platform } from '../../ingest/order.ts';
import type { WriteBackAdapter, WriteBackOutcome, WriteBackRequest } from '../write-back-adapter.ts';
import { EasyOrdersCredentialsSchema, easyOrdersWriteBackAdapter } from './easyorders.ts';
import { SallaCredentialsSchema, sallaWriteBackAdapter } from './salla.ts';
import { ShopifyCredentialsSchema, shopifyWriteBackAdapter } from './shopify.ts';
import { WooCommerceCredentialsSchema, wooCommerceWriteBackAdapter } from './woocommerce.ts';
import { YouCanCredentialsSchema, youCanWriteBackAdapter } from './youcan.ts';
import { ZidCredentialsSchema, zidWriteBackAdapter } from './zid.ts';

/** Write-back adapter per platform; `generic` stores have no API to write to. */
export const WRITE_BACK_ADAPTERS: Partial<Record<Platform, WriteBackAdapter>> = {
  shopify: shopifyWriteBackAdapter,
  woocommerce: wooCommerceWriteBackAdapter,
  salla: sallaWriteBackAdapter,
  zid: zidWriteBackAdapter,
  youcan: youCanWriteBackAdapter,
  easyorders: easyOrdersWriteBackAdapter,
};

/**
 * The `writeBack` credentials each platform takes (`PATCH /api/v1/stores/:id {writeBack}`,
 * DESIGN.md §5.3). A platform missing here has no write-back.
 */
export const WriteBackCredentialsSchemas: Partial<Record<Platform, z.ZodType>> = {
  shopify: ShopifyCredentialsSchema,
  woocommerce: WooCommerceCredentialsSchema,
  salla: SallaCredentialsSchema,
  zid: ZidCredentialsSchema,
  youcan: YouCanCredentialsSchema,
  easyorders: EasyOrdersCredentialsSchema,
};

/**
 * Records a confirmation or cancellation on the store, validating the stored credentials first.
 * `not_supported` when the platform has no adapter or cannot record that result (YouCan has no
 * "confirmed"); errors as described on `WriteBackAdapter.write`.
 */
export const writeResultToStore = async (request: WriteBackRequest<unknown> & { platform: Platform }): Promise<WriteBackOutcome> => {
  const adapter = WRITE_BACK_ADAPTERS[request.platform];
  if (!adapter || !adapter.supportedResults.includes(request.result)) return 'not_supported';
  const { platform: _platform, ...writeRequest } = request;

  return adapter.write(writeRequest);
};
