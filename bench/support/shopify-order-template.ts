import { parse, stringify } from 'lossless-json';
import { shopifyCodOrder } from '../../test/harness/flow.ts';
import { ORDER_ID_PLACEHOLDER, ORDER_NUMBER_PLACEHOLDER, PHONE_PLACEHOLDER } from './shopify-webhook.ts';

/**
 * The tests' real Shopify orders/create sample (a cash-on-delivery order in Saudi Arabia) with
 * placeholders for the order id, number and phone.
 */
export const buildShopifyOrderTemplate = (): string => {
  const body = parse(shopifyCodOrder({ id: ORDER_ID_PLACEHOLDER, number: `#${ORDER_NUMBER_PLACEHOLDER}`, phone: PHONE_PLACEHOLDER })) as Record<string, unknown>;
  body.admin_graphql_api_id = `gid://shopify/Order/${ORDER_ID_PLACEHOLDER}`;
  const text = stringify(body) ?? '';

  // Shopify sends the id as a JSON number.
  return text.replace(`"${ORDER_ID_PLACEHOLDER}"`, ORDER_ID_PLACEHOLDER);
};
