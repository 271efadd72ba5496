import { fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Route, Routes, useLocation } from 'react-router';
import { changeLanguage } from '../../i18n/i18n.ts';
import { installFakeApi, SAMPLE_SESSION } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import SignUpPage from './sign-up-page.tsx';

const SIGNED_OUT = { status: 401, body: { error: { code: 'unauthorized', message: 'not signed in' } } };

const Where = () => {
  const location = useLocation();

  return <p data-testid="where">{location.pathname}</p>;
};

const renderSignUp = () =>
  renderAt(
    <Routes>
      <Route path="/sign-up" element={<SignUpPage />} />
      <Route path="*" element={<Where />} />
    </Routes>,
    { path: '/sign-up' },
  );

const fill = (labels: Record<string, string>) => {
  for (const [label, value] of Object.entries(labels)) fireEvent.change(screen.getByLabelText(label), { target: { value } });
};

afterEach(async () => {
  await changeLanguage('en');
});

describe('sign-up page', () => {
  it('creates the account with the interface language, then asks to check the email and can send the link again', async () => {
    await changeLanguage('fr');
    const fake = installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/sign-up/email': { body: { token: null, user: { id: 'usr_1', email: 'amina@example.com' } } },
      'POST /api/auth/send-verification-email': { body: { status: true } },
    });
    renderSignUp();
    await screen.findByLabelText('Votre nom');
    expect(screen.getByLabelText('Mot de passe')).toHaveProperty('autocomplete', 'new-password');
    expect(screen.getByLabelText('E-mail')).toHaveProperty('type', 'email');
    expect((screen.getByLabelText('Langue des e-mails et du tableau de bord') as HTMLSelectElement).value).toBe('fr');
    fill({ 'Votre nom': 'Amina', 'E-mail': 'amina@example.com', 'Mot de passe': 'a long password' });
    fireEvent.click(screen.getByRole('button', { name: 'Créer le compte' }));

    await screen.findByRole('heading', { name: 'Vérifiez vos e-mails' });
    expect(screen.getByText(/Nous avons envoyé un lien à amina@example.com/)).toBeTruthy();
    const signUp = fake.requests.find((request) => request.path === '/api/auth/sign-up/email');
    expect(signUp?.method).toBe('POST');
    expect(signUp?.body).toEqual({
      name: 'Amina', email: 'amina@example.com', password: 'a long password', language: 'fr', callbackURL: '/verify-email?verified=1',
    });

    fireEvent.click(screen.getByRole('button', { name: 'Renvoyer le lien' }));
    await screen.findByText(/un nouveau lien est en route/);
    expect(fake.requests.find((request) => request.path === '/api/auth/send-verification-email')?.body).toEqual({
      email: 'amina@example.com', callbackURL: '/verify-email?verified=1',
    });
    // Nobody is signed in yet (verification required): the way on is the email, or sign-in.
    expect(screen.getByRole('link', { name: 'Aller à la connexion' }).getAttribute('href')).toBe('/sign-in');
  });

  it('sends the language picked on the form rather than the interface one', async () => {
    const fake = installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/sign-up/email': { body: { token: null, user: {} } },
    });
    renderSignUp();
    await screen.findByLabelText('Your name');
    fill({ 'Your name': 'Karim', Email: 'karim@example.com', Password: 'a long password', 'Language for emails and the dashboard': 'ar' });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await screen.findByRole('heading', { name: 'Check your email' });
    expect((fake.requests.find((request) => request.path === '/api/auth/sign-up/email')?.body as { language: string }).language).toBe('ar');
  });

  it('shows a taken email inline and keeps what was typed', async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/sign-up/email': {
        status: 422,
        body: { error: { code: 'user_already_exists_use_another_email', message: 'User already exists. Use another email.' } },
      },
    });
    renderSignUp();
    await screen.findByLabelText('Your name');
    fill({ 'Your name': 'Amina', Email: 'amina@example.com', Password: 'a long password' });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect((await screen.findByRole('alert')).textContent).toBe('An account already uses this email. Sign in, or use another address.');
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('amina@example.com');
  });

  it('says "too many attempts" when the sign-up rate limit answers 429 without a code', async () => {
    installFakeApi({
      'GET /api/v1/session': SIGNED_OUT,
      'POST /api/auth/sign-up/email': { status: 429, body: { message: 'Too many requests. Please try again later.' } },
    });
    renderSignUp();
    await screen.findByLabelText('Your name');
    fill({ 'Your name': 'Amina', Email: 'amina@example.com', Password: 'a long password' });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Wait a minute and try again.');
  });

  it('reads the session when the server signs the new user in at once, and offers the setup', async () => {
    let signedIn = false;
    installFakeApi({
      'GET /api/v1/session': () => (signedIn ? { body: { ...SAMPLE_SESSION, user: { ...SAMPLE_SESSION.user, emailVerified: false } } } : SIGNED_OUT),
      'POST /api/auth/sign-up/email': () => {
        signedIn = true;
        return { body: { token: 'session-token', user: {} } };
      },
    });
    renderSignUp();
    await screen.findByLabelText('Your name');
    fill({ 'Your name': 'Amina', Email: 'amina@example.com', Password: 'a long password' });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    const next = await screen.findByRole('link', { name: 'Continue to setup' });
    expect(next.getAttribute('href')).toBe('/setup');
    expect(screen.queryByTestId('where')).toBeNull();
  });

  it('sends a signed-in visitor to the overview', async () => {
    installFakeApi({ 'GET /api/v1/session': { body: SAMPLE_SESSION } });
    renderSignUp();
    expect((await screen.findByTestId('where')).textContent).toBe('/');
  });
});
