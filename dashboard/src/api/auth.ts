import { api } from './client.ts';

/** better-auth endpoints under /api/auth (DESIGN.md §5.3); errors arrive as {error:{code,message}}. */
export const signUp = (input: { name: string; email: string; password: string; language: string }) =>
  api<unknown>('/api/auth/sign-up/email', { method: 'POST', body: { ...input, callbackURL: '/verify-email?verified=1' } });

export const signIn = (input: { email: string; password: string }) =>
  api<unknown>('/api/auth/sign-in/email', { method: 'POST', body: { ...input, rememberMe: true } });

export const signOut = () => api<unknown>('/api/auth/sign-out', { method: 'POST', body: {} });

export const sendVerificationEmail = (email: string) =>
  api<unknown>('/api/auth/send-verification-email', { method: 'POST', body: { email, callbackURL: '/verify-email?verified=1' } });

export const requestPasswordReset = (email: string) =>
  api<unknown>('/api/auth/request-password-reset', { method: 'POST', body: { email, redirectTo: '/reset-password' } });

export const resetPassword = (input: { token: string; newPassword: string }) =>
  api<unknown>('/api/auth/reset-password', { method: 'POST', body: input });
