/**
 * Where to go after signing in: `?next=` only when it is a path of this site. Anything that could
 * leave the origin (`//evil.example`, `/\evil.example`, `https://...`, `javascript:`) falls back to `/`.
 */
export const safeNextPath = (next: string | null | undefined): string => {
  if (!next || !next.startsWith('/')) return '/';
  if (next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Control characters and backslashes can be rewritten by browsers into something else.
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';

  return next;
};

/** better-auth's minPasswordLength in src/accounts/auth.ts. */
export const MINIMUM_PASSWORD_LENGTH = 8;
