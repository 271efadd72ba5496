import { jidDecode } from 'baileys';
import { z } from 'zod';
import type { Keyring } from '../../crypto/envelope.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { openAuthValue, sealAuthValue, writeAuthRows, type AuthRowWrite } from './auth-key-rows.ts';

/**
 * Erasure of one customer from a linked device's signal keys (DESIGN.md §5.3, customer deletion
 * and purge). A customer is known to WhatsApp by a phone-number id (PN, the digits of the phone)
 * and, since 2025, a LID (an opaque number); baileys names its keys after either.
 *
 * Both ids are found first: the given one, plus every pair in the `lid-mapping` rows that shares
 * one of them (`<pn>` → lid and `<lid>_reverse` → pn; values are decrypted to read them). Then, in
 * one transaction, these entries of the number are removed:
 *
 * | type             | key id (as baileys 7.0.0-rc14 names it)                    | action            |
 * |------------------|------------------------------------------------------------|-------------------|
 * | session          | `<pn>.<device>`, `<pn>_128.<device>` (hosted),             | deleted           |
 * |                  | `<lid>_1.<device>`, `<lid>_129.<device>` (hosted LID)      |                   |
 * | identity-key     | same as session                                            | deleted           |
 * | sender-key       | `<group jid>::<address>::<device>` with an address above   | deleted           |
 * | device-list      | `<pn>`, `<lid>`                                            | deleted           |
 * | lid-mapping      | `<pn>`, `<lid>_reverse` (every pair linking the two ids)   | deleted           |
 * | tctoken          | `<pn>@s.whatsapp.net`, `<pn>@hosted`, `<lid>@lid`,         | deleted           |
 * |                  | `<lid>@hosted.lid` (privacy tokens)                        |                   |
 * | tctoken          | `__index` (list of jids holding tokens)                    | their jids removed |
 * | sender-key-memory| `<group jid>` → {device jid: true}                         | their devices removed |
 *
 * Untouched: the creds (our own device), pre-keys, app-state keys and versions (hashes only).
 *
 * A live session keeps keys it read in memory for up to five minutes and may write them back if
 * the customer writes again meanwhile; callers close the number's session (it reloads from the
 * database on wake) when the erasure must hold at once.
 */

const DigitsSchema = z.string().regex(/^\d{1,24}$/);

const PHONE_SERVERS: ReadonlySet<string> = new Set(['s.whatsapp.net', 'c.us', 'hosted']);
const LID_SERVERS: ReadonlySet<string> = new Set(['lid', 'hosted.lid']);

type ContactIds = { phoneUsers: Set<string>; lidUsers: Set<string> };

/** An E.164 phone (`+212612345678`), its digits, or a jid (`…@s.whatsapp.net`, `…@lid`, with a device or not). */
const readContact = (jidOrPhone: string): ContactIds => {
  const ids: ContactIds = { phoneUsers: new Set(), lidUsers: new Set() };
  const trimmed = jidOrPhone.trim();
  if (!trimmed.includes('@')) {
    const digits = DigitsSchema.safeParse(trimmed.replace(/^\+/, ''));
    if (!digits.success) throw new AppError('bad_request', { message: 'expected a phone in E.164 or a WhatsApp id' });
    ids.phoneUsers.add(digits.data);

    return ids;
  }
  const decoded = jidDecode(trimmed);
  const user = DigitsSchema.safeParse(decoded?.user);
  if (!decoded || !user.success) throw new AppError('bad_request', { message: 'expected a phone in E.164 or a WhatsApp id' });
  if (PHONE_SERVERS.has(decoded.server)) ids.phoneUsers.add(user.data);
  else if (LID_SERVERS.has(decoded.server)) ids.lidUsers.add(user.data);
  else throw new AppError('bad_request', { message: 'the WhatsApp id is not a person (group, broadcast, newsletter...)' });

  return ids;
};

/** Whether a jid (any device) is one of the customer's. */
const isContactJid = (jid: string, ids: ContactIds): boolean => {
  const decoded = jidDecode(jid);
  if (!decoded?.user) return false;
  if (PHONE_SERVERS.has(decoded.server)) return ids.phoneUsers.has(decoded.user);
  if (LID_SERVERS.has(decoded.server)) return ids.lidUsers.has(decoded.user);

  return false;
};

type MappingRow = { keyId: string; phoneUser: string; lidUser: string };

const REVERSE_SUFFIX = '_reverse';

/** Adds every id linked to the customer's by the lid-mapping rows; returns the rows linking them. */
const collectLinkedIds = async (transaction: Queryable, keyring: Keyring, numberId: string, ids: ContactIds): Promise<MappingRow[]> => {
  const rows = await transaction.query<{ key_id: string; envelope: string }>(
    "select key_id, envelope from whatsapp_auth_keys where number_id = $1 and type = 'lid-mapping'",
    [numberId],
  );
  const mappings: MappingRow[] = [];
  for (const row of rows) {
    const value = openAuthValue(keyring, numberId, 'lid-mapping', row.key_id, row.envelope);
    if (typeof value !== 'string') continue;
    mappings.push(
      row.key_id.endsWith(REVERSE_SUFFIX)
        ? { keyId: row.key_id, lidUser: row.key_id.slice(0, -REVERSE_SUFFIX.length), phoneUser: value }
        : { keyId: row.key_id, phoneUser: row.key_id, lidUser: value },
    );
  }
  const linked = new Set<MappingRow>();
  let isGrowing = true;
  while (isGrowing) {
    isGrowing = false;
    for (const mapping of mappings) {
      if (linked.has(mapping)) continue;
      if (!ids.phoneUsers.has(mapping.phoneUser) && !ids.lidUsers.has(mapping.lidUser)) continue;
      linked.add(mapping);
      ids.phoneUsers.add(mapping.phoneUser);
      ids.lidUsers.add(mapping.lidUser);
      isGrowing = true;
    }
  }

  return [...linked];
};

const rewriteTcTokenIndex = async (transaction: Queryable, keyring: Keyring, numberId: string, ids: ContactIds): Promise<AuthRowWrite[]> => {
  const [row] = await transaction.query<{ envelope: string }>(
    "select envelope from whatsapp_auth_keys where number_id = $1 and type = 'tctoken' and key_id = '__index'",
    [numberId],
  );
  if (!row) return [];
  const entry = z.object({ token: z.instanceof(Uint8Array) }).loose().safeParse(openAuthValue(keyring, numberId, 'tctoken', '__index', row.envelope));
  if (!entry.success) return [];
  let jids: unknown;
  try {
    jids = JSON.parse(Buffer.from(entry.data.token).toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(jids)) return [];
  const kept = jids.filter((jid) => typeof jid !== 'string' || !isContactJid(jid, ids));
  if (kept.length === jids.length) return [];

  return [
    {
      type: 'tctoken',
      keyId: '__index',
      envelope: sealAuthValue(keyring, numberId, 'tctoken', '__index', { ...entry.data, token: Buffer.from(JSON.stringify(kept)) }),
    },
  ];
};

const rewriteSenderKeyMemory = async (transaction: Queryable, keyring: Keyring, numberId: string, ids: ContactIds): Promise<AuthRowWrite[]> => {
  const rows = await transaction.query<{ key_id: string; envelope: string }>(
    "select key_id, envelope from whatsapp_auth_keys where number_id = $1 and type = 'sender-key-memory'",
    [numberId],
  );
  const writes: AuthRowWrite[] = [];
  for (const row of rows) {
    const memory = z.record(z.string(), z.unknown()).safeParse(openAuthValue(keyring, numberId, 'sender-key-memory', row.key_id, row.envelope));
    if (!memory.success) continue;
    const kept = Object.fromEntries(Object.entries(memory.data).filter(([jid]) => !isContactJid(jid, ids)));
    if (Object.keys(kept).length === Object.keys(memory.data).length) continue;
    writes.push({ type: 'sender-key-memory', keyId: row.key_id, envelope: sealAuthValue(keyring, numberId, 'sender-key-memory', row.key_id, kept) });
  }

  return writes;
};

/**
 * Removes customers' entries from a number's signal keys (see the table above) and returns how many
 * rows were deleted or rewritten. Each of `jidsOrPhones` is an E.164 phone or a jid (phone or LID);
 * the other id is found through the stored mappings, which is why the keyring is needed. The
 * mappings are read and decrypted once for all of them, so a purge of many customers costs one
 * pass per number, not one per customer. Given a Database it runs in a transaction of its own;
 * given a Transaction, in that one (a customer's whole erasure commits or rolls back together).
 */
export const deleteAuthKeysForContacts = async (
  queryable: Database | Queryable,
  numberId: string,
  jidsOrPhones: readonly string[],
  keyring: Keyring,
): Promise<number> => {
  const ids: ContactIds = { phoneUsers: new Set(), lidUsers: new Set() };
  for (const jidOrPhone of jidsOrPhones) {
    const contact = readContact(jidOrPhone);
    for (const user of contact.phoneUsers) ids.phoneUsers.add(user);
    for (const user of contact.lidUsers) ids.lidUsers.add(user);
  }
  if (ids.phoneUsers.size === 0 && ids.lidUsers.size === 0) return 0;
  const erase = async (transaction: Queryable): Promise<number> => {
    const linkedMappings = await collectLinkedIds(transaction, keyring, numberId, ids);
    const phoneUsers = [...ids.phoneUsers];
    const lidUsers = [...ids.lidUsers];
    // Signal addresses: `<user>` for phone ids, `<user>_<domain>` otherwise (WAJIDDomains).
    const addresses = [...phoneUsers.flatMap((user) => [user, `${user}_128`]), ...lidUsers.flatMap((user) => [`${user}_1`, `${user}_129`])];
    const tokenJids = [
      ...phoneUsers.flatMap((user) => [`${user}@s.whatsapp.net`, `${user}@hosted`]),
      ...lidUsers.flatMap((user) => [`${user}@lid`, `${user}@hosted.lid`]),
    ];
    const mappingKeys = [...linkedMappings.map((mapping) => mapping.keyId), ...phoneUsers, ...lidUsers.map((user) => `${user}${REVERSE_SUFFIX}`)];
    // Rewrites read rows the delete below does not touch.
    const rewrites = [
      ...(await rewriteTcTokenIndex(transaction, keyring, numberId, ids)),
      ...(await rewriteSenderKeyMemory(transaction, keyring, numberId, ids)),
    ];
    const deleted = await transaction.query(
      `delete from whatsapp_auth_keys where number_id = $1 and (
         (type in ('session', 'identity-key') and split_part(key_id, '.', 1) = any($2::text[]))
         or (type = 'sender-key' and split_part(key_id, '::', 2) = any($2::text[]))
         or (type = 'device-list' and key_id = any($3::text[]))
         or (type = 'tctoken' and key_id = any($4::text[]))
         or (type = 'lid-mapping' and key_id = any($5::text[]))
       ) returning 1`,
      [numberId, addresses, [...phoneUsers, ...lidUsers], tokenJids, mappingKeys],
    );
    await writeAuthRows(transaction, numberId, rewrites, []);

    return deleted.length + rewrites.length;
  };

  return 'transaction' in queryable ? queryable.transaction(erase) : erase(queryable);
};

/** One customer's entries: deleteAuthKeysForContacts for a single phone or jid. */
export const deleteAuthKeysForJid = (queryable: Database | Queryable, numberId: string, jidOrPhone: string, keyring: Keyring): Promise<number> =>
  deleteAuthKeysForContacts(queryable, numberId, [jidOrPhone], keyring);
