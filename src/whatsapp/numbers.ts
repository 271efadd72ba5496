import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { assertBelowQuota } from '../accounts/quotas.ts';
import { deleteCredential, saveCredential } from '../credentials/credential-store.ts';
import { decrypt, type Keyring } from '../crypto/envelope.ts';
import type { Database, Queryable } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { normalizePhoneInput } from '../ingest/normalize/phone.ts';
import { CloudSettingsSchema } from './cloud/cloud-settings.ts';
import { setNumberStatus, type NumberStatus } from './number-status.ts';
import { ProviderKindSchema, type ProviderKind } from './provider.ts';
import { CLOSE_CHANNEL, PAIRING_CHANNEL, type SessionManager } from './session-manager.ts';

const PhoneInputSchema = z
  .string()
  .trim()
  .max(40)
  .transform((value, context) => {
    const phone = normalizePhoneInput(value, null);
    if (!phone) {
      context.addIssue({ code: 'custom', message: 'a phone number in international form, such as +966551234567' });

      return z.NEVER;
    }

    return phone;
  });

export const CreateNumberSchema = z.object({
  provider: ProviderKindSchema,
  phone: PhoneInputSchema.optional(),
  /** Cloud API numbers: the phone-number id, token, app secret and webhook verify token from Meta. */
  cloud: CloudSettingsSchema.optional(),
});

export type CreateNumberInput = z.infer<typeof CreateNumberSchema>;

export type NumberView = {
  id: string;
  provider: ProviderKind;
  phone: string | null;
  status: NumberStatus;
  statusReason: string | null;
  /** The current QR code to scan while linking (linked provider), as text and as a PNG data URL. */
  qr: string | null;
  qrDataUrl: string | null;
  pairingCode: string | null;
  /** Where Meta should send this Cloud API number's webhooks. */
  webhookUrl: string | null;
  linkedAt: string | null;
  lastConnectedAt: string | null;
  createdAt: string;
  /** WhatsApp keeps the number from connecting until then (a temporary ban, another client on the device). */
  connectPausedUntil: string | null;
  /** WhatsApp keeps the number from writing first to customers until then (463, reach-out timelock), and why. */
  firstContactPausedUntil: string | null;
  firstContactPauseReason: string | null;
  history: { status: string; reason: string | null; at: string }[];
};

type NumberRow = {
  id: string;
  provider: ProviderKind;
  phone: string | null;
  status: NumberStatus;
  status_reason: string | null;
  qr_envelope: string | null;
  pairing_code_envelope: string | null;
  wake_at: Date | null;
  linked_at: Date | null;
  last_connected_at: Date | null;
  created_at: Date;
  connect_paused_until: Date | null;
  first_contact_paused_until: Date | null;
  first_contact_pause_reason: string | null;
};

const NUMBER_COLUMNS = `id, provider, phone, status, status_reason, qr_envelope, pairing_code_envelope, wake_at, linked_at, last_connected_at, created_at,
  case when connect_paused_until > now() then connect_paused_until end as connect_paused_until,
  case when first_contact_paused_until > now() then first_contact_paused_until end as first_contact_paused_until, first_contact_pause_reason`;

export type NumberDependencies = {
  database: Database;
  keyring: Keyring;
  publicUrl: string;
  isSimulatorEnabled: boolean;
  /** This process's session manager, when it runs the worker role. */
  sessions: SessionManager | null;
  /** The most numbers an account may hold (AKKED_MAX_NUMBERS); unset: no limit (tests of the domain alone). */
  maxNumbers?: number;
};

/** Simulated numbers get a phone in the fictional +1 555 01xx range (never a real subscriber). */
const simulatedPhone = (): string => `+1555010${String(randomInt(0, 10_000)).padStart(4, '0')}`;

const readLinkCode = (keyring: Keyring, numberId: string, kind: 'qr' | 'pairing', envelope: string | null): string | null =>
  envelope ? decrypt(keyring, envelope, { ownerId: numberId, purpose: `link-${kind}` }).toString('utf8') : null;

/** `isLocked` holds the row until the transaction ends, so a check of its status stays true while acting on it. */
const findNumberRow = async (queryable: Queryable, accountId: string, numberId: string, options: { isLocked?: boolean } = {}): Promise<NumberRow> => {
  const [row] = await queryable.query<NumberRow>(
    `select ${NUMBER_COLUMNS} from whatsapp_numbers where id = $1 and account_id = $2${options.isLocked ? ' for update' : ''}`,
    [numberId, accountId],
  );
  if (!row) throw new AppError('not_found', { message: 'WhatsApp number not found' });

  return row;
};

const toView = async (dependencies: NumberDependencies, row: NumberRow): Promise<NumberView> => {
  const qr = readLinkCode(dependencies.keyring, row.id, 'qr', row.qr_envelope);
  const history = await dependencies.database.query<{ status: string; reason: string | null; at: Date }>(
    'select status, reason, at from whatsapp_number_events where number_id = $1 order by at desc, id desc limit 50',
    [row.id],
  );

  return {
    id: row.id,
    provider: row.provider,
    phone: row.phone,
    status: row.status,
    statusReason: row.status_reason,
    qr,
    // Loaded when a QR code is first shown (linking a number), not at every start.
    qrDataUrl: qr ? await (await import('qrcode')).default.toDataURL(qr, { width: 264, margin: 1 }) : null,
    pairingCode: readLinkCode(dependencies.keyring, row.id, 'pairing', row.pairing_code_envelope),
    webhookUrl: row.provider === 'cloud' ? `${dependencies.publicUrl}/hooks/whatsapp-cloud/${row.id}` : null,
    linkedAt: row.linked_at?.toISOString() ?? null,
    lastConnectedAt: row.last_connected_at?.toISOString() ?? null,
    connectPausedUntil: row.connect_paused_until?.toISOString() ?? null,
    firstContactPausedUntil: row.first_contact_paused_until?.toISOString() ?? null,
    firstContactPauseReason: row.first_contact_paused_until ? row.first_contact_pause_reason : null,
    createdAt: row.created_at.toISOString(),
    history: history.map((event) => ({ status: event.status, reason: event.reason, at: event.at.toISOString() })),
  };
};

export const createNumber = async (dependencies: NumberDependencies, accountId: string, input: CreateNumberInput): Promise<NumberView> => {
  if (input.provider === 'simulator' && !dependencies.isSimulatorEnabled) {
    throw new AppError('bad_request', { message: 'provider: the simulator is not enabled on this server (AKKED_WHATSAPP_SIMULATOR_URL)' });
  }
  if (input.provider === 'cloud' && (!input.cloud || !input.phone)) {
    throw new AppError('bad_request', { message: 'cloud numbers need phone and cloud {phoneNumberId, accessToken, appSecret, verifyToken}' });
  }
  const id = newId('whatsappNumber');
  const phone = input.phone ?? (input.provider === 'simulator' ? simulatedPhone() : null);
  await dependencies.database.transaction(async (transaction) => {
    // Each linked number opens a linking session in a worker: an account holds a bounded number of them.
    if (dependencies.maxNumbers !== undefined) await assertBelowQuota(transaction, accountId, 'whatsapp_numbers', dependencies.maxNumbers);
    const settings = input.cloud
      ? { phoneNumberId: input.cloud.phoneNumberId, ...(input.cloud.businessAccountId ? { businessAccountId: input.cloud.businessAccountId } : {}) }
      : {};
    // Linked and simulated numbers start linking at once; a Cloud API number is usable as soon as it is saved.
    await transaction.query(
      `insert into whatsapp_numbers (id, account_id, provider, phone, status, settings, wake_at, linked_at)
       values ($1, $2, $3, $4, 'pending_link', $5, case when $3 = 'cloud' then null else now() end, null)`,
      [id, accountId, input.provider, phone, JSON.stringify(settings)],
    );
    await transaction.query('insert into whatsapp_number_events (id, number_id, status, reason) values ($1, $2, $3, $4)', [
      newId('event'),
      id,
      'pending_link',
      'created',
    ]);
    if (input.cloud) {
      const { accessToken, appSecret, verifyToken } = input.cloud;
      await saveCredential(transaction, dependencies.keyring, { accountId, ownerId: id, purpose: 'cloud-api', value: { accessToken, appSecret, verifyToken } });
      await setNumberStatus(transaction, id, 'connected', 'Cloud API credentials saved');
    }
  });

  return toView(dependencies, await findNumberRow(dependencies.database, accountId, id));
};

export const listNumbers = async (dependencies: NumberDependencies, accountId: string): Promise<NumberView[]> => {
  const rows = await dependencies.database.query<NumberRow>(`select ${NUMBER_COLUMNS} from whatsapp_numbers where account_id = $1 order by created_at, id`, [accountId]);
  const views: NumberView[] = [];
  for (const row of rows) views.push(await toView(dependencies, row));

  return views;
};

export const getNumber = async (dependencies: NumberDependencies, accountId: string, numberId: string): Promise<NumberView> => {
  const row = await findNumberRow(dependencies.database, accountId, numberId);
  // A merchant looking at a number that stopped linking (QR expired) wants a fresh QR.
  if (row.status === 'pending_link' && row.wake_at === null && row.provider !== 'cloud') {
    await dependencies.database.query('update whatsapp_numbers set wake_at = now() where id = $1', [numberId]);
  }

  return toView(dependencies, row);
};

/**
 * Asks the worker that drives the number for a pairing code (link by phone number instead of QR)
 * and waits up to 20 s for it.
 */
export const requestPairingCode = async (dependencies: NumberDependencies, accountId: string, numberId: string, phone: string): Promise<string> => {
  const row = await findNumberRow(dependencies.database, accountId, numberId);
  if (row.provider !== 'linked') throw new AppError('bad_request', { message: 'only linked numbers are linked with a pairing code' });
  if (row.status !== 'pending_link') throw new AppError('invalid_state', { message: `the number is ${row.status}, not waiting to be linked` });
  await dependencies.database.query('update whatsapp_numbers set wake_at = now(), pairing_code_envelope = null where id = $1', [numberId]);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const local = await dependencies.sessions?.requestPairingCode(numberId, phone).catch(() => null);
    if (local) return local;
    await dependencies.database.query(`select pg_notify('${PAIRING_CHANNEL}', $1)`, [JSON.stringify({ numberId, phone })]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [current] = await dependencies.database.query<{ pairing_code_envelope: string | null }>('select pairing_code_envelope from whatsapp_numbers where id = $1', [numberId]);
    const code = readLinkCode(dependencies.keyring, numberId, 'pairing', current?.pairing_code_envelope ?? null);
    if (code) return code;
  }
  throw new AppError('upstream_unavailable', { message: 'no pairing code yet: the number is still connecting, try again in a moment' });
};

/** Deletes what lets a number talk to WhatsApp: the linked device's creds and signal keys, and stored provider secrets. */
const deleteNumberSecrets = async (queryable: Queryable, numberId: string): Promise<void> => {
  await queryable.query('delete from whatsapp_auth_keys where number_id = $1', [numberId]);
  await deleteCredential(queryable, numberId);
};

/** Closes the number's live session, in this process and (by NOTIFY, once the transaction commits) in the worker that drives it. */
const notifyClose = async (queryable: Queryable, numberId: string): Promise<void> => {
  await queryable.query(`select pg_notify('${CLOSE_CHANNEL}', $1)`, [numberId]);
};

/** Deletes a number: its credentials and keys go at once, and its live session is closed. */
export const deleteNumber = async (dependencies: NumberDependencies, accountId: string, numberId: string): Promise<void> => {
  await dependencies.database.transaction(async (transaction) => {
    await findNumberRow(transaction, accountId, numberId);
    await deleteNumberSecrets(transaction, numberId);
    // Leases and status history go with the row; stores keep working without a number.
    await transaction.query('delete from whatsapp_numbers where id = $1', [numberId]);
    await notifyClose(transaction, numberId);
  });
  await dependencies.sessions?.closeNow(numberId);
};

/** Statuses from which a linked-device number may be linked again (the phone removed it, WhatsApp banned it, or it stopped reconnecting). */
export const RELINKABLE_STATUSES = ['logged_out', 'banned', 'disconnected'] as const satisfies readonly NumberStatus[];

const isRelinkable = (status: NumberStatus): boolean => (RELINKABLE_STATUSES as readonly NumberStatus[]).includes(status);

const whyNotRelinkable = (row: NumberRow): string => {
  if (row.provider !== 'linked') return `only linked-device numbers are linked again; this one is a ${row.provider} number`;
  if (row.status === 'pending_link') return 'the number is already waiting to be linked: scan its QR code or ask for a pairing code';

  return `the number is ${row.status}: it is linked and works, there is nothing to link again`;
};

/**
 * Links a logged-out, banned or disconnected linked-device number again under the same id, so its
 * stores keep it: whatever is left of the old device goes, and the number waits for a new QR code or
 * pairing code exactly as a new one does.
 */
export const relinkNumber = async (dependencies: NumberDependencies, accountId: string, numberId: string): Promise<NumberView> => {
  const hadSession = await dependencies.database.transaction(async (transaction) => {
    const row = await findNumberRow(transaction, accountId, numberId, { isLocked: true });
    if (row.provider !== 'linked' || !isRelinkable(row.status)) throw new AppError('invalid_state', { message: whyNotRelinkable(row) });
    await deleteNumberSecrets(transaction, numberId);
    // A disconnected number may still be driven (retrying with the old keys). Without its lease that
    // session can neither write keys nor send (both check the lease in their transaction) until the
    // close notification reaches it.
    const releasedLeases = await transaction.query('delete from whatsapp_leases where number_id = $1 returning number_id', [numberId]);
    // wake_at now: the session manager opens it to link, as it does a new linked number.
    // A banned number that comes back starts its warm-up pace again (set when it connects).
    await transaction.query(
      "update whatsapp_numbers set qr_envelope = null, pairing_code_envelope = null, wake_at = now(), connect_paused_until = null, linked_at = case when status = 'banned' then null else linked_at end where id = $1",
      [numberId],
    );
    await setNumberStatus(transaction, numberId, 'pending_link', 'relink_requested');
    if (releasedLeases.length > 0) await notifyClose(transaction, numberId);

    return releasedLeases.length > 0;
  });
  if (hadSession) await dependencies.sessions?.closeNow(numberId);

  return toView(dependencies, await findNumberRow(dependencies.database, accountId, numberId));
};
