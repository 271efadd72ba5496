import type { Config } from '../../config.ts';
import type { Keyring } from '../../crypto/envelope.ts';
import type { Database, Queryable } from '../../db/database.ts';
import type { Logger } from '../../logger.ts';
import type { ProviderKind, WhatsAppProvider } from '../provider.ts';
import { createCloudProvider } from './cloud.ts';
import { createLinkedProvider } from './linked.ts';
import { createSimulatorProvider } from './simulator.ts';

/** Every WhatsApp provider this process can drive: adding one is a file plus a line here. */
export const createProviders = (options: {
  config: Config;
  database: Database;
  keyring: Keyring;
  logger: Logger;
  /** The lease check of the session manager, so a stale process cannot write a number's keys. */
  fencingFor: (numberId: string) => { check(transaction: Queryable): Promise<void> };
}): Map<ProviderKind, WhatsAppProvider> => {
  const { config } = options;
  const providers = new Map<ProviderKind, WhatsAppProvider>();
  providers.set('linked', createLinkedProvider({ database: options.database, keyring: options.keyring, logger: options.logger, fencingFor: options.fencingFor }));
  providers.set('cloud', createCloudProvider({ baseUrl: config.AKKED_CLOUD_API_BASE_URL }));
  // The simulated network exists only where an operator points Akked at one (never in production).
  if (config.AKKED_WHATSAPP_SIMULATOR_URL) providers.set('simulator', createSimulatorProvider({ simulatorUrl: config.AKKED_WHATSAPP_SIMULATOR_URL }));

  return providers;
};
