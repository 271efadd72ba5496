import { z } from 'zod';
import { AppError } from '../../errors.ts';

// Meta's ids are numeric strings; holding them to digits also keeps them safe to put in a URL path.
const GraphIdSchema = z.string().regex(/^\d{1,32}$/);

/**
 * What a `cloud` WhatsApp number stores in its provider settings (encrypted at rest by the caller):
 * the Cloud API phone-number id and token for sending, the app secret that signs webhooks, and the
 * verify token Meta echoes when the webhook URL is registered.
 */
export const CloudSettingsSchema = z.object({
  phoneNumberId: GraphIdSchema,
  accessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  businessAccountId: GraphIdSchema.optional(),
});

export type CloudSettings = z.infer<typeof CloudSettingsSchema>;

/** Validates a number's stored settings; names the bad fields, never their values (they are secrets). */
export const readCloudSettings = (settings: Record<string, unknown>): CloudSettings => {
  const parsed = CloudSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
    throw new AppError('bad_request', {
      message: `Cloud API settings are missing or invalid: ${fields.join(', ')}`,
      details: { fields },
    });
  }

  return parsed.data;
};
