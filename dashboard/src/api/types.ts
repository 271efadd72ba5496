/** Shapes of the public API's answers (DESIGN.md §5.3), as the dashboard reads them. */

export type Language = 'ar' | 'en' | 'fr';

export type SessionUser = { id: string; name: string; email: string; emailVerified: boolean; language: string };
export type SessionAccount = { id: string; name: string; plan: string; creditBalance: number };
export type Session = { user: SessionUser; account: SessionAccount; csrfToken: string };

export type WhatsappNumberStatus = 'pending_link' | 'connected' | 'hibernated' | 'disconnected' | 'logged_out' | 'banned';
export type Platform = 'shopify' | 'woocommerce' | 'salla' | 'zid' | 'youcan' | 'easyorders' | 'generic';
export const PLATFORMS: Platform[] = ['shopify', 'woocommerce', 'salla', 'zid', 'youcan', 'easyorders', 'generic'];
