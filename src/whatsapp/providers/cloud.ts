import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { readCloudSettings, type CloudSettings } from '../cloud/cloud-settings.ts';
import type {
  ConnectOptions,
  OutboundTemplate,
  OutboundText,
  SendResult,
  WhatsAppProvider,
  WhatsAppSession,
} from '../provider.ts';

/**
 * Meta's official WhatsApp Cloud API (DESIGN.md §2, provider `cloud`).
 *
 * Sending is a plain HTTPS call, so a "session" holds no connection: receipts and replies arrive by
 * webhook (`cloud/cloud-webhook.ts`), and `holdsConnection` is false (no lease, no hibernation).
 *
 * Double sends: the Cloud API has no idempotency key and picks the message id itself, so
 * `OutboundText.messageId` cannot be passed on. Double sends are prevented by the send job's own
 * idempotency instead: it stores the returned wamid on the message row and never sends a row that
 * is past `queued`, so a redelivered job is a no-op. The one window left is an answer lost in
 * transit (timeout or dropped connection after Meta accepted): that error is retryable and the
 * retry may deliver the message twice, which we accept over silently dropping a confirmation.
 */

export type CloudProviderOptions = {
  /** Graph API root with version, e.g. `https://graph.facebook.com/v23.0`, or a local fake in tests. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per request, body included. */
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 15_000;

const E164_PHONE = /^\+[1-9]\d{6,14}$/;

const SendResponseSchema = z.object({
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
});

/** Graph API error envelope: `{error:{message, type, code, error_subcode, error_data, fbtrace_id}}`. */
const GraphErrorSchema = z.object({
  error: z.object({
    code: z.number().int().optional(),
    type: z.string().optional(),
    error_subcode: z.number().int().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

// Graph error codes, from Meta's Cloud API error-code reference.
/** Re-engagement: more than 24 h since the customer last wrote; only a template may go out. */
const OUTSIDE_WINDOW_CODES: ReadonlySet<number> = new Set([131047]);
/** Message undeliverable (no WhatsApp account, or cannot receive it) and, for numbers still in
 *  Meta's test mode, a recipient outside the allowed list: both mean this customer cannot be reached. */
const UNREACHABLE_RECIPIENT_CODES: ReadonlySet<number> = new Set([131026, 131030]);
/** Rate limits: app calls (4), business account (80007), throughput (130429), same-recipient pair (131056). */
const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 80007, 130429, 131056]);
/** Meta's own temporary failures: unknown (1), service (2), something went wrong (131000), service
 *  unavailable (131016), maintenance mode (131057), server unavailable (133004). */
const TEMPORARY_FAILURE_CODES: ReadonlySet<number> = new Set([1, 2, 131000, 131016, 131057, 133004]);
/** AuthException, API method, permission denied, expired or invalid token. */
const AUTH_CODES: ReadonlySet<number> = new Set([0, 3, 10, 190]);
const isPermissionCode = (code: number): boolean => code >= 200 && code <= 299;

type RefusalReason = 'outside_window' | 'not_on_whatsapp' | 'auth' | 'rejected';

const REFUSAL_DESCRIPTIONS: Record<RefusalReason, string> = {
  outside_window: 'the customer service window is closed; send a template',
  not_on_whatsapp: 'the recipient cannot receive WhatsApp messages from this number',
  auth: 'the access token is invalid, expired or lacks permission',
  rejected: 'the request was refused',
};

const parseJsonOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * Turns a non-2xx Graph answer into the provider contract's errors. Only codes, statuses and
 * Meta's trace id go into the error: Graph's own message text can quote the request.
 */
const toSendError = (httpStatus: number, responseText: string): AppError => {
  const parsed = GraphErrorSchema.safeParse(parseJsonOrUndefined(responseText));
  const graphError = parsed.success ? parsed.data.error : undefined;
  const code = graphError?.code;
  const details: Record<string, unknown> = {
    httpStatus,
    ...(code === undefined ? {} : { providerCode: String(code) }),
    ...(graphError?.error_subcode === undefined ? {} : { providerSubcode: String(graphError.error_subcode) }),
    ...(graphError?.fbtrace_id === undefined ? {} : { fbtraceId: graphError.fbtrace_id }),
  };
  const codeText = code === undefined ? '' : `, code ${code}`;

  // A code that names a refusal wins over the HTTP status; anything else failing with 5xx or 429
  // is a limit or Meta's side, and worth another try.
  const isKnownRefusal =
    code !== undefined &&
    (OUTSIDE_WINDOW_CODES.has(code) || UNREACHABLE_RECIPIENT_CODES.has(code) || AUTH_CODES.has(code) || isPermissionCode(code));
  const isRateLimited = (code !== undefined && RATE_LIMIT_CODES.has(code)) || (!isKnownRefusal && httpStatus === 429);
  const isTemporary =
    (code !== undefined && TEMPORARY_FAILURE_CODES.has(code)) || (!isKnownRefusal && httpStatus >= 500);
  if (isRateLimited || isTemporary) {
    return new AppError('upstream_unavailable', {
      message: isRateLimited
        ? `WhatsApp Cloud API rate limit reached (HTTP ${httpStatus}${codeText})`
        : `WhatsApp Cloud API is unavailable (HTTP ${httpStatus}${codeText})`,
      retryable: true,
      details: { reason: isRateLimited ? 'rate_limited' : 'unavailable', ...details },
    });
  }

  let reason: RefusalReason = 'rejected';
  if (code !== undefined && OUTSIDE_WINDOW_CODES.has(code)) reason = 'outside_window';
  else if (code !== undefined && UNREACHABLE_RECIPIENT_CODES.has(code)) reason = 'not_on_whatsapp';
  else if (httpStatus === 401 || (code !== undefined && (AUTH_CODES.has(code) || isPermissionCode(code)))) {
    reason = 'auth';
  }

  return new AppError('upstream_failed', {
    message: `WhatsApp Cloud API refused the message: ${REFUSAL_DESCRIPTIONS[reason]} (HTTP ${httpStatus}${codeText})`,
    retryable: false,
    details: { reason, ...details },
  });
};

const toGraphRecipient = (phone: string): string => {
  if (!E164_PHONE.test(phone)) {
    throw new AppError('invalid_phone', { message: 'The recipient is not an E.164 phone number', retryable: false });
  }

  // The Cloud API takes the international number as digits, without the plus.
  return phone.slice(1);
};

/**
 * Meta refuses template body parameters that are empty or that contain line breaks, tabs or more
 * than four consecutive spaces; an order's item list often has line breaks. Lines are joined with
 * a middle dot so items stay apart, and an empty value becomes a dash instead of failing the send.
 */
export const flattenTemplateParameter = (value: string): string => {
  const lines = value
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0);

  return lines.length === 0 ? '-' : lines.join(' · ');
};

const buildTextBody = (message: OutboundText): Record<string, unknown> => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: toGraphRecipient(message.to),
  type: 'text',
  text: { preview_url: false, body: message.text },
});

const buildTemplateBody = (message: OutboundTemplate): Record<string, unknown> => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: toGraphRecipient(message.to),
  type: 'template',
  template: {
    name: message.templateName,
    language: { code: message.languageCode },
    // A body component without parameters is refused, so a template without placeholders has none.
    ...(message.bodyParameters.length === 0
      ? {}
      : {
          components: [
            {
              type: 'body',
              parameters: message.bodyParameters.map((text) => ({
                type: 'text',
                text: flattenTemplateParameter(text),
              })),
            },
          ],
        }),
  },
});

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

type MessagePoster = (body: Record<string, unknown>) => Promise<SendResult>;

const createMessagePoster = (
  options: { baseUrl: string; fetch: typeof fetch; timeoutMs: number },
  settings: CloudSettings,
): MessagePoster => {
  const url = `${options.baseUrl}/${settings.phoneNumberId}/messages`;

  return async (body) => {
    let response: Response;
    let responseText: string;
    try {
      response = await options.fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${settings.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      responseText = await response.text();
    } catch (error) {
      const timedOut = isTimeout(error);
      throw new AppError('upstream_unavailable', {
        message: timedOut
          ? `WhatsApp Cloud API did not answer within ${options.timeoutMs} ms`
          : 'WhatsApp Cloud API is unreachable',
        retryable: true,
        cause: error,
        details: { reason: timedOut ? 'timeout' : 'network' },
      });
    }

    if (!response.ok) throw toSendError(response.status, responseText);

    const parsed = SendResponseSchema.safeParse(parseJsonOrUndefined(responseText));
    const wamid = parsed.success ? parsed.data.messages[0]?.id : undefined;
    if (wamid === undefined) {
      // Meta took the request, so the message may be on its way: retrying could send it twice.
      throw new AppError('upstream_failed', {
        message: `WhatsApp Cloud API accepted the request but answered without a message id (HTTP ${response.status})`,
        retryable: false,
        details: { reason: 'invalid_response', httpStatus: response.status },
      });
    }

    return { providerMessageId: wamid };
  };
};

export const createCloudProvider = (options: CloudProviderOptions): WhatsAppProvider => {
  const transport = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };

  return {
    kind: 'cloud',
    holdsConnection: false,
    async connect(connectOptions: ConnectOptions): Promise<WhatsAppSession> {
      const settings = readCloudSettings(connectOptions.settings);
      const postMessage = createMessagePoster(transport, settings);
      let closed = false;

      // Nothing to link: the number is usable at once. Reported after `connect` resolves, as a
      // linked device would, so the session manager already holds the session when it hears it.
      setImmediate(() => {
        if (!closed) connectOptions.events.onConnected({ phone: connectOptions.phone });
      });

      return {
        send: async (message) => postMessage(buildTextBody(message)),
        sendTemplate: async (message) => postMessage(buildTemplateBody(message)),
        // The Cloud API has no contact lookup; an unreachable number shows up as a send error.
        checkOnWhatsApp: async () => null,
        close: async () => {
          closed = true;
        },
        // Nothing is linked, so there is nothing to unlink; the caller deletes the stored settings.
        logout: async () => {
          closed = true;
        },
      };
    },
  };
};
