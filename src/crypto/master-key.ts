import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { createKeyring, toMasterKey, type Keyring, type MasterKey } from './envelope.ts';

const KEY_FILE = 'master.key';

/**
 * The embedded default keeps a generated key in the data dir (mode 0600); it also remembers keys
 * replaced by `akked keys rotate` there until nothing uses them any more.
 */
export const masterKeyFilePath = (dataDirectory: string): string => path.resolve(dataDirectory, KEY_FILE);

const readKeyFile = async (file: string): Promise<string[] | null> => {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
};

export const writeKeyFile = async (file: string, keys: string[]): Promise<void> => {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${keys.join('\n')}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
};

/**
 * The keyring from AKKED_MASTER_KEY (+ AKKED_PREVIOUS_MASTER_KEYS), or from the data dir's key file,
 * generating the file on first start when no database URL says we are a shared deployment.
 */
export const loadKeyring = async (config: Pick<Config, 'AKKED_MASTER_KEY' | 'AKKED_PREVIOUS_MASTER_KEYS' | 'AKKED_DATA_DIR' | 'DATABASE_URL'>): Promise<Keyring> => {
  const previous: MasterKey[] = (config.AKKED_PREVIOUS_MASTER_KEYS ?? []).map(toMasterKey);
  if (config.AKKED_MASTER_KEY) return createKeyring(toMasterKey(config.AKKED_MASTER_KEY), previous);

  const file = masterKeyFilePath(config.AKKED_DATA_DIR);
  let keys = await readKeyFile(file);
  if (!keys || keys.length === 0) {
    if (config.DATABASE_URL) {
      // Several processes share one database: a key generated here would differ from theirs.
      throw new AppError('bad_request', {
        message: `AKKED_MASTER_KEY is required with DATABASE_URL (no key file at ${file}). Generate one with: openssl rand -base64 32`,
      });
    }
    keys = [randomBytes(32).toString('base64')];
    await writeKeyFile(file, keys);
  }
  const [current, ...older] = keys.map(toMasterKey) as [MasterKey, ...MasterKey[]];

  return createKeyring(current, [...older, ...previous]);
};
