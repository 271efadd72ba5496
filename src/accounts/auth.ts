import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { APIError } from 'better-auth/api';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import type { Config } from '../config.ts';
import type { Keyring } from '../crypto/envelope.ts';
import type { Database } from '../db/database.ts';
import type { Mailer } from '../email/mailer.ts';
import { renderPasswordResetEmail, renderVerificationEmail, toEmailLanguage } from '../email/templates.ts';
import { newId, type IdKind } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { hashSessionToken, notifyAccessRevoked } from './access-revocation.ts';
import { authIdentities, authRateLimits, authSessions, authVerifications, users } from './auth-tables.ts';
import { ensureAccountForUser } from './ensure-account.ts';
import { readPersonName } from './person-name.ts';

/** The header our HTTP layer sets to the client address it trusts; any incoming value is replaced. */
export const CLIENT_ADDRESS_HEADER = 'x-akked-client-address';

export const SESSION_COOKIE_NAME = 'akked.session_token';

const MODEL_ID_KINDS: Record<string, IdKind> = {
  user: 'user',
  session: 'session',
  account: 'identity',
  verification: 'verification',
};

/** Secrets for sessions and CSRF tokens are derived from the master key, so there is nothing else to configure. */
export const deriveSecret = (keyring: Keyring, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', keyring.current.key, Buffer.alloc(0), `akked ${purpose}`, 32));

export type CreateAuthOptions = {
  config: Config;
  database: Database;
  keyring: Keyring;
  mailer: Mailer;
  logger: Logger;
};

export const createAuth = ({ config, database, keyring, mailer, logger }: CreateAuthOptions) =>
  betterAuth({
    appName: 'Akked',
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret: deriveSecret(keyring, 'sessions').toString('base64'),
    trustedOrigins: [config.publicUrl],
    telemetry: { enabled: false },
    database: drizzleAdapter(database.orm, {
      provider: 'pg',
      schema: { user: users, session: authSessions, account: authIdentities, verification: authVerifications, rateLimit: authRateLimits },
    }),
    user: {
      additionalFields: {
        language: { type: 'string', required: false, defaultValue: 'en', input: true },
        akkedAccountId: { type: 'string', required: false, input: false },
      },
    },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 256,
      requireEmailVerification: config.AKKED_REQUIRE_EMAIL_VERIFICATION,
      resetPasswordTokenExpiresIn: 3600,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url }) => {
        const language = toEmailLanguage((user as { language?: string }).language);
        const email = renderPasswordResetEmail(language, url);
        await mailer.send({ ...email, to: user.email, kind: 'password-reset', accountId: (user as { akkedAccountId?: string | null }).akkedAccountId ?? null });
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      // The link only verifies: signing its clicker in would let an attacker send a victim the
      // link of the attacker's own account (login CSRF), and the victim would then link their
      // WhatsApp number or stores to it. The dashboard asks for a sign-in next.
      autoSignInAfterVerification: false,
      expiresIn: 60 * 60 * 24,
      sendVerificationEmail: async ({ user, url }) => {
        const language = toEmailLanguage((user as { language?: string }).language);
        const email = renderVerificationEmail(language, url);
        const account = await ensureAccountForUser(database, config, { id: user.id, name: user.name });
        await mailer.send({ ...email, to: user.email, kind: 'verify-email', accountId: account });
      },
    },
    session: {
      expiresIn: 60 * 60 * 24 * 30,
      updateAge: 60 * 60 * 24,
      // No session-data cache cookie: every request reads the session row, so a deleted account
      // or revoked session stops working at once.
      cookieCache: { enabled: false },
    },
    rateLimit: {
      enabled: true,
      storage: 'database',
      window: 60,
      max: 300,
      customRules: {
        '/sign-in/email': { window: 60, max: config.AKKED_SIGN_IN_RATE_LIMIT },
        '/sign-up/email': { window: 60, max: config.AKKED_SIGN_IN_RATE_LIMIT },
        '/request-password-reset': { window: 60, max: 5 },
      },
    },
    databaseHooks: {
      // Sign-out and every other session deletion end the live streams that session opened.
      session: {
        delete: {
          after: async (session) => {
            if (session?.token) await notifyAccessRevoked(database, { sessionTokenHash: hashSessionToken(session.token) });
          },
        },
      },
      user: {
        // Names are typed by anyone who signs up and land in emails and the dashboard: one line,
        // no control or direction-changing characters, at most 100 characters, on every path.
        create: {
          before: async (user) => ({ data: { ...user, name: requireCleanName(user.name) } }),
          after: async (user) => {
            await ensureAccountForUser(database, config, { id: user.id, name: user.name });
          },
        },
        update: {
          before: async (user) => ('name' in user ? { data: { ...user, name: requireCleanName(user.name) } } : { data: user }),
        },
      },
    },
    advanced: {
      cookiePrefix: 'akked',
      useSecureCookies: false,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure: config.isSecure, path: '/' },
      cookies: { session_token: { name: SESSION_COOKIE_NAME } },
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
      database: {
        generateId: ({ model }) => newId(MODEL_ID_KINDS[model] ?? 'user'),
      },
    },
    logger: {
      log: (level, message) => {
        const method = level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'debug';
        logger[method]({ component: 'auth' }, message);
      },
    },
  });

const requireCleanName = (raw: unknown): string => {
  const read = readPersonName(raw);
  if ('problem' in read) throw new APIError('BAD_REQUEST', { message: read.problem, code: 'BAD_REQUEST' });

  return read.name;
};

export type Auth = ReturnType<typeof createAuth>;

/**
 * The CSRF token of a session: an HMAC of the session token, so it needs no cookie or storage of
 * its own and changes with the session.
 */
export const csrfTokenFor = (secret: Buffer, sessionToken: string): string =>
  createHmac('sha256', secret).update(sessionToken).digest('base64url');

export const isCsrfTokenValid = (secret: Buffer, sessionToken: string, candidate: string | undefined): boolean => {
  if (!candidate) return false;
  const expected = Buffer.from(csrfTokenFor(secret, sessionToken));
  const given = Buffer.from(candidate);

  return expected.length === given.length && timingSafeEqual(expected, given);
};
