import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiError, setCsrfRefresh } from './api/client.ts';
import { fetchSession, SESSION_QUERY_KEY } from './api/session.ts';
import { LanguageSync } from './components/language-sync.tsx';
import { Layout } from './components/layout.tsx';
import { RequireSession } from './components/require-session.tsx';
import { Loading } from './components/states.tsx';

// Each page is its own chunk: the first paint loads only the shell and the page asked for.
const page = (load: () => Promise<{ default: ComponentType }>): LazyExoticComponent<ComponentType> => lazy(load);

const SignUpPage = page(() => import('./pages/auth/sign-up-page.tsx'));
const SignInPage = page(() => import('./pages/auth/sign-in-page.tsx'));
const VerifyEmailPage = page(() => import('./pages/auth/verify-email-page.tsx'));
const ForgotPasswordPage = page(() => import('./pages/auth/forgot-password-page.tsx'));
const ResetPasswordPage = page(() => import('./pages/auth/reset-password-page.tsx'));
const OverviewPage = page(() => import('./pages/overview/overview-page.tsx'));
const SetupPage = page(() => import('./pages/setup/setup-page.tsx'));
const OrdersPage = page(() => import('./pages/orders/orders-page.tsx'));
const OrderPage = page(() => import('./pages/orders/order-page.tsx'));
const StoresPage = page(() => import('./pages/stores/stores-page.tsx'));
const StorePage = page(() => import('./pages/stores/store-page.tsx'));
const NumbersPage = page(() => import('./pages/numbers/numbers-page.tsx'));
const NumberPage = page(() => import('./pages/numbers/number-page.tsx'));
const BillingPage = page(() => import('./pages/billing/billing-page.tsx'));
const SettingsPage = page(() => import('./pages/settings/settings-page.tsx'));
const NotFoundPage = page(() => import('./pages/not-found-page.tsx'));

export const createQueryClient = (): QueryClient => {
  const client = new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx will not change by asking again; network trouble and 5xx may.
        retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: false,
      },
    },
  });
  setCsrfRefresh(async () => {
    const session = await fetchSession();
    client.setQueryData(SESSION_QUERY_KEY, session);

    return session?.csrfToken ?? null;
  });

  return client;
};

const signedIn = (Page: ComponentType) => (
  <RequireSession>
    <Layout>
      <Suspense fallback={<Loading />}>
        <Page />
      </Suspense>
    </Layout>
  </RequireSession>
);

const open = (Page: ComponentType) => (
  <Suspense fallback={<Loading />}>
    <Page />
  </Suspense>
);

/** Every route of DESIGN.md §5.5; each deep link opens its own page after a reload. */
export const AppRoutes = () => (
  <>
    <LanguageSync />
    <Routes>
      <Route path="/sign-up" element={open(SignUpPage)} />
      <Route path="/sign-in" element={open(SignInPage)} />
      <Route path="/verify-email" element={open(VerifyEmailPage)} />
      <Route path="/forgot-password" element={open(ForgotPasswordPage)} />
      <Route path="/reset-password" element={open(ResetPasswordPage)} />
      <Route path="/" element={signedIn(OverviewPage)} />
      <Route path="/setup" element={signedIn(SetupPage)} />
      <Route path="/orders" element={signedIn(OrdersPage)} />
      <Route path="/orders/:id" element={signedIn(OrderPage)} />
      <Route path="/stores" element={signedIn(StoresPage)} />
      <Route path="/stores/:id" element={signedIn(StorePage)} />
      <Route path="/numbers" element={signedIn(NumbersPage)} />
      <Route path="/numbers/:id" element={signedIn(NumberPage)} />
      <Route path="/billing" element={signedIn(BillingPage)} />
      <Route path="/settings" element={signedIn(SettingsPage)} />
      <Route path="*" element={open(NotFoundPage)} />
    </Routes>
  </>
);

export const App = ({ client }: { client: QueryClient }) => (
  <QueryClientProvider client={client}>
    <BrowserRouter>
      <AppRoutes />
    </BrowserRouter>
  </QueryClientProvider>
);
