import '@fontsource/ibm-plex-sans-arabic/arabic-400.css';
import '@fontsource/ibm-plex-sans-arabic/arabic-600.css';
import '@fontsource/ibm-plex-sans-arabic/latin-400.css';
import '@fontsource/ibm-plex-sans-arabic/latin-600.css';
import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, createQueryClient } from './app.tsx';
import { browserLanguage, initI18n, languageFromQuery } from './i18n/i18n.ts';

const start = async () => {
  // The first paint uses ?lang= or the browser's language; LanguageSync switches to the user's saved one.
  await initI18n(languageFromQuery(window.location.search) ?? browserLanguage());
  const root = document.getElementById('root');
  if (!root) throw new Error('the page has no #root element');
  createRoot(root).render(
    <StrictMode>
      <App client={createQueryClient()} />
    </StrictMode>,
  );
};

void start();
