import { randomBytes } from 'node:crypto';

/** Prefixes of every id Akked hands out (DESIGN.md §3). */
export const ID_PREFIXES = {
  account: 'acc',
  user: 'usr',
  session: 'ses',
  identity: 'idn',
  verification: 'ver',
  apiKey: 'key',
  store: 'sto',
  whatsappNumber: 'num',
  order: 'ord',
  message: 'msg',
  event: 'evt',
  ledgerEntry: 'led',
  credential: 'crd',
  erasure: 'era',
  email: 'eml',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A prefixed random id such as `ord_3k9x...`: 20 characters from a 36-letter alphabet
 * (about 103 bits), a time part first so ids of one kind sort roughly by creation.
 */
export const newId = (kind: IdKind): string => {
  const time = Date.now().toString(36).padStart(9, '0');
  const bytes = randomBytes(12);
  let random = '';
  for (const byte of bytes) random += ALPHABET[byte % 36];

  return `${ID_PREFIXES[kind]}_${time}${random}`;
};

export const hasIdPrefix = (value: string, kind: IdKind): boolean =>
  value.startsWith(`${ID_PREFIXES[kind]}_`);
