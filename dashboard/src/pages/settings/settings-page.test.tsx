import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Route, Routes, useLocation } from 'react-router';
import { LanguageSync } from '../../components/language-sync.tsx';
import { RequireSession } from '../../components/require-session.tsx';
import { changeLanguage, currentLanguageOverride, rememberLanguageOverride } from '../../i18n/i18n.ts';
import { installFakeApi, SAMPLE_SESSION, type RecordedRequest } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import { exportFilterFrom } from './export-section.tsx';
import SignInPage from '../auth/sign-in-page.tsx';
import SettingsPage from './settings-page.tsx';

const KEY = { id: 'key_1', name: 'Warehouse sync', prefix: 'ak_live_ab12', scopes: ['orders:read', 'stores'], createdAt: '2026-04-01T09:00:00.000Z', lastUsedAt: null };
const STORES = { body: { data: [{ id: 'sto_1', name: 'Dar Al Oud', platform: 'salla', defaultCountry: 'SA', language: 'ar', whatsappNumberId: null }] } };

const Where = () => {
  const location = useLocation();

  return <p data-testid="where">{`${location.pathname}${location.search}`}</p>;
};

const Search = () => <p data-testid="search">{useLocation().search}</p>;

const renderSettings = (path = '/settings') =>
  renderAt(
    <>
      <LanguageSync />
      <Search />
      <Routes>
      <Route path="/settings" element={<RequireSession><SettingsPage /></RequireSession>} />
      <Route path="/sign-in" element={<><Where /><SignInPage /></>} />
      <Route path="*" element={<Where />} />
      </Routes>
    </>,
    { path },
  );

const card = (title: string) => screen.getByRole('heading', { level: 2, name: title }).closest('.card') as HTMLElement;

afterEach(async () => {
  rememberLanguageOverride(null);
  await changeLanguage('en');
});

describe('settings: profile', () => {
  it('saves name and language with the CSRF token, applies the new language at once over ?lang= and reads the session again', async () => {
    let saved = SAMPLE_SESSION.user;
    const fake = installFakeApi({
      'GET /api/v1/session': () => ({ body: { ...SAMPLE_SESSION, user: saved } }),
      'PATCH /api/v1/session/user': (request) => {
        saved = { ...saved, ...(request.body as object) };
        return { body: saved };
      },
      'GET /api/v1/api-keys': { body: { data: [] } },
      'GET /api/v1/stores': STORES,
    });
    renderSettings('/settings?lang=en&tab=profile');
    const profile = within(await screen.findByRole('heading', { level: 2, name: 'Profile' }).then((heading) => heading.closest('.card') as HTMLElement));
    expect(profile.getByText('amina@example.com')).toBeTruthy();
    fireEvent.change(profile.getByLabelText('Your name'), { target: { value: 'Amina B.' } });
    fireEvent.change(profile.getByLabelText('Language'), { target: { value: 'fr' } });
    fireEvent.click(profile.getByRole('button', { name: 'Save' }));

    await screen.findByRole('heading', { level: 1, name: 'Paramètres' }, { timeout: 5000 });
    const patch = fake.requests.find((request) => request.method === 'PATCH') as RecordedRequest;
    expect(patch.path).toBe('/api/v1/session/user');
    expect(patch.body).toEqual({ name: 'Amina B.', language: 'fr' });
    expect(patch.headers['x-csrf-token']).toBe('csrf-token-1');
    expect(document.documentElement.lang).toBe('fr');
    expect(currentLanguageOverride()).toBeNull();
    await waitFor(() => expect(fake.requests.filter((request) => request.path === '/api/v1/session').length).toBeGreaterThanOrEqual(2));
    expect(await screen.findByText('Enregistré')).toBeTruthy();
    // The address no longer forces English, so the saved French stays.
    expect(screen.getByTestId('search').textContent).toBe('?tab=profile');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(document.documentElement.lang).toBe('fr');
    expect(screen.getByRole('heading', { level: 1, name: 'Paramètres' })).toBeTruthy();
  });

  it('shows a refused profile change inline', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'PATCH /api/v1/session/user': { status: 400, body: { error: { code: 'bad_request', message: 'name: too long' } } },
      'GET /api/v1/api-keys': { body: { data: [] } },
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    await screen.findByRole('heading', { level: 2, name: 'Profile' });
    fireEvent.click(within(card('Profile')).getByRole('button', { name: 'Save' }));
    expect((await within(card('Profile')).findByRole('alert')).textContent).toBe('name: too long');
  });
});

describe('settings: API keys', () => {
  it('lists keys as text, creates one and shows the key only once', async () => {
    const keys = [{ ...KEY, name: '<img src=x onerror="window.hacked=1">' }];
    const fake = installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': () => ({ body: { data: keys } }),
      'POST /api/v1/api-keys': (request) => {
        const { name, scopes } = request.body as { name: string; scopes: string[] };
        const created = { id: 'key_2', name, prefix: 'ak_live_cd34', scopes, createdAt: '2026-05-01T09:00:00.000Z', lastUsedAt: null };
        keys.push(created);
        return { status: 201, body: { ...created, key: 'ak_live_cd34_secret_value' } };
      },
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    await screen.findByText('<img src=x onerror="window.hacked=1">');
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText('ak_live_ab12…')).toBeTruthy();
    expect(screen.getByText('Never')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Name of the new key'), { target: { value: ' Shop sync ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByText('ak_live_cd34_secret_value');
    expect(screen.getByText('Copy it now and keep it somewhere safe: you will not see it again.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'API key' })).toBeTruthy();
    const post = fake.requests.find((request) => request.method === 'POST') as RecordedRequest;
    expect(post.path).toBe('/api/v1/api-keys');
    expect(post.body).toEqual({ name: 'Shop sync', scopes: ['orders:read', 'orders:write', 'stores', 'numbers'] });
    expect(post.headers['x-csrf-token']).toBe('csrf-token-1');
    // The list is read again and shows the new key by its prefix only.
    await screen.findByText('ak_live_cd34…');

    fireEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText('ak_live_cd34_secret_value')).toBeNull();
    expect(document.body.textContent).not.toContain('secret_value');
  });

  it('creates a key with the scopes ticked, everything but admin by default, and shows each key’s scopes', async () => {
    const keys = [KEY];
    const fake = installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': () => ({ body: { data: keys } }),
      'POST /api/v1/api-keys': (request) => ({ status: 201, body: { ...KEY, id: 'key_3', ...(request.body as object), key: 'ak_live_scoped' } }),
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    await screen.findByText('read orders, stores');
    const box = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
    expect(box('Everything, including API keys and billing').checked).toBe(false);
    expect(box('Manage stores').checked).toBe(true);
    fireEvent.click(box('Manage stores'));
    fireEvent.click(box('Send orders and decide them'));
    fireEvent.click(box('Manage WhatsApp numbers'));
    fireEvent.click(box('Read orders, analytics and exports'));
    expect(screen.getByText('Choose at least one.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Create key' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(box('Read orders, analytics and exports'));
    fireEvent.change(screen.getByLabelText('Name of the new key'), { target: { value: 'Reports' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByText('ak_live_scoped');
    expect((fake.requests.find((request) => request.method === 'POST') as RecordedRequest).body).toEqual({ name: 'Reports', scopes: ['orders:read'] });
  });

  it('says plainly when the account already holds as many keys as it may', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': { body: { data: [KEY] } },
      'POST /api/v1/api-keys': { status: 409, body: { error: { code: 'quota_exceeded', message: 'this account already has 25 live API keys', details: { quota: 'api_keys', limit: 25 } } } },
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    await screen.findByText('Warehouse sync');
    fireEvent.change(screen.getByLabelText('Name of the new key'), { target: { value: 'One more' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await within(card('API keys')).findByRole('alert')).textContent).toBe(
      'This account already has as many WhatsApp numbers, stores or API keys as it may. Remove one first.',
    );
  });

  it('revokes a key only after confirmation', async () => {
    let keys = [KEY];
    const fake = installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': () => ({ body: { data: keys } }),
      'DELETE /api/v1/api-keys/key_1': () => {
        keys = [];
        return { status: 204 };
      },
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke the key “Warehouse sync”' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(fake.requests.some((request) => request.method === 'DELETE')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'Revoke the key “Warehouse sync”' }));
    expect(screen.getByText('Revoke “Warehouse sync”? Anything using it stops working at once.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Revoke now' }));
    await screen.findByText('No API keys yet');
    const revoke = fake.requests.find((request) => request.method === 'DELETE') as RecordedRequest;
    expect(revoke.path).toBe('/api/v1/api-keys/key_1');
    expect(revoke.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  it('shows a failed revoke inline and a failed list with a retry', async () => {
    let listFails = true;
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': () => (listFails ? { status: 503, body: { error: { code: 'unavailable', message: 'database not ready' } } } : { body: { data: [KEY] } }),
      'DELETE /api/v1/api-keys/key_1': { status: 404, body: { error: { code: 'not_found', message: 'no such key' } } },
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    expect((await within(await screen.findByRole('heading', { level: 2, name: 'API keys' }).then((heading) => heading.closest('.card') as HTMLElement)).findByRole('alert')).textContent).toContain('database not ready');
    listFails = false;
    fireEvent.click(within(card('API keys')).getByRole('button', { name: 'Try again' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke the key “Warehouse sync”' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke now' }));
    expect((await within(card('API keys')).findByRole('alert')).textContent).toBe('This no longer exists, or it belongs to another account.');
  });
});

describe('settings: export', () => {
  it('offers same-origin download links for JSON and CSV, with the chosen store and dates', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': { body: { data: [] } },
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    const json = await screen.findByRole('link', { name: 'Download JSON' });
    expect(json.getAttribute('href')).toBe('/api/v1/export?format=json');
    expect(json.hasAttribute('download')).toBe(true);
    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/v1/export?format=csv');

    await within(card('Export your data')).findByRole('option', { name: 'Dar Al Oud' });
    fireEvent.change(screen.getByLabelText('Store'), { target: { value: 'sto_1' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-05-01' } });
    fireEvent.change(screen.getByLabelText('To (included)'), { target: { value: '2026-05-31' } });
    const href = new URL(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href') ?? '', 'http://dashboard.test');
    expect(href.pathname).toBe('/api/v1/export');
    expect(Object.fromEntries(href.searchParams)).toEqual({
      format: 'csv', storeId: 'sto_1', from: new Date(2026, 4, 1).toISOString(), to: new Date(2026, 5, 1).toISOString(),
    });
  });

  it('refuses an end date before the start date', async () => {
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': { body: { data: [] } },
      'GET /api/v1/stores': STORES,
    });
    renderSettings();
    fireEvent.change(await screen.findByLabelText('From'), { target: { value: '2026-05-10' } });
    fireEvent.change(screen.getByLabelText('To (included)'), { target: { value: '2026-05-01' } });
    expect(screen.getByText('The end date is before the start date.')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Download JSON' })).toBeNull();
  });

  it('turns whole days into the exclusive instant range the API takes', () => {
    expect(exportFilterFrom('', '', '')).toEqual({});
    expect(exportFilterFrom('', '2026-12-31', '2026-12-31')).toEqual({ from: new Date(2026, 11, 31).toISOString(), to: new Date(2027, 0, 1).toISOString() });
  });
});

describe('settings: delete account', () => {
  const fill = () => {
    fireEvent.change(screen.getByLabelText('Your password'), { target: { value: 'a long password' } });
    fireEvent.click(screen.getByLabelText('I understand that everything will be deleted and cannot be recovered.'));
  };

  /** The settings page of a signed-in merchant whose DELETE /api/v1/account is refused with a 401 of this code. */
  const refuseDeletionWith = (code: string, message: string) =>
    installFakeApi({
      'GET /api/v1/session': { body: SAMPLE_SESSION },
      'GET /api/v1/api-keys': { body: { data: [] } },
      'GET /api/v1/stores': STORES,
      'DELETE /api/v1/account': { status: 401, body: { error: { code, message } } },
    });

  it('shows a wrong password inline under the field', async () => {
    refuseDeletionWith('wrong_password', 'wrong password');
    renderSettings();
    const button = await screen.findByRole('button', { name: 'Delete my account' });
    expect(button).toHaveProperty('disabled', true);
    expect(screen.getByLabelText('Your password')).toHaveProperty('autocomplete', 'current-password');
    fill();
    fireEvent.click(button);
    const password = screen.getByLabelText('Your password');
    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(within(card('Delete your account')).getByRole('alert').textContent).toBe('That password is not right.');
    expect(screen.queryByTestId('where')).toBeNull();
  });

  it('tells a lapsed session apart from a wrong password', async () => {
    refuseDeletionWith('unauthorized', 'not signed in');
    renderSettings();
    const button = await screen.findByRole('button', { name: 'Delete my account' });
    fill();
    fireEvent.click(button);
    await waitFor(() => expect(within(card('Delete your account')).getByRole('alert').textContent).toContain('Please sign in again.'));
    expect(screen.getByLabelText('Your password').getAttribute('aria-invalid')).not.toBe('true');
  });

  it('deletes with the password and the CSRF token, forgets the session and says so on the sign-in page', async () => {
    let deleted = false;
    const fake = installFakeApi({
      'GET /api/v1/session': () => (deleted ? { status: 401, body: { error: { code: 'unauthorized', message: 'not signed in' } } } : { body: SAMPLE_SESSION }),
      'GET /api/v1/api-keys': { body: { data: [] } },
      'GET /api/v1/stores': STORES,
      'DELETE /api/v1/account': () => {
        deleted = true;
        return { body: { deleted: { users: 1, stores: 1, whatsappNumbers: 1, orders: 3, messages: 5, events: 9, jobs: 0, credentials: 0, sessionKeys: 0 } } };
      },
    });
    renderSettings();
    await screen.findByRole('button', { name: 'Delete my account' });
    fill();
    fireEvent.click(screen.getByRole('button', { name: 'Delete my account' }));
    await screen.findByText('Your account and all its data have been deleted. We are sorry to see you go.', undefined, { timeout: 5000 });
    expect(screen.getByTestId('where').textContent).toBe('/sign-in?deleted=1');
    expect(screen.getByLabelText('Password')).toBeTruthy();
    const remove = fake.requests.find((request) => request.method === 'DELETE') as RecordedRequest;
    expect(remove.path).toBe('/api/v1/account');
    expect(remove.body).toEqual({ password: 'a long password' });
    expect(remove.headers['x-csrf-token']).toBe('csrf-token-1');
    // The session was read again after the deletion, and found gone.
    const sessionReads = fake.requests.filter((request) => request.path === '/api/auth/get-session');
    expect(fake.requests.indexOf(sessionReads.at(-1) as RecordedRequest)).toBeGreaterThan(fake.requests.indexOf(remove));
  });
});
