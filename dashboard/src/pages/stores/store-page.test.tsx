import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORE_LANGUAGES, type Store, type StoreTemplateChanges, type StoreTemplates, type TemplateKind } from '../../api/stores.ts';
import { installFakeApi, type RecordedRequest } from '../../test/fake-api.ts';
import { renderAt } from '../../test/render.tsx';
import { sampleNumber } from '../numbers/sample-number.ts';
import { sampleStore } from './sample-store.ts';
import { DEFAULT_TEMPLATES } from './template-preview.ts';
import StorePage from './store-page.tsx';

// The machine running these is shared and slow at times: wait for the UI up to 5 s, not 1 s.

const renderStore = () => renderAt(<StorePage />, { path: '/stores/sto_1', route: '/stores/:id' });

/** The store API with a PATCH that applies what it receives (or answers `refuse` when given). */
const storeApi = (store: Store, options: { refuse?: { status: number; body: unknown } } = {}) => {
  let current = store;

  return installFakeApi({
    'GET /api/v1/stores/sto_1': () => ({ body: current }),
    'GET /api/v1/whatsapp-numbers': { body: { data: [sampleNumber()] } },
    'PATCH /api/v1/stores/sto_1': (request: RecordedRequest) => {
      if (options.refuse) return options.refuse;
      const body = request.body as Partial<Omit<Store, 'templates'>> & { templates?: StoreTemplateChanges; writeBack?: unknown };
      current = {
        ...current,
        ...(body.webhookSecrets ? { webhookSecrets: body.webhookSecrets, webhookSecret: body.webhookSecrets[0] ?? null } : {}),
        ...(body.settings ? { settings: { ...current.settings, ...body.settings } } : {}),
        ...(body.templates ? { templates: applyTemplateChanges(current.templates, body.templates) } : {}),
        ...(body.writeBack !== undefined ? { writeBack: { ...current.writeBack, configured: body.writeBack !== null } } : {}),
      };

      return { body: current };
    },
  });
};

/** Merges template changes per kind as the API does: null removes a kind's override or a language's. */
const applyTemplateChanges = (current: StoreTemplates, changes: StoreTemplateChanges): StoreTemplates => {
  const templates: StoreTemplates = {};
  for (const language of STORE_LANGUAGES) {
    const kinds: Partial<Record<TemplateKind, string>> = changes[language] === null ? {} : { ...current[language] };
    for (const [kind, text] of Object.entries(changes[language] ?? {}) as [TemplateKind, string | null][]) {
      if (text === null) delete kinds[kind];
      else kinds[kind] = text;
    }
    if (Object.keys(kinds).length > 0) templates[language] = kinds;
  }

  return templates;
};

const patches = (requests: RecordedRequest[]) => requests.filter((request) => request.method === 'PATCH').map((request) => request.body);

describe('store page: connect', () => {
  it('shows the webhook URL, the secret and the platform steps', async () => {
    storeApi(sampleStore());
    renderStore();

    expect(await screen.findByText('http://localhost:3000/hooks/woocommerce/sto_1')).toBeTruthy();
    expect(screen.getAllByText('secret-one-1234').length).toBeGreaterThan(0);
    expect(screen.getByText('Name: Akked. Status: Active. Topic: Order created.')).toBeTruthy();
    expect(screen.getByText('API version: WP REST API Integration v3. Click Save webhook.')).toBeTruthy();
  });

  it('asks a Shopify merchant for the signing secret and saves it as the accepted secret', async () => {
    const fake = storeApi(sampleStore({ platform: 'shopify', webhookSecret: null, webhookSecrets: [], webhookUrl: 'http://localhost:3000/hooks/shopify/sto_1' }));
    renderStore();

    expect(await screen.findByText('Akked refuses this store\'s webhooks until you paste the signing secret Shopify uses.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Shopify signing secret'), { target: { value: ' shpss_abcdef123456 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the secret' }));

    await waitFor(() => expect(patches(fake.requests)).toEqual([{ webhookSecrets: ['shpss_abcdef123456'] }]));
    expect(await screen.findByText('Signing secret')).toBeTruthy();
  });

  it('rotates: the new secret goes first, then the old one is removed', async () => {
    const fake = storeApi(sampleStore());
    renderStore();

    fireEvent.click(await screen.findByText('Change the secret'));
    fireEvent.change(screen.getByLabelText('New secret'), { target: { value: 'secret-two-5678' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add the secret' }));
    await waitFor(() => expect(patches(fake.requests)).toEqual([{ webhookSecrets: ['secret-two-5678', 'secret-one-1234'] }]));

    fireEvent.click(await screen.findByRole('button', { name: 'Remove secret 2' }));
    await waitFor(() => expect(patches(fake.requests)[1]).toEqual({ webhookSecrets: ['secret-two-5678'] }));
    await waitFor(() => expect((screen.getByRole('button', { name: 'Remove secret 1' }) as HTMLButtonElement).disabled).toBe(true));
  });
});

describe('store page: settings', () => {
  it('saves every setting in one PATCH with the shapes the API validates', async () => {
    const fake = storeApi(sampleStore());
    renderStore();

    fireEvent.change(await screen.findByLabelText('Minimum order total'), { target: { value: '50.00' } });
    fireEvent.change(screen.getByLabelText('Wait before sending (minutes)'), { target: { value: '5' } });
    fireEvent.click(screen.getByLabelText('Hold messages at night (quiet hours)'));
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '23:00' } });
    fireEvent.change(screen.getByLabelText('Reminders'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Remind after (minutes)'), { target: { value: '90' } });
    fireEvent.click(screen.getByLabelText('Cancel orders that never get an answer'));
    fireEvent.change(screen.getByLabelText('Cancel after (minutes)'), { target: { value: '2880' } });
    fireEvent.click(screen.getByLabelText('Cash-on-delivery orders only'));
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(screen.getByText('Saved')).toBeTruthy());
    expect(patches(fake.requests)).toEqual([
      {
        name: 'Dar Al Zain',
        whatsappNumberId: 'wan_1',
        defaultCountry: 'SA',
        timezone: 'Asia/Riyadh',
        language: 'en',
        settings: {
          codOnly: false,
          minimumTotal: '50.00',
          sendDelayMinutes: 5,
          quietHours: { start: '23:00', end: '08:00' },
          reminders: { count: 2, afterMinutes: 90 },
          autoCancelAfterMinutes: 2880,
          cloudFallback: null,
        },
      },
    ]);
  });

  it('shows the API validation message at the field it names', async () => {
    storeApi(sampleStore({ settings: { ...sampleStore().settings, quietHours: { start: '22:00', end: '08:00' } } }), {
      refuse: {
        status: 400,
        body: { error: { code: 'bad_request', message: 'body.settings.quietHours.end: a time as "HH:MM" (24-hour); body.settings.reminders.count: Too big: expected number to be <=5' } },
      },
    });
    renderStore();

    fireEvent.click(await screen.findByRole('button', { name: 'Save settings' }));

    const until = screen.getByLabelText('Until');
    await waitFor(() => expect(until.getAttribute('aria-invalid')).toBe('true'));
    const message = screen.getByText('a time as "HH:MM" (24-hour)');
    expect(until.getAttribute('aria-describedby')).toContain(message.id);
    const reminders = screen.getByLabelText('Reminders');
    expect(document.getElementById(reminders.getAttribute('aria-describedby')!.split(' ').pop()!)?.textContent).toBe('Too big: expected number to be <=5');
    expect(screen.getByLabelText('From').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByText('Some settings need a correction: see the messages above.')).toBeTruthy();
  });
});

describe('store page: templates', () => {
  it('inserts a clicked variable at the cursor and the preview follows', async () => {
    storeApi(sampleStore({ templates: { en: { confirmed: 'Thanks !' } } }));
    renderStore();

    const editor = (await screen.findByLabelText('After confirming')) as HTMLTextAreaElement;
    expect(editor.value).toBe('Thanks !');
    const preview = screen.getByTestId('preview-en-confirmed');
    expect(preview.textContent).toBe('Thanks !');

    editor.focus();
    editor.setSelectionRange(7, 7);
    const chips = within(editor.closest('.template-editor') as HTMLElement);
    fireEvent.click(chips.getByRole('button', { name: 'Insert Customer name' }));

    expect(editor.value).toBe('Thanks {{customer_name}}!');
    expect(preview.textContent).toBe('Thanks Sara!');
  });

  it('previews the default message on a sample order in the store currency, Arabic right to left', async () => {
    storeApi(sampleStore({ defaultCountry: 'KW' }));
    renderStore();

    fireEvent.click(await screen.findByRole('tab', { name: 'Arabic' }));
    const preview = screen.getByTestId('preview-ar-confirm');
    expect(preview.getAttribute('dir')).toBe('rtl');
    expect(preview.textContent).toContain('مرحبًا سارة،');
    expect(preview.textContent).toContain('2× زيت الأرغان (100 مل)، 1× الصابون البلدي');
    expect(preview.textContent).toContain('249.000');
    expect((screen.getByLabelText('Confirmation question') as HTMLTextAreaElement).getAttribute('dir')).toBe('rtl');
  });

  it('saves only the messages that changed, and resets one to the default', async () => {
    const fake = storeApi(sampleStore({ templates: { fr: { reminder: 'Vous êtes là ?' } } }));
    renderStore();

    fireEvent.change(await screen.findByLabelText('Reminder'), { target: { value: 'Still there, {{customer_name}}?' } });
    fireEvent.click(screen.getByRole('tab', { name: 'French' }));
    const french = screen.getByLabelText('Reminder') as HTMLTextAreaElement;
    expect(french.value).toBe('Vous êtes là ?');
    const reset = within(french.closest('.template-editor') as HTMLElement).getByRole('button', { name: 'Reset to default' }) as HTMLButtonElement;
    fireEvent.click(reset);
    expect(french.value).toContain('attend toujours votre confirmation');
    expect(reset.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Save messages' }));

    await waitFor(() => expect(patches(fake.requests)).toHaveLength(1));
    const body = patches(fake.requests)[0] as { templates: Record<string, Record<string, string | null>> };
    expect(Object.keys(body)).toEqual(['templates']);
    expect(body.templates.en).toEqual({ reminder: 'Still there, {{customer_name}}?' });
    // Null removes the override, so the store follows the default text from now on.
    expect(body.templates.fr).toEqual({ reminder: null });
    expect(body.templates.ar).toBeUndefined();

    expect(await screen.findByText('Saved')).toBeTruthy();
    expect((screen.getByLabelText('Reminder') as HTMLTextAreaElement).value).toContain('attend toujours votre confirmation');
    expect(reset.disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Save messages' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('creates no override for the default text, and removes an override that reads like the default', async () => {
    const fake = storeApi(sampleStore({ templates: { en: { confirmed: DEFAULT_TEMPLATES.en.confirmed } } }));
    renderStore();

    // The default's text typed again, spaces aside, is no change.
    const question = (await screen.findByLabelText('Confirmation question')) as HTMLTextAreaElement;
    fireEvent.change(question, { target: { value: 'Hello' } });
    fireEvent.change(question, { target: { value: `  ${DEFAULT_TEMPLATES.en.confirm}\n` } });
    const save = screen.getByRole('button', { name: 'Save messages' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    // An override saved with the default's text (as "Reset to default" once did) can still be removed.
    const confirmed = screen.getByLabelText('After confirming') as HTMLTextAreaElement;
    fireEvent.click(within(confirmed.closest('.template-editor') as HTMLElement).getByRole('button', { name: 'Reset to default' }));
    expect(save.disabled).toBe(false);
    fireEvent.click(save);

    await waitFor(() => expect(patches(fake.requests)).toEqual([{ templates: { en: { confirmed: null } } }]));
  });

  it('puts the API refusal of a template under that template', async () => {
    storeApi(sampleStore(), {
      refuse: {
        status: 400,
        body: { error: { code: 'bad_request', message: 'body.templates.en.cancelled: unknown variable {{phone}}; use one of {{customer_name}} {{order_number}}' } },
      },
    });
    renderStore();

    const editor = await screen.findByLabelText('After cancelling');
    fireEvent.change(editor, { target: { value: 'Cancelled {{phone}}' } });
    expect(screen.getByText('Akked does not know {{phone}}: use one of the variables above.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save messages' }));

    expect(await screen.findByText('unknown variable {{phone}}; use one of {{customer_name}} {{order_number}}')).toBeTruthy();
    expect(editor.getAttribute('aria-invalid')).toBe('true');
  });

  it('shows markup typed into a template or store name as text in the preview', async () => {
    storeApi(sampleStore({ name: '<img src=x onerror=alert(1)>', templates: { en: { confirm: '<script>alert(2)</script> {{store_name}}' } } }));
    renderStore();

    const preview = await screen.findByTestId('preview-en-confirm');
    expect(preview.textContent).toBe('<script>alert(2)</script> <img src=x onerror=alert(1)>');
    expect(document.querySelector('img')).toBeNull();
    expect(document.querySelector('script')).toBeNull();
  });
});

describe('store page: write-back', () => {
  it('never prefills credentials, says they are saved, and replaces them', async () => {
    const fake = storeApi(sampleStore({ platform: 'shopify', writeBack: { supported: true, configured: true, shopDomain: 'dar-al-zain.myshopify.com' } }));
    renderStore();

    expect(await screen.findByText('Credentials are saved for dar-al-zain.myshopify.com (encrypted; they are never shown again).')).toBeTruthy();
    const domain = screen.getByLabelText('Shop domain') as HTMLInputElement;
    const token = screen.getByLabelText('Admin API access token') as HTMLInputElement;
    expect(domain.value).toBe('');
    expect(token.value).toBe('');
    expect(token.type).toBe('password');

    fireEvent.change(domain, { target: { value: 'dar-al-zain.myshopify.com' } });
    fireEvent.change(token, { target: { value: 'shpat_new' } });
    fireEvent.click(screen.getByRole('button', { name: 'Replace the credentials' }));

    await waitFor(() => expect(patches(fake.requests)).toEqual([{ writeBack: { shopDomain: 'dar-al-zain.myshopify.com', accessToken: 'shpat_new' } }]));
    await waitFor(() => expect(token.value).toBe(''));
  });

  it('removes the credentials after confirmation', async () => {
    const fake = storeApi(sampleStore({ writeBack: { supported: true, configured: true, storeUrl: 'https://shop.example.com' } }));
    renderStore();

    fireEvent.click(await screen.findByRole('button', { name: 'Remove the credentials' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove them' }));

    await waitFor(() => expect(patches(fake.requests)).toEqual([{ writeBack: null }]));
    expect(await screen.findByText('No credentials yet: results stay in Akked only.')).toBeTruthy();
  });

  it('shows the field named by a refused credential', async () => {
    storeApi(sampleStore(), {
      refuse: { status: 400, body: { error: { code: 'bad_request', message: 'writeBack.storeUrl: the site address (http or https) without credentials, query or fragment' } } },
    });
    renderStore();

    fireEvent.change(await screen.findByLabelText('Site address'), { target: { value: 'https://user:pass@shop.example.com' } });
    fireEvent.change(screen.getByLabelText('Consumer key'), { target: { value: 'ck_1' } });
    fireEvent.change(screen.getByLabelText('Consumer secret'), { target: { value: 'cs_1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the credentials' }));

    expect(await screen.findByText('the site address (http or https) without credentials, query or fragment')).toBeTruthy();
    expect(screen.getByLabelText('Site address').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('store page: test order and deletion', () => {
  it('sends a test order to the typed phone through POST /api/v1/orders and links to it', async () => {
    const fake = installFakeApi({
      'GET /api/v1/stores/sto_1': { body: sampleStore({ defaultCountry: 'KW', language: 'ar' }) },
      'GET /api/v1/whatsapp-numbers': { body: { data: [sampleNumber()] } },
      'GET /api/v1/session': { body: { user: { name: 'Amina' }, account: {}, csrfToken: 'csrf-2' } },
      'POST /api/v1/orders': { status: 201, body: { id: 'ord_9', status: 'queued', isNew: true } },
    });
    renderStore();

    fireEvent.change(await screen.findByLabelText('Phone to send it to'), { target: { value: '00965 5123 4567' } });
    await waitFor(() => expect(fake.requests.some((request) => request.path === '/api/v1/session')).toBe(true));
    fireEvent.click(screen.getByRole('button', { name: 'Send the test order' }));

    expect((await screen.findByRole('link', { name: 'Open the order' })).getAttribute('href')).toBe('/orders/ord_9');
    const order = fake.requests.find((request) => request.method === 'POST');
    expect(order?.path).toBe('/api/v1/orders');
    expect(order?.body).toEqual({
      storeId: 'sto_1',
      platform: 'woocommerce',
      externalId: expect.stringMatching(/^test-/),
      number: expect.stringMatching(/^TEST-\d{5}$/),
      createdAt: expect.any(String),
      currency: 'KWD',
      total: '100.000',
      paymentMethod: 'Cash on Delivery (COD)',
      isCod: true,
      locale: 'ar',
      customer: { name: 'Amina', phone: '+96551234567', phoneRaw: '+96551234567', phoneProblem: null },
      shippingAddress: { line1: null, line2: null, city: null, region: null, postalCode: null, countryCode: 'KW' },
      items: [{ name: 'منتج تجريبي', variant: null, sku: null, quantity: 1, unitPrice: '100.000' }],
    });
  });

  it('deletes the store only after a confirmation that says its orders are erased', async () => {
    const fake = installFakeApi({
      'GET /api/v1/stores/sto_1': { body: sampleStore() },
      'GET /api/v1/whatsapp-numbers': { body: { data: [] } },
      'DELETE /api/v1/stores/sto_1': { body: { deleted: { orders: 3, messages: 5, events: 9, jobs: 0, credentials: 1 } } },
    });
    renderStore();

    fireEvent.click(await screen.findByRole('button', { name: 'Delete this store' }));
    expect(screen.getByText(/Deleting “Dar Al Zain” erases all its orders/)).toBeTruthy();
    expect(fake.requests.some((request) => request.method === 'DELETE')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete the store and its orders' }));

    expect(await screen.findByText('elsewhere')).toBeTruthy();
    expect(fake.requests.filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual(['/api/v1/stores/sto_1']);
  });

  it('answers a store of another account with the not-found message', async () => {
    installFakeApi({ 'GET /api/v1/whatsapp-numbers': { body: { data: [] } } });
    renderStore();

    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('This no longer exists, or it belongs to another account.'));
  });
});
