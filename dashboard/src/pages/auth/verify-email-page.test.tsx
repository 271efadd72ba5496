import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi, SAMPLE_SESSION } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import VerifyEmailPage from './verify-email-page.tsx';

const SIGNED_OUT = { status: 401, body: { error: { code: 'unauthorized', message: 'not signed in' } } };

describe('verify-email landing', () => {
  it('confirms success after better-auth signed the user in, with the way on to the setup', async () => {
    installFakeApi({ 'GET /api/v1/session': { body: SAMPLE_SESSION } });
    renderAt(<VerifyEmailPage />, { path: '/verify-email?verified=1', route: '/verify-email' });
    await screen.findByRole('heading', { name: 'Email confirmed' });
    expect(screen.getByRole('link', { name: 'Continue to setup' }).getAttribute('href')).toBe('/setup');
  });

  it('shows an expired link clearly (even though verified=1 is still in the address) and sends a new one to the typed email', async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/send-verification-email': { body: { status: true } },
    });
    renderAt(<VerifyEmailPage />, { path: '/verify-email?verified=1&error=TOKEN_EXPIRED', route: '/verify-email' });
    await screen.findByRole('heading', { name: 'This link did not work' });
    expect(screen.getByRole('alert').textContent).toBe('This link has expired.');
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'amina@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    await screen.findByText(/a new link is on its way/);
    const resend = fake.requests.find((request) => request.path === '/api/auth/send-verification-email');
    expect(resend?.method).toBe('POST');
    expect(resend?.body).toEqual({ email: 'amina@example.com', callbackURL: '/verify-email?verified=1' });
  });

  it("uses the session's email for a new link when signed in, with the CSRF token", async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': { body: { ...SAMPLE_SESSION, user: { ...SAMPLE_SESSION.user, emailVerified: false } } },
      'POST /api/auth/send-verification-email': { body: { status: true } },
    });
    renderAt(<VerifyEmailPage />, { path: '/verify-email?error=INVALID_TOKEN', route: '/verify-email' });
    await screen.findByText('This link is not valid any more: it was already used or it expired.');
    expect(screen.queryByLabelText('Email')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    await screen.findByText(/a new link is on its way/);
    const resend = fake.requests.find((request) => request.path === '/api/auth/send-verification-email');
    expect(resend?.body).toEqual({ email: 'amina@example.com', callbackURL: '/verify-email?verified=1' });
    expect(resend?.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  it('shows an error from sending the new link inline', async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/send-verification-email': { status: 400, body: { error: { code: 'invalid_email', message: 'Invalid email' } } },
    });
    renderAt(<VerifyEmailPage />, { path: '/verify-email?error=INVALID_TOKEN', route: '/verify-email' });
    await screen.findByRole('heading', { name: 'This link did not work' });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'not-an-email@x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect(await screen.findByText('This email address does not look right.')).toBeTruthy();
  });

  it('without a result in the address, asks to open the emailed link', async () => {
    installFakeApi({ 'GET /api/v1/session': SIGNED_OUT });
    renderAt(<VerifyEmailPage />, { path: '/verify-email', route: '/verify-email' });
    await screen.findByRole('button', { name: 'Send a new link' });
    expect(screen.getByRole('heading', { name: 'Confirm your email' })).toBeTruthy();
    expect(screen.getByText(/Open the link we emailed you/)).toBeTruthy();
  });
});
