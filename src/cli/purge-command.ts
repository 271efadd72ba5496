import { parseArgs } from 'node:util';
import { loadKeyring } from '../crypto/master-key.ts';
import { openConfiguredDatabase } from '../db/database.ts';
import { DEFAULT_JOB_SCHEMA } from '../jobs/job-queue.ts';
import { migrate } from '../db/migrate.ts';
import { purge } from '../privacy/purge.ts';
import { createCommandLogger, loadConfigOrExplain, type CommandIo } from './command-io.ts';

const HELP = `Usage: akked purge [--as-of ISO-8601] [--dry-run]

The retention job, run by hand (workers also run it daily). Deletes every order, message, event
and job row received more than 12 months before --as-of (default: now), the WhatsApp session keys
of customers left with no younger order, and blanks message text older than
AKKED_MESSAGE_TEXT_DAYS (default 30) before --as-of. --dry-run only counts.
Prints one JSON line on stdout:
  {"asOf","dryRun","deleted":{"orders","messages","events","jobs"},"blanked":{"messages"}}
Logs go to stderr.`;

export const runPurgeCommand = async (args: string[], io: CommandIo): Promise<number> => {
  let values: { 'as-of'?: string; 'dry-run'?: boolean; help?: boolean };
  try {
    values = parseArgs({ args, options: { 'as-of': { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (error) {
    io.stderr(`akked purge: ${(error as Error).message}\n\n${HELP}\n`);

    return 2;
  }
  if (values.help) {
    io.stdout(`${HELP}\n`);

    return 0;
  }
  const asOf = values['as-of'] ? new Date(values['as-of']) : new Date();
  if (Number.isNaN(asOf.getTime())) {
    io.stderr(`akked purge: --as-of: not an ISO-8601 instant: ${values['as-of']}\n`);

    return 2;
  }
  const config = loadConfigOrExplain(io);
  if (!config) return 1;
  const logger = createCommandLogger(config, 'purge');
  try {
    const database = await openConfiguredDatabase(config);
    try {
      await migrate(database);
      const keyring = await loadKeyring(config);
      const result = await purge({ database, keyring, jobSchema: DEFAULT_JOB_SCHEMA, logger, asOf, dryRun: values['dry-run'] === true, messageTextDays: config.AKKED_MESSAGE_TEXT_DAYS });
      io.stdout(`${JSON.stringify(result)}\n`);
    } finally {
      await database.close();
    }

    return 0;
  } catch (error) {
    io.stderr(`akked purge: ${(error as Error).message}\n`);

    return 1;
  }
};
