import { z } from 'zod';

/**
 * What an API key may do. `admin` includes every other scope, plus API keys themselves, billing,
 * customer erasure and account-wide settings. A signed-in session is not limited by scopes.
 */
export const API_KEY_SCOPES = ['orders:read', 'orders:write', 'stores', 'numbers', 'admin'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const ApiKeyScopeSchema = z.enum(API_KEY_SCOPES);

/** A new key's scopes when none are chosen: everything but `admin`. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['orders:read', 'orders:write', 'stores', 'numbers'];

/**
 * The scope an API key needs for a route, from its path and method: orders (and analytics,
 * export, the do-not-message list) read or write; stores; WhatsApp numbers. Any other /api/v1
 * route needs `admin` from a key, so a route added later is closed to keys until it is listed here.
 */
const RULES: readonly { prefix: string; scope: (method: string) => ApiKeyScope }[] = [
  { prefix: '/api/v1/orders', scope: (method) => (isRead(method) ? 'orders:read' : 'orders:write') },
  { prefix: '/api/v1/analytics', scope: () => 'orders:read' },
  { prefix: '/api/v1/export', scope: () => 'orders:read' },
  { prefix: '/api/v1/do-not-message', scope: (method) => (isRead(method) ? 'orders:read' : 'orders:write') },
  { prefix: '/api/v1/stores', scope: () => 'stores' },
  { prefix: '/api/v1/whatsapp-numbers', scope: () => 'numbers' },
];

const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

export const requiredScope = (routePath: string, method: string): ApiKeyScope => {
  const rule = RULES.find(({ prefix }) => routePath === prefix || routePath.startsWith(`${prefix}/`));

  return rule ? rule.scope(method) : 'admin';
};

export const hasScope = (granted: readonly ApiKeyScope[], needed: ApiKeyScope): boolean => granted.includes('admin') || granted.includes(needed);
