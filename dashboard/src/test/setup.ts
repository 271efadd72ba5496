import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import { initI18n } from '../i18n/i18n.ts';

// Every component test renders with the real translations (English unless the test switches).
await initI18n('en');

// CI runs these beside the server's tests on 2 cores: a page that renders in 50 ms alone can take
// seconds there, so every findBy/waitFor waits up to 10 s (a passing test returns at once).
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});
