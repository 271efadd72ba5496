import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { isValidTimezone } from '../time/zoned-time.ts';

/** Store settings (DESIGN.md §5.3), every field optional on update, with these defaults. */
const decimalAmount = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount such as "100.00"')])
  .transform((value) => String(value));

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as "HH:MM" (24-hour)');

export const QuietHoursSchema = z
  .object({ start: clockTime, end: clockTime })
  .refine((hours) => hours.start !== hours.end, 'start and end must differ');

export const RemindersSchema = z.object({
  count: z.number().int().min(0).max(5),
  afterMinutes: z.number().int().min(5).max(7 * 24 * 60),
});

/**
 * When WhatsApp refuses the linked number's first message to a customer who never wrote to it
 * (error 463), send the question instead as an approved template from this Cloud API number.
 * The template's body placeholders {{1}}, {{2}}... are filled with these variables, in order.
 */
export const CloudFallbackSchema = z.object({
  whatsappNumberId: z.string().max(100),
  templateName: z.string().regex(/^[a-z0-9_]{1,512}$/, 'the approved template name, lower case with underscores'),
  languageCode: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a template language code such as "ar" or "en_US"'),
  parameters: z.array(z.enum(['customer_name', 'order_number', 'total', 'currency', 'items', 'store_name'])).max(10),
});

export const StoreSettingsSchema = z.object({
  /** Only cash-on-delivery orders get a confirmation message. */
  codOnly: z.boolean(),
  /** Orders below this total are skipped (same currency as the orders). */
  minimumTotal: decimalAmount.nullable(),
  sendDelayMinutes: z.number().int().min(0).max(7 * 24 * 60),
  /** In the store's timezone; may cross midnight (22:00–08:00). Orders arriving then wait for the end. */
  quietHours: QuietHoursSchema.nullable(),
  reminders: RemindersSchema,
  autoCancelAfterMinutes: z.number().int().min(10).max(30 * 24 * 60).nullable(),
  cloudFallback: CloudFallbackSchema.nullable(),
});

export type StoreSettings = z.infer<typeof StoreSettingsSchema>;

export const DEFAULT_STORE_SETTINGS: StoreSettings = {
  codOnly: true,
  minimumTotal: null,
  sendDelayMinutes: 0,
  quietHours: null,
  reminders: { count: 1, afterMinutes: 120 },
  autoCancelAfterMinutes: null,
  cloudFallback: null,
};

// Built once: zod compiles a schema on first use, and `.partial()` per call cost ~1 ms per store read.
const StoredStoreSettingsSchema = StoreSettingsSchema.partial();

/** Stored settings merged over the defaults, so rows written by older versions read complete. */
export const readStoreSettings = (stored: unknown): StoreSettings => {
  const parsed = StoredStoreSettingsSchema.safeParse(stored);

  return { ...DEFAULT_STORE_SETTINGS, ...(parsed.success ? parsed.data : {}) };
};

export const TimezoneSchema = z.string().refine(isValidTimezone, 'an IANA timezone such as "Asia/Riyadh"');

export const CountrySchema = z
  .string()
  .transform((value) => value.toUpperCase())
  .refine((code) => /^[A-Z]{2}$/.test(code) && isSupportedCountry(code), 'an ISO 3166 country code such as "SA"');

export const StoreLanguageSchema = z.enum(['ar', 'en', 'fr']);

/** The settings as the API answers them (no input coercions, so responses serialize as they are). */
export const StoreSettingsViewSchema = StoreSettingsSchema.extend({ minimumTotal: z.string().nullable() });
