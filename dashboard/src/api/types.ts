/** Shapes of the public API's answers, named from the generated types (schema.ts). */
import type { ItemOf, RequestBody, ResponseBody } from './schema.ts';

export type Language = NonNullable<RequestBody<'/api/v1/session/user', 'patch'>['language']>;

export type Session = ResponseBody<'/api/v1/session'>;
export type SessionUser = Session['user'];
export type SessionAccount = Session['account'];

export type WhatsappNumberStatus = ResponseBody<'/api/v1/whatsapp-numbers/{id}'>['status'];
export type Platform = ItemOf<'/api/v1/stores'>['platform'];
export const PLATFORMS: Platform[] = ['shopify', 'woocommerce', 'salla', 'zid', 'youcan', 'easyorders', 'generic'];
