import { randomFillSync } from 'node:crypto';

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
  liveStream: 'lst',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

// Ids are made on every hot path (several per webhook): random bytes are drawn from the CSPRNG
// 4 KiB at a time instead of one call per id, and each byte is used once.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

/** `count` bytes from the CSPRNG (at most 4096), never handed out twice; valid until the next call. */
export const takeRandomBytes = (count: number): Buffer => {
  if (randomPoolOffset + count > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const bytes = randomPool.subarray(randomPoolOffset, randomPoolOffset + count);
  randomPoolOffset += count;

  return bytes;
};

/**
 * A prefixed random id such as `ord_3k9x...`: 20 characters from a 36-letter alphabet
 * (about 103 bits), a time part first so ids of one kind sort roughly by creation.
 */
export const newId = (kind: IdKind): string => {
  const time = Date.now().toString(36).padStart(9, '0');
  const bytes = takeRandomBytes(12);
  let random = '';
  for (const byte of bytes) random += ALPHABET[byte % 36];

  return `${ID_PREFIXES[kind]}_${time}${random}`;
};

export const hasIdPrefix = (value: string, kind: IdKind): boolean =>
  value.startsWith(`${ID_PREFIXES[kind]}_`);
