import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, rememberCsrfToken } from './client.ts';
import type { Session } from './types.ts';

export const SESSION_QUERY_KEY = ['session'] as const;

/** The signed-in session, or null when nobody is signed in (401). */
export const fetchSession = async (): Promise<Session | null> => {
  // better-auth answers 200 with null for a visitor, where /api/v1/session answers 401: asking it
  // first keeps a signed-out page free of failed requests in the browser console.
  const signedIn = await api<{ session?: unknown } | null>('/api/auth/get-session');
  if (!signedIn) {
    rememberCsrfToken(null);
    return null;
  }
  try {
    const session = await api<Session>('/api/v1/session');
    rememberCsrfToken(session.csrfToken);

    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      rememberCsrfToken(null);
      return null;
    }
    throw error;
  }
};

export const useSession = () => useQuery({ queryKey: SESSION_QUERY_KEY, queryFn: fetchSession, staleTime: 60_000 });

/** After sign-in, sign-out or a profile change: read the session again everywhere. */
export const useRefreshSession = () => {
  const client = useQueryClient();

  return async () => {
    await client.invalidateQueries({ queryKey: SESSION_QUERY_KEY });
  };
};

/** The signed-in session inside pages behind RequireSession (never null there). */
export const useSignedInSession = (): Session => {
  const { data } = useSession();
  if (!data) throw new Error('useSignedInSession used outside RequireSession');

  return data;
};
