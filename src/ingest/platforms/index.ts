import type { Platform } from '../order.ts';
import type { PlatformAdapter } from '../platform-adapter.ts';
import { easyordersAdapter } from './easyorders.ts';
import { genericAdapter } from './generic.ts';
import { sallaAdapter } from './salla.ts';
import { shopifyAdapter } from './shopify.ts';
import { woocommerceAdapter } from './woocommerce.ts';
import { youcanAdapter } from './youcan.ts';
import { zidAdapter } from './zid.ts';

/** One adapter per platform: adding a platform is its file, its name in PLATFORMS, and one line here. */
export const PLATFORM_ADAPTERS: Readonly<Record<Platform, PlatformAdapter>> = {
  shopify: shopifyAdapter,
  woocommerce: woocommerceAdapter,
  salla: sallaAdapter,
  zid: zidAdapter,
  youcan: youcanAdapter,
  easyorders: easyordersAdapter,
  generic: genericAdapter,
};
