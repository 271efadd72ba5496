import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Route, Routes, useLocation } from 'react-router';
import { installFakeApi, SAMPLE_SESSION } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import { safeNextPath } from './auth-rules.ts';
import SignInPage from './sign-in-page.tsx';

const SIGNED_OUT = { status: 401, body: { error: { code: 'unauthorized', message: 'not signed in' } } };

const Where = () => {
  const location = useLocation();

  return <p data-testid="where">{`${location.pathname}${location.search}`}</p>;
};

const renderSignIn = (path: string) =>
  renderAt(
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="*" element={<Where />} />
    </Routes>,
    { path },
  );

const fillAndSubmit = (email: string, password: string) => {
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
};

describe('sign-in page', () => {
  it('signs in with email and password, reads the session again and follows ?next=', async () => {
    let signedIn = false;
    const fake = installFakeApi({
      'GET /api/v1/session': () => (signedIn ? { body: SAMPLE_SESSION } : SIGNED_OUT),
      'POST /api/auth/sign-in/email': () => {
        signedIn = true;
        return { body: { redirect: false, token: 'session-token', user: SAMPLE_SESSION.user } };
      },
    });
    renderSignIn('/sign-in?next=%2Forders%2Ford_1%3Fstatus%3Dsent');
    await screen.findByLabelText('Email');
    expect(screen.getByLabelText('Email')).toHaveProperty('autocomplete', 'email');
    expect(screen.getByLabelText('Password')).toHaveProperty('autocomplete', 'current-password');
    fillAndSubmit(' amina@example.com ', 'a long password');

    expect((await screen.findByTestId('where')).textContent).toBe('/orders/ord_1?status=sent');
    const signIn = fake.requests.find((request) => request.path === '/api/auth/sign-in/email');
    expect(signIn?.method).toBe('POST');
    expect(signIn?.body).toEqual({ email: 'amina@example.com', password: 'a long password', rememberMe: true });
    // The session was read again after signing in (once on open, once after).
    expect(fake.requests.filter((request) => request.path === '/api/auth/get-session').length).toBeGreaterThanOrEqual(2);
  });

  it('ignores a ?next= that would leave the site and goes to the overview', async () => {
    let signedIn = false;
    installFakeApi({
      'GET /api/v1/session': () => (signedIn ? { body: SAMPLE_SESSION } : SIGNED_OUT),
      'POST /api/auth/sign-in/email': () => {
        signedIn = true;
        return { body: { token: 'session-token' } };
      },
    });
    renderSignIn('/sign-in?next=%2F%2Fevil.example%2Fphish');
    await screen.findByLabelText('Email');
    fillAndSubmit('amina@example.com', 'a long password');
    expect((await screen.findByTestId('where')).textContent).toBe('/');
  });

  it('keeps only same-site paths as the place to go next', () => {
    expect(safeNextPath('/orders?status=sent')).toBe('/orders?status=sent');
    expect(safeNextPath('/')).toBe('/');
    for (const unsafe of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', 'orders', '', null, '/%0d\n//x']) {
      expect(safeNextPath(unsafe)).toBe('/');
    }
  });

  it('shows a wrong password inline in the page language and stays on the page', async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/sign-in/email': { status: 401, body: { error: { code: 'invalid_email_or_password', message: 'Invalid email or password' } } },
    });
    renderSignIn('/sign-in');
    await screen.findByLabelText('Email');
    fillAndSubmit('amina@example.com', 'wrong password');
    expect((await screen.findByRole('alert')).textContent).toBe('The email or password is not right.');
    expect(screen.queryByTestId('where')).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', false);
  });

  it("falls back to the server's message for a code it has no words for", async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/sign-in/email': { status: 400, body: { error: { code: 'something_new', message: 'Something new went wrong' } } },
    });
    renderSignIn('/sign-in');
    await screen.findByLabelText('Email');
    fillAndSubmit('amina@example.com', 'a long password');
    expect((await screen.findByRole('alert')).textContent).toBe('Something new went wrong');
  });

  it('offers to send the verification link again when the email is not confirmed yet', async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/sign-in/email': { status: 403, body: { error: { code: 'email_not_verified', message: 'Email not verified' } } },
      'POST /api/auth/send-verification-email': { body: { status: true } },
    });
    renderSignIn('/sign-in');
    await screen.findByLabelText('Email');
    fillAndSubmit('amina@example.com', 'a long password');
    expect((await screen.findByRole('alert')).textContent).toBe('Please confirm your email first: open the link we sent you.');
    fireEvent.click(screen.getByRole('button', { name: 'Send the link again' }));
    await screen.findByText(/a new link is on its way/);
    const resend = fake.requests.find((request) => request.path === '/api/auth/send-verification-email');
    expect(resend?.body).toEqual({ email: 'amina@example.com', callbackURL: '/verify-email?verified=1' });
  });

  it('sends a signed-in visitor to the overview', async () => {
    installFakeApi({ 'GET /api/v1/session': { body: SAMPLE_SESSION } });
    renderSignIn('/sign-in?next=%2Fbilling');
    expect((await screen.findByTestId('where')).textContent).toBe('/');
  });

  it('says so after the account was deleted, and links to the other pages', async () => {
    installFakeApi({ 'GET /api/v1/session': SIGNED_OUT });
    renderSignIn('/sign-in?deleted=1');
    await screen.findByText(/Your account and all its data have been deleted/);
    expect(screen.getByRole('link', { name: 'Forgot your password?' }).getAttribute('href')).toBe('/forgot-password');
    expect(screen.getByRole('link', { name: 'Create an account' }).getAttribute('href')).toBe('/sign-up');
    await waitFor(() => expect(document.title).toBe('Sign in · Akked'));
    expect(screen.getByRole('combobox', { name: 'Language' })).toBeTruthy();
  });
});
