import { createHmac } from 'node:crypto';

/**
 * Shopify orders/create webhooks for load: a body template with placeholders (built once by
 * shopify-order-template.ts), rendered into thousands of unique orders by string replacement.
 */
export const ORDER_ID_PLACEHOLDER = 'BENCHORDERID';
export const ORDER_NUMBER_PLACEHOLDER = 'BENCHORDERNUMBER';
export const PHONE_PLACEHOLDER = 'BENCHPHONE';

/** One order: `orderId` all digits, `phone` E.164. */
export const renderShopifyOrder = (template: string, order: { orderId: string; orderNumber: string; phone: string }): string =>
  template.replaceAll(ORDER_ID_PLACEHOLDER, order.orderId).replaceAll(ORDER_NUMBER_PLACEHOLDER, order.orderNumber).replaceAll(PHONE_PLACEHOLDER, order.phone);

/** The headers Shopify sends with a webhook, signed over the exact body with the store's secret. */
export const shopifyWebhookHeaders = (body: string, secret: string, deliveryId: string): Record<string, string> => ({
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(body)),
  'x-shopify-topic': 'orders/create',
  'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
  'x-shopify-webhook-id': deliveryId,
  'x-shopify-shop-domain': 'bench-store.myshopify.com',
  'x-shopify-api-version': '2026-07',
});
