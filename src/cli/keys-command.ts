import { randomBytes } from 'node:crypto';
import { createKeyring, toMasterKey } from '../crypto/envelope.ts';
import { loadKeyring, masterKeyFilePath, writeKeyFile } from '../crypto/master-key.ts';
import { rotateKeys } from '../crypto/rotate-keys.ts';
import { openConfiguredDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { loadConfigOrExplain, type CommandIo } from './command-io.ts';

const HELP = `Usage: akked keys rotate

Re-encrypts every stored credential (linked-device keys, Cloud API tokens, store tokens, webhook
secrets) under the current master key, then prints {"reEncrypted":{...},"remainingOnOldKeys":N}.

With AKKED_MASTER_KEY (PostgreSQL deployments), rotate without downtime:
  1. restart every process with AKKED_MASTER_KEY=<new key> and AKKED_PREVIOUS_MASTER_KEYS=<old key>;
  2. run "akked keys rotate" (the service keeps running; concurrent writes are never lost);
  3. once it reports remainingOnOldKeys 0, remove AKKED_PREVIOUS_MASTER_KEYS.
On the embedded database (key file in AKKED_DATA_DIR) it generates a new key, re-encrypts
everything, and drops the old key from the file. Stop "akked serve" first: one process owns the
embedded database at a time.`;

export const runKeysCommand = async (args: string[], io: CommandIo): Promise<number> => {
  const [subcommand, ...rest] = args;
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${HELP}\n`);

    return 0;
  }
  if (subcommand !== 'rotate' || rest.length > 0) {
    const problem = subcommand === undefined ? 'missing subcommand "rotate"' : `unexpected argument "${subcommand === 'rotate' ? rest[0] : subcommand}"`;
    io.stderr(`akked keys: ${problem}\n\n${HELP}\n`);

    return 2;
  }
  const config = loadConfigOrExplain(io);
  if (!config) return 1;
  try {
    const database = await openConfiguredDatabase(config);
    try {
      await migrate(database);
      let keyring = await loadKeyring(config);
      const usesKeyFile = !config.AKKED_MASTER_KEY;
      if (usesKeyFile) {
        const fresh = toMasterKey(randomBytes(32).toString('base64'));
        const file = masterKeyFilePath(config.AKKED_DATA_DIR);
        const older = [...keyring.byId.values()];
        // The new key goes first in the file before anything is re-encrypted, so a crash midway
        // leaves every value readable.
        await writeKeyFile(file, [fresh, ...older].map((key) => key.key.toString('base64')));
        keyring = createKeyring(fresh, older);
        const result = await rotateKeys(database, keyring);
        if (result.remainingOnOldKeys === 0) await writeKeyFile(file, [fresh.key.toString('base64')]);
        io.stdout(`${JSON.stringify(result)}\n`);
      } else {
        io.stdout(`${JSON.stringify(await rotateKeys(database, keyring))}\n`);
      }
    } finally {
      await database.close();
    }

    return 0;
  } catch (error) {
    io.stderr(`akked keys rotate: ${(error as Error).message}\n`);

    return 1;
  }
};
