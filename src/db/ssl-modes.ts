/** libpq's `sslmode` values, weakest first (apart from postgres-connection.ts, so config.ts loads no `pg`). */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export type SslMode = (typeof SSL_MODES)[number];
