import { parseArgs } from 'node:util';
import { grantCredits, readBalance } from '../billing/credits.ts';
import { openConfiguredDatabase, type Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { migrate } from '../db/migrate.ts';
import { loadConfigOrExplain, type CommandIo } from './command-io.ts';

const HELP = `Usage: akked credits grant --account acc_... --credits N --reason "..." [--reference R]

An operator adjustment of an account's credits, written to its ledger (kind "adjustment").
--credits may be negative (write --credits=-50) to take credits back; the balance never goes
below zero (refused).
--reference makes the grant idempotent: running it again with the same reference changes nothing.
Prints one JSON line on stdout: {"account","credits","applied","balance"}.`;

export type GrantOptions = { accountId: string; credits: number; reason: string; reference: string | null };

export type GrantResult = { account: string; credits: number; applied: boolean; balance: number };

/** Reads the options of `credits grant`, or says what is wrong with them. */
export const parseGrantArguments = (args: string[]): { options: GrantOptions } | { problem: string } => {
  let values: { account?: string; credits?: string; reason?: string; reference?: string };
  try {
    values = parseArgs({
      args,
      options: { account: { type: 'string' }, credits: { type: 'string' }, reason: { type: 'string' }, reference: { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const credits = Number(values.credits);
  const reason = values.reason?.trim() ?? '';
  const problems = [
    ...(values.account && /^acc_\w+$/.test(values.account) ? [] : ['--account: expected an account id "acc_..."']),
    ...(Number.isSafeInteger(credits) && credits !== 0 && Math.abs(credits) <= 10_000_000 ? [] : ['--credits: expected a whole number other than 0']),
    ...(reason.length > 0 && reason.length <= 500 ? [] : ['--reason: required (at most 500 characters)']),
  ];
  if (problems.length > 0) return { problem: problems.join('; ') };

  return { options: { accountId: values.account as string, credits, reason, reference: values.reference ?? null } };
};

/** Writes the adjustment to the ledger in one transaction; refuses an unknown account or a balance below zero. */
export const grantOperatorCredits = async (database: Database, options: GrantOptions): Promise<GrantResult> => {
  const applied = await database.transaction(async (transaction) => {
    const [account] = await transaction.query('select 1 from accounts where id = $1 for update', [options.accountId]);
    if (!account) throw new AppError('not_found', { message: `no account ${options.accountId}` });
    const balance = await readBalance(transaction, options.accountId);
    if (balance + options.credits < 0) {
      throw new AppError('invalid_state', { message: `the balance of ${options.accountId} is ${balance}: taking ${-options.credits} would go below zero` });
    }

    return grantCredits(transaction, { accountId: options.accountId, kind: 'adjustment', credits: options.credits, reason: options.reason, reference: options.reference });
  });

  return { account: options.accountId, credits: options.credits, applied, balance: await readBalance(database, options.accountId) };
};

export const runCreditsCommand = async (args: string[], io: CommandIo): Promise<number> => {
  const [subcommand, ...rest] = args;
  if (subcommand === '--help' || subcommand === '-h' || (subcommand === 'grant' && (rest.includes('--help') || rest.includes('-h')))) {
    io.stdout(`${HELP}\n`);

    return 0;
  }
  if (subcommand !== 'grant') {
    io.stderr(`akked credits: unknown subcommand "${subcommand ?? ''}"\n\n${HELP}\n`);

    return 2;
  }
  const parsed = parseGrantArguments(rest);
  if ('problem' in parsed) {
    io.stderr(`akked credits grant: ${parsed.problem}\n\n${HELP}\n`);

    return 2;
  }
  const config = loadConfigOrExplain(io);
  if (!config) return 1;
  try {
    const database = await openConfiguredDatabase(config);
    try {
      await migrate(database);
      io.stdout(`${JSON.stringify(await grantOperatorCredits(database, parsed.options))}\n`);
    } finally {
      await database.close();
    }

    return 0;
  } catch (error) {
    io.stderr(`akked credits grant: ${(error as Error).message}\n`);

    return 1;
  }
};
