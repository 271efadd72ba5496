import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { initI18n } from '../i18n/i18n.ts';

// Every component test renders with the real translations (English unless the test switches).
await initI18n('en');

afterEach(() => {
  cleanup();
});
