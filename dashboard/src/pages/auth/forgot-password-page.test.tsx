import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import ForgotPasswordPage from './forgot-password-page.tsx';

const SIGNED_OUT = { status: 401, body: { error: { code: 'unauthorized', message: 'not signed in' } } };

describe('forgot-password page', () => {
  it('asks for a reset link and answers the same whether or not the account exists', async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/request-password-reset': { body: { status: true, message: 'If this email exists in our system, check your email for the reset link' } },
    });
    renderAt(<ForgotPasswordPage />, { path: '/forgot-password', route: '/forgot-password' });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'nobody@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    await screen.findByText('If an account exists for nobody@example.com, we sent it a link to choose a new password.');
    const request = fake.requests.find((entry) => entry.path === '/api/auth/request-password-reset');
    expect(request?.method).toBe('POST');
    expect(request?.body).toEqual({ email: 'nobody@example.com', redirectTo: '/reset-password' });
    expect(screen.getByRole('link', { name: 'Back to sign in' }).getAttribute('href')).toBe('/sign-in');
  });

  it('shows a failure to send inline and lets the merchant try again', async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/request-password-reset': { status: 500, body: { error: { code: 'internal', message: 'boom' } } },
    });
    renderAt(<ForgotPasswordPage />, { path: '/forgot-password', route: '/forgot-password' });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'amina@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Something went wrong on our side. It has been logged; please try again.');
    expect(screen.getByRole('button', { name: 'Send the link' })).toHaveProperty('disabled', false);
  });
});
