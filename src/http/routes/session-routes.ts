import { z } from 'zod';
import { csrfTokenFor, type Auth } from '../../accounts/auth.ts';
import { deleteAccount } from '../../accounts/delete-account.ts';
import { PersonNameSchema } from '../../accounts/person-name.ts';
import { AppError } from '../../errors.ts';
import type { AppInstance } from '../app.ts';
import type { Authenticator } from '../authenticate.ts';

const UserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  language: z.string(),
});

const AccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.string(),
  creditBalance: z.number().int(),
});

const SessionResponseSchema = z.object({ user: UserSchema, account: AccountSchema, csrfToken: z.string() });

export const registerSessionRoutes = (app: AppInstance, options: { authenticator: Authenticator; csrfSecret: Buffer; auth: Auth }): void => {
  const { authenticator, csrfSecret } = options;

  app.delete(
    '/api/v1/account',
    {
      schema: {
        tags: ['session'],
        summary: 'Delete the account and everything that belongs to it (cookie session and CSRF token only, password required)',
        body: z.object({ password: z.string().min(1).max(256) }),
        response: {
          200: z.object({
            deleted: z.object({
              users: z.number(), stores: z.number(), whatsappNumbers: z.number(), orders: z.number(), messages: z.number(),
              events: z.number(), jobs: z.number(), credentials: z.number(), sessionKeys: z.number(),
            }),
          }),
        },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);
      if (principal.via !== 'session' || !principal.userId) throw new AppError('forbidden', { message: 'an account can only be deleted from a signed-in session' });
      // The password check costs ~70 ms of hashing: few tries per user and per address.
      await app.rateLimits.enforce('password-check', request, `user ${principal.userId}`);
      await app.rateLimits.enforce('password-check', request, `address ${app.rateLimits.clientKey(request)}`);
      const deleted = await deleteAccount(
        { auth: options.auth, database: app.services.database, queue: app.services.queue, sessions: app.services.sessions, dataDirectory: app.services.config.AKKED_DATA_DIR, mailer: app.services.mailer, logger: app.services.logger, stripe: app.services.stripe },
        { accountId: principal.accountId, userId: principal.userId, password: request.body.password },
      );

      return { deleted };
    },
  );

  const readAccount = async (accountId: string) => {
    const [account] = await app.services.database.query<{ id: string; name: string; plan: string; credit_balance: number }>(
      'select id, name, plan, credit_balance from accounts where id = $1',
      [accountId],
    );
    if (!account) throw new AppError('unauthorized', { message: 'the account no longer exists' });

    return { id: account.id, name: account.name, plan: account.plan, creditBalance: Number(account.credit_balance) };
  };

  app.get(
    '/api/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'The signed-in user, their account and the CSRF token for state-changing requests',
        response: { 200: SessionResponseSchema },
      },
    },
    async (request) => {
      const session = await authenticator.readSession(request);
      if (!session) throw new AppError('unauthorized', { message: 'not signed in' });
      const { accountId, ...user } = session.user;

      return { user, account: await readAccount(accountId), csrfToken: csrfTokenFor(csrfSecret, session.sessionToken) };
    },
  );

  app.patch(
    '/api/v1/session/user',
    {
      schema: {
        tags: ['session'],
        summary: "Update the signed-in user's name or language (ar, en, fr)",
        body: z.object({ name: PersonNameSchema.optional(), language: z.enum(['ar', 'en', 'fr']).optional() }),
        response: { 200: UserSchema },
      },
    },
    async (request) => {
      const principal = await authenticator.authenticate(request);
      if (principal.via !== 'session' || !principal.userId) {
        throw new AppError('forbidden', { message: 'only a signed-in user can change their profile' });
      }
      const [user] = await app.services.database.query<{ id: string; name: string; email: string; email_verified: boolean; language: string }>(
        `update users set name = coalesce($2, name), language = coalesce($3, language), updated_at = now()
         where id = $1 returning id, name, email, email_verified, language`,
        [principal.userId, request.body.name ?? null, request.body.language ?? null],
      );
      if (!user) throw new AppError('unauthorized', { message: 'the user no longer exists' });

      return { id: user.id, name: user.name, email: user.email, emailVerified: user.email_verified, language: user.language };
    },
  );
};
