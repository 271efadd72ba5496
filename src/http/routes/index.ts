import type { Auth } from '../../accounts/auth.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';
import { registerApiKeyRoutes } from './api-key-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerBillingRoutes } from './billing-routes.ts';
import { registerCloudWebhookRoutes } from './cloud-webhook-routes.ts';
import { registerDashboardRoutes } from './dashboard-routes.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerNumberRoutes } from './number-routes.ts';
import { registerOrderRoutes } from './order-routes.ts';
import { registerPrivacyRoutes } from './privacy-routes.ts';
import { registerStoreRoutes } from './store-routes.ts';
import { registerWebhookRoutes } from './webhook-routes.ts';

export type RouteDependencies = {
  auth: Auth;
  authenticator: Authenticator;
  csrfSecret: Buffer;
};

/** Every route of the api role, in one list, so the whole HTTP surface reads in one place. */
export const registerRoutes = async (app: AppInstance, dependencies: RouteDependencies): Promise<void> => {
  // operations
  registerHealthRoutes(app);
  // accounts
  registerAuthRoutes(app, { auth: dependencies.auth, config: app.services.config });
  registerSessionRoutes(app, dependencies);
  registerApiKeyRoutes(app, dependencies);
  // stores
  registerStoreRoutes(app, dependencies);
  // whatsapp numbers
  registerNumberRoutes(app, dependencies);
  // orders
  registerOrderRoutes(app, dependencies);
  // billing (and its Stripe webhook)
  registerBillingRoutes(app, dependencies);
  // privacy
  registerPrivacyRoutes(app, dependencies);
  // webhooks
  registerCloudWebhookRoutes(app);
  registerWebhookRoutes(app);
  // the dashboard: its assets, and index.html for every page path
  await registerDashboardRoutes(app);
};
