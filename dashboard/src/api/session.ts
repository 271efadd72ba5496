import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, rememberCsrfToken } from './client.ts';
import type { Session } from './types.ts';

export const SESSION_QUERY_KEY = ['session'] as const;

/** The signed-in session, or null when nobody is signed in (401). */
export const fetchSession = async (): Promise<Session | null> => {
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
