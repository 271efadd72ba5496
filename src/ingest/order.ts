import { z } from 'zod';

/** Store platforms Akked ingests from; `generic` is any system using the Standard Webhooks scheme. */
export const PLATFORMS = ['shopify', 'woocommerce', 'salla', 'zid', 'youcan', 'easyorders', 'generic'] as const;
export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

/** Why a customer has no usable WhatsApp phone (DESIGN.md §5.4). */
export const PhoneProblemSchema = z.enum(['missing', 'not_mobile', 'invalid']);
export type PhoneProblem = z.infer<typeof PhoneProblemSchema>;

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal number as a string, for example "199.00"');

/**
 * The one shape of an order that the rest of Akked sees (DESIGN.md §5.4): the output of
 * `akked parse-order`, the body of the generic webhook and of `POST /api/v1/orders`.
 */
export const NormalizedOrderSchema = z.object({
  platform: PlatformSchema,
  externalId: z.string().min(1).max(200),
  number: z.string().max(200),
  createdAt: z.string().datetime({ offset: true }),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as "SAR"'),
  total: decimalString,
  paymentMethod: z.string().max(500).nullable(),
  isCod: z.boolean(),
  locale: z.string().regex(/^[a-z]{2}$/).nullable(),
  customer: z.object({
    name: z.string().max(500).nullable(),
    phone: z.string().regex(/^\+\d{6,15}$/).nullable(),
    phoneRaw: z.string().max(100).nullable(),
    phoneProblem: PhoneProblemSchema.nullable(),
  }),
  shippingAddress: z
    .object({
      line1: z.string().max(1000).nullable(),
      line2: z.string().max(1000).nullable(),
      city: z.string().max(500).nullable(),
      region: z.string().max(500).nullable(),
      postalCode: z.string().max(100).nullable(),
      countryCode: z.string().regex(/^[A-Z]{2}$/).nullable(),
    })
    .nullable(),
  items: z
    .array(
      z.object({
        name: z.string().max(1000),
        variant: z.string().max(1000).nullable(),
        sku: z.string().max(500).nullable(),
        quantity: z.number().int().min(0),
        unitPrice: decimalString,
      }),
    )
    .max(1000),
});

export type NormalizedOrder = z.infer<typeof NormalizedOrderSchema>;
