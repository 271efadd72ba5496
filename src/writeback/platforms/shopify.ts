import { z } from 'zod';
import {
  JSON_HEADERS,
  assertOrderId,
  assertSuccessfulResponse,
  createWriteBackError,
  credentialTokenSchema,
  defineWriteBackAdapter,
  readJsonBody,
  resolveStoreOrigin,
  type WriteBackRequest,
  type WriteBackResult,
} from '../write-back-adapter.ts';

/**
 * Shopify write-back through the GraphQL Admin API: tag the order `akked-confirmed` or
 * `akked-cancelled` (tagsAdd keeps the merchant's other tags) and append a staff note.
 *
 * The note: `orderUpdate(input: {note})` replaces the whole note, so the adapter first reads the
 * order's note and writes it back with ours appended. A note that already contains ours is left
 * alone, which makes a retried write-back idempotent. A merchant editing the note in the second
 * between our read and our write would lose that edit; we accept that small window rather than
 * overwrite every note.
 */

/** A supported stable version (each is supported for at least 12 months after release). */
export const SHOPIFY_API_VERSION = '2026-07';

export const SHOPIFY_RESULT_TAGS: Record<WriteBackResult, string> = {
  confirmed: 'akked-confirmed',
  cancelled: 'akked-cancelled',
};

export const ShopifyCredentialsSchema = z.object({
  /** `my-shop.myshopify.com`; may carry a port (`127.0.0.1:4567`) for a local fake. */
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .min(3)
    .max(255)
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/, 'a shop domain such as "my-shop.myshopify.com"'),
  accessToken: credentialTokenSchema,
});

export type ShopifyCredentials = z.infer<typeof ShopifyCredentialsSchema>;

export const SHOPIFY_READ_ORDER_NOTE = 'query AkkedReadOrderNote($id: ID!) { order(id: $id) { id note } }';

export const SHOPIFY_ADD_TAGS_AND_NOTE =
  'mutation AkkedWriteBack($id: ID!, $tags: [String!]!, $input: OrderInput!) { ' +
  'tagsAdd(id: $id, tags: $tags) { userErrors { field message } } ' +
  'orderUpdate(input: $input) { userErrors { field message } } }';

export const SHOPIFY_ADD_TAGS = 'mutation AkkedWriteBackTags($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { field message } } }';

const UserErrorsSchema = z.array(z.object({ field: z.array(z.string()).nullable().optional(), message: z.string() }));

const GraphqlResponseSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z
    .array(z.object({ message: z.string().optional(), extensions: z.object({ code: z.string().optional() }).optional() }))
    .optional(),
});

const ReadNoteDataSchema = z.object({ order: z.object({ id: z.string(), note: z.string().nullable() }).nullable() });

const MutationDataSchema = z.object({
  tagsAdd: z.object({ userErrors: UserErrorsSchema }).nullable(),
  orderUpdate: z.object({ userErrors: UserErrorsSchema }).nullable().optional(),
});

/** Webhooks carry the numeric id (kept as a string: it may exceed 2^53); GraphQL wants the gid. */
const toOrderGid = (externalOrderId: string): string => {
  const id = assertOrderId('shopify', externalOrderId, /^(\d{1,20}|gid:\/\/shopify\/Order\/\d{1,20})$/);
  return id.startsWith('gid://') ? id : `gid://shopify/Order/${id}`;
};

const callGraphql = async (
  request: WriteBackRequest<ShopifyCredentials>,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> => {
  const endpoint = new URL(`/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, resolveStoreOrigin(request.credentials.shopDomain, request.allowPrivate));
  const response = await request.fetch(endpoint, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'x-shopify-access-token': request.credentials.accessToken },
    body: JSON.stringify({ query, variables }),
  });
  assertSuccessfulResponse('shopify', response);
  const parsed = GraphqlResponseSchema.safeParse(await readJsonBody('shopify', response));
  if (!parsed.success) throw createWriteBackError('shopify', 'invalid_response', { message: 'the GraphQL answer has an unexpected shape' });

  const errors = parsed.data.errors ?? [];
  if (errors.length > 0) {
    const codes = errors.map((error) => error.extensions?.code ?? '');
    if (codes.includes('THROTTLED')) throw createWriteBackError('shopify', 'throttled', { message: 'the GraphQL query cost limit was reached (THROTTLED)' });
    if (codes.includes('ACCESS_DENIED')) throw createWriteBackError('shopify', 'auth', { message: 'the access token lacks a scope (ACCESS_DENIED); write_orders is needed' });
    if (codes.includes('INTERNAL_SERVER_ERROR')) throw createWriteBackError('shopify', 'server_error', { message: 'GraphQL internal error' });
    throw createWriteBackError('shopify', 'rejected', { message: `GraphQL error: ${(errors[0]?.message ?? 'unknown').slice(0, 200)}` });
  }
  if (!parsed.data.data) throw createWriteBackError('shopify', 'invalid_response', { message: 'the GraphQL answer has no data' });

  return parsed.data.data;
};

const assertNoUserErrors = (userErrors: z.infer<typeof UserErrorsSchema>): void => {
  const first = userErrors[0];
  if (first) {
    throw createWriteBackError('shopify', 'rejected', { message: `Shopify refused the change: ${first.message.slice(0, 200)}` });
  }
};

const writeToShopify = async (request: WriteBackRequest<ShopifyCredentials>): Promise<'written'> => {
  const id = toOrderGid(request.externalOrderId);
  const noteData = ReadNoteDataSchema.safeParse(await callGraphql(request, SHOPIFY_READ_ORDER_NOTE, { id }));
  if (!noteData.success) throw createWriteBackError('shopify', 'invalid_response', { message: 'the order query answer has an unexpected shape' });
  if (noteData.data.order === null) throw createWriteBackError('shopify', 'order_not_found', { message: 'the order was not found' });

  const existingNote = noteData.data.order.note ?? '';
  const tags = [SHOPIFY_RESULT_TAGS[request.result]];
  const noteAlreadyThere = request.note === '' || existingNote.includes(request.note);
  const data = noteAlreadyThere
    ? await callGraphql(request, SHOPIFY_ADD_TAGS, { id, tags })
    : await callGraphql(request, SHOPIFY_ADD_TAGS_AND_NOTE, {
        id,
        tags,
        input: { id, note: existingNote.trim() === '' ? request.note : `${existingNote}\n${request.note}` },
      });
  const mutation = MutationDataSchema.safeParse(data);
  if (!mutation.success || mutation.data.tagsAdd === null) {
    throw createWriteBackError('shopify', 'invalid_response', { message: 'the mutation answer has an unexpected shape' });
  }
  assertNoUserErrors(mutation.data.tagsAdd.userErrors);
  assertNoUserErrors(mutation.data.orderUpdate?.userErrors ?? []);

  return 'written';
};

export const shopifyWriteBackAdapter = defineWriteBackAdapter<ShopifyCredentials>({
  platform: 'shopify',
  credentialsSchema: ShopifyCredentialsSchema,
  supportedResults: ['confirmed', 'cancelled'],
  write: writeToShopify,
});
