import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import ResetPasswordPage from './reset-password-page.tsx';

const SIGNED_OUT = { status: 401, body: { error: { code: 'unauthorized', message: 'not signed in' } } };

const typePasswords = (first: string, second: string) => {
  fireEvent.change(screen.getByLabelText('New password'), { target: { value: first } });
  fireEvent.change(screen.getByLabelText('New password again'), { target: { value: second } });
  fireEvent.click(screen.getByRole('button', { name: 'Save the new password' }));
};

describe('reset-password page', () => {
  it('sets the new password with the token from the link', async () => {
    const fake = installFakeApi({ 'GET /api/v1/session': SIGNED_OUT, 'POST /api/auth/reset-password': { body: { status: true } } });
    renderAt(<ResetPasswordPage />, { path: '/reset-password?token=reset-token-1', route: '/reset-password' });
    expect(screen.getByLabelText('New password')).toHaveProperty('autocomplete', 'new-password');
    expect(screen.getByLabelText('New password again')).toHaveProperty('autocomplete', 'new-password');
    typePasswords('a new long password', 'a new long password');
    await screen.findByRole('heading', { name: 'Password changed' });
    const request = fake.requests.find((entry) => entry.path === '/api/auth/reset-password');
    expect(request?.method).toBe('POST');
    expect(request?.body).toEqual({ token: 'reset-token-1', newPassword: 'a new long password' });
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in');
  });

  it('refuses two different passwords without asking the server', async () => {
    const fake = installFakeApi({ 'GET /api/v1/session': SIGNED_OUT });
    renderAt(<ResetPasswordPage />, { path: '/reset-password?token=reset-token-1', route: '/reset-password' });
    typePasswords('a new long password', 'another long password');
    expect((await screen.findByRole('alert')).textContent).toBe('The two passwords are not the same.');
    expect(fake.requests.some((entry) => entry.path === '/api/auth/reset-password')).toBe(false);
  });

  it('shows an expired link from better-auth clearly, with a way to ask again', async () => {
    installFakeApi({ 'GET /api/v1/session': SIGNED_OUT });
    renderAt(<ResetPasswordPage />, { path: '/reset-password?error=INVALID_TOKEN', route: '/reset-password' });
    expect(screen.getByRole('alert').textContent).toBe('This link is not valid any more: it was already used or it expired.');
    expect(screen.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe('/forgot-password');
    expect(screen.queryByLabelText('New password')).toBeNull();
  });

  it('turns a token refused on submit into the same "ask again" state', async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/reset-password': { status: 400, body: { error: { code: 'invalid_token', message: 'Invalid token' } } },
    });
    renderAt(<ResetPasswordPage />, { path: '/reset-password?token=spent', route: '/reset-password' });
    typePasswords('a new long password', 'a new long password');
    await screen.findByRole('link', { name: 'Ask for a new link' });
  });

  it('shows a too-short password from the server inline', async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/reset-password': { status: 400, body: { error: { code: 'password_too_short', message: 'Password too short' } } },
    });
    renderAt(<ResetPasswordPage />, { path: '/reset-password?token=reset-token-1', route: '/reset-password' });
    typePasswords('eight ch', 'eight ch');
    expect((await screen.findByRole('alert')).textContent).toBe('This password is too short.');
  });
});
