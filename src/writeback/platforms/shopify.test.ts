import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CASES, expectNoSecretIn, rejectionOf, startFakeStoreApi, type FakeStoreApi, type RecordedRequest } from '../../../test/harness/fake-store-api.ts';
import { createGuardedFetch } from '../outbound-guard.ts';
import { resolveStoreOrigin, type WriteBackRequest, type WriteBackResult } from '../write-back-adapter.ts';
import {
  SHOPIFY_ADD_TAGS,
  SHOPIFY_ADD_TAGS_AND_NOTE,
  SHOPIFY_API_VERSION,
  SHOPIFY_READ_ORDER_NOTE,
  shopifyWriteBackAdapter,
} from './shopify.ts';

const ACCESS_TOKEN = 'shpat_0123456789abcdef-secret';
const ORDER_ID = '820982911946154508'; // above 2^53, as in Shopify's own sample
const ORDER_GID = `gid://shopify/Order/${ORDER_ID}`;
const NOTE = 'Akked: the customer confirmed order #1001 on WhatsApp.';

describe('Shopify write-back', () => {
  let shop: FakeStoreApi;
  let existingNote: string | null;
  let mutationAnswer: unknown;

  const request = (overrides: Partial<WriteBackRequest<unknown>> = {}): WriteBackRequest<unknown> => ({
    credentials: { shopDomain: shop.host, accessToken: ACCESS_TOKEN },
    externalOrderId: ORDER_ID,
    orderNumber: '#1001',
    result: 'confirmed',
    note: NOTE,
    fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 2000 }),
    allowPrivate: true,
    ...overrides,
  });

  const answerLikeShopify = (recorded: RecordedRequest) => {
    const query = (recorded.body as { query?: string } | undefined)?.query;
    if (query === SHOPIFY_READ_ORDER_NOTE) return { body: { data: { order: { id: ORDER_GID, note: existingNote } } } };
    return { body: mutationAnswer };
  };

  beforeEach(async () => {
    shop = await startFakeStoreApi();
    existingNote = null;
    mutationAnswer = { data: { tagsAdd: { userErrors: [] }, orderUpdate: { userErrors: [] } } };
    shop.answerWith(answerLikeShopify);
  });

  afterEach(async () => {
    await shop.close();
  });

  const expectGraphqlCall = (recorded: RecordedRequest | undefined, body: unknown): void => {
    expect(recorded).toBeDefined();
    expect(recorded?.method).toBe('POST');
    expect(recorded?.path).toBe(`/admin/api/${SHOPIFY_API_VERSION}/graphql.json`);
    expect(recorded?.query).toEqual({});
    expect(recorded?.headers['x-shopify-access-token']).toBe(ACCESS_TOKEN);
    expect(recorded?.headers['content-type']).toBe('application/json');
    expect(recorded?.headers.authorization).toBeUndefined();
    expect(recorded?.body).toEqual(body);
  };

  it.each<[WriteBackResult, string]>([
    ['confirmed', 'akked-confirmed'],
    ['cancelled', 'akked-cancelled'],
  ])('tags a %s order %s and appends the note to the existing one', async (result, tag) => {
    existingNote = 'Leave it with the neighbour';
    const outcome = await shopifyWriteBackAdapter.write(request({ result }));

    expect(outcome).toBe('written');
    expect(shop.requests).toHaveLength(2);
    expectGraphqlCall(shop.requests[0], { query: SHOPIFY_READ_ORDER_NOTE, variables: { id: ORDER_GID } });
    expectGraphqlCall(shop.requests[1], {
      query: SHOPIFY_ADD_TAGS_AND_NOTE,
      variables: { id: ORDER_GID, tags: [tag], input: { id: ORDER_GID, note: `Leave it with the neighbour\n${NOTE}` } },
    });
  });

  it('writes the note alone when the order has none', async () => {
    await shopifyWriteBackAdapter.write(request({ result: 'cancelled' }));

    expect(shop.requests[1]?.body).toEqual({
      query: SHOPIFY_ADD_TAGS_AND_NOTE,
      variables: { id: ORDER_GID, tags: ['akked-cancelled'], input: { id: ORDER_GID, note: NOTE } },
    });
  });

  it('only adds the tag when a retry finds the note already there', async () => {
    existingNote = `Leave it with the neighbour\n${NOTE}`;
    await shopifyWriteBackAdapter.write(request());

    expect(shop.requests).toHaveLength(2);
    expectGraphqlCall(shop.requests[1], { query: SHOPIFY_ADD_TAGS, variables: { id: ORDER_GID, tags: ['akked-confirmed'] } });
  });

  it('accepts an order id given as a gid', async () => {
    await shopifyWriteBackAdapter.write(request({ externalOrderId: ORDER_GID }));
    expect((shop.requests[0]?.body as { variables: unknown }).variables).toEqual({ id: ORDER_GID });
  });

  it('refuses an order id that is not a Shopify order id, before calling Shopify', async () => {
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request({ externalOrderId: '1/../../shop' })));
    expect(error.code).toBe('bad_request');
    expect(error.details).toMatchObject({ reason: 'invalid_order_id' });
    expect(shop.requests).toHaveLength(0);
  });

  it('reports an order Shopify does not know as order_not_found', async () => {
    shop.answerWith(() => ({ body: { data: { order: null } } }));
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));

    expect(error.code).toBe('upstream_failed');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ reason: 'order_not_found', platform: 'shopify' });
    expect(shop.requests).toHaveLength(1);
  });

  it('reports GraphQL user errors as a non-retryable rejection', async () => {
    mutationAnswer = { data: { tagsAdd: { userErrors: [{ field: ['tags'], message: 'Tags is invalid' }] }, orderUpdate: { userErrors: [] } } };
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));

    expect(error.code).toBe('upstream_failed');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ reason: 'rejected' });
    expect(error.message).toContain('Tags is invalid');
  });

  it('reports a user error of the note update too', async () => {
    mutationAnswer = { data: { tagsAdd: { userErrors: [] }, orderUpdate: { userErrors: [{ field: ['note'], message: 'Note is too long' }] } } };
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));
    expect(error.details).toMatchObject({ reason: 'rejected' });
  });

  it('reports THROTTLED as retryable', async () => {
    shop.answerWith(() => ({
      status: 200,
      body: {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null } },
      },
    }));
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));

    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ reason: 'throttled' });
  });

  it('reports ACCESS_DENIED as an authorization failure', async () => {
    shop.answerWith(() => ({ body: { errors: [{ message: 'Access denied for order field.', extensions: { code: 'ACCESS_DENIED' } }] } }));
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));

    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ reason: 'auth' });
  });

  it('reports other GraphQL errors as a non-retryable rejection', async () => {
    shop.answerWith(() => ({ body: { errors: [{ message: "Field 'nope' doesn't exist on type 'Order'" }] } }));
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));
    expect(error.details).toMatchObject({ reason: 'rejected' });
  });

  it.each(HTTP_ERROR_CASES)('maps HTTP $status to $code ($reason)', async ({ status, code, retryable, reason }) => {
    shop.answerWith(() => ({ status, headers: { 'retry-after': status === 429 ? '2' : 'later' }, body: { errors: 'nope' } }));
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ reason, platform: 'shopify', status });
    if (status === 429) expect(error.details).toMatchObject({ retryAfterSeconds: 2 });
    expectNoSecretIn(error, ACCESS_TOKEN);
  });

  it('reports a timeout as retryable', async () => {
    shop.answerWith(() => ({ hang: true }));
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request({ fetch: createGuardedFetch({ allowPrivate: true, timeoutMs: 100 }) })));

    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ reason: 'timeout' });
  });

  it('reports an answer that is not JSON as invalid_response', async () => {
    shop.answerWith(() => ({ status: 200, body: '<html>Log in</html>' }));
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request()));
    expect(error.details).toMatchObject({ reason: 'invalid_response' });
  });

  it('refuses malformed credentials without echoing them', async () => {
    const error = await rejectionOf(shopifyWriteBackAdapter.write(request({ credentials: { shopDomain: 'https://x/?', accessToken: ACCESS_TOKEN } })));

    expect(error.code).toBe('bad_request');
    expect(error.details).toMatchObject({ reason: 'invalid_credentials', fields: ['shopDomain'] });
    expectNoSecretIn(error, ACCESS_TOKEN);
    expect(shop.requests).toHaveLength(0);
  });

  it('calls a loopback shop over https, and so is refused, without the development setting', async () => {
    const error = await rejectionOf(
      shopifyWriteBackAdapter.write(request({ allowPrivate: false, fetch: createGuardedFetch({ allowPrivate: false, timeoutMs: 2000 }) })),
    );

    expect(error.code).toBe('bad_request');
    expect(error.details).toEqual({ reason: 'private_address' });
    expect(shop.requests).toHaveLength(0);
  });

  it('uses https for a real shop domain even with the development setting', () => {
    expect(resolveStoreOrigin('dar-al-oud.myshopify.com', true).href).toBe('https://dar-al-oud.myshopify.com/');
    expect(resolveStoreOrigin('127.0.0.1:4567', true).href).toBe('http://127.0.0.1:4567/');
    expect(resolveStoreOrigin('127.0.0.1:4567', false).href).toBe('https://127.0.0.1:4567/');
  });
});
