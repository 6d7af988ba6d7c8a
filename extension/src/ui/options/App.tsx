import type { JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { AppState } from '../../shared/api.js';
import { send, useAppState, useRelayEvents } from '../bridge.js';
import { Button } from '../components/Button.js';
import { Notice } from '../components/Notice.js';
import { Spinner } from '../components/Spinner.js';
import { StatusPill } from '../components/StatusPill.js';
import { alertFromEvent, alertsFromNotifications, mergeAlerts, type AlertItem } from './lib/alerts.js';
import { useActivitySignal } from './lib/hooks.js';
import { DEFAULT_ROUTE, hrefOf, routeDef, useHashRoute, visibleRoutes, type RouteId } from './routes.js';
import { AlertsScreen } from './screens/AlertsScreen.js';
import { AuditScreen } from './screens/AuditScreen.js';
import { RegistrationsScreen } from './screens/RegistrationsScreen.js';
import { RelayScreen } from './screens/RelayScreen.js';
import { SessionsScreen } from './screens/SessionsScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { TransactionsScreen } from './screens/TransactionsScreen.js';
import { UsersScreen } from './screens/UsersScreen.js';

/** The options page: settings for everyone, the bank's dashboard for admins. */
export function App(): JSX.Element {
  const state = useAppState();
  const { route } = useHashRoute();
  const isAdmin = state?.user?.role === 'admin';
  const liveAlerts = useLiveAlerts(state?.user?.username);
  const [alertsSeen, setAlertsSeen] = useState(0);
  const main = useRef<HTMLElement>(null);

  useActivitySignal(() => {
    if (state?.user) void send({ type: 'activity' }).catch(() => undefined);
  });

  // A new screen is announced by moving focus to its heading (not on the first paint).
  const previousRoute = useRef(route);
  useEffect(() => {
    const label = route ? routeDef(route).label : 'Not found';
    document.title = `${label} · Distributed Bank`;
    if (previousRoute.current === route) return;
    previousRoute.current = route;
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route]);

  useEffect(() => {
    if (route === 'alerts') setAlertsSeen(liveAlerts.length);
  }, [route, liveAlerts.length]);

  const alerts = isAdmin ? mergeAlerts(liveAlerts, alertsFromNotifications(state?.notifications ?? [])) : [];
  const unseenAlerts = isAdmin ? Math.max(0, liveAlerts.length - alertsSeen) : 0;

  return (
    <div class="o-shell">
      <a
        class="o-skip"
        href="#o-main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.querySelector<HTMLElement>('h1')?.focus();
        }}
      >
        Skip to content
      </a>
      <Header state={state} />
      <nav class="o-nav" aria-label="Sections">
        <ul class="o-nav__list">
          {visibleRoutes(isAdmin).map((r) => (
            <li key={r.id}>
              <a class="o-nav__link" href={hrefOf(r.id)} aria-current={route === r.id ? 'page' : undefined}>
                <span>{r.label}</span>
                {r.id === 'alerts' && unseenAlerts > 0 ? (
                  <span class="o-nav__badge" aria-label={`${unseenAlerts} new`}>
                    {unseenAlerts > 99 ? '99+' : unseenAlerts}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
        {state && !state.user ? <p class="o-nav__note">Sign in from the toolbar popup to see your account.</p> : null}
      </nav>
      <main class="o-main" id="o-main" ref={main}>
        {state && !state.user ? (
          <div class="o-signed-out">
            <Notice tone="info" title="Sign in from the toolbar popup">
              You are not signed in. Click the Distributed Bank icon in the toolbar to sign in; the settings below apply anyway.
            </Notice>
          </div>
        ) : null}
        <Screen state={state} route={route} isAdmin={isAdmin} alerts={alerts} />
      </main>
    </div>
  );
}

function Screen({ state, route, isAdmin, alerts }: { state: AppState | undefined; route: RouteId | undefined; isAdmin: boolean; alerts: AlertItem[] }): JSX.Element {
  if (!state) {
    return (
      <div class="o-loading o-loading--page">
        <h1 class="sr-only" tabIndex={-1}>
          Loading
        </h1>
        <Spinner size={22} />
        <span role="status">Connecting to the extension…</span>
      </div>
    );
  }
  if (route === undefined) return <NotFound />;
  if (routeDef(route).admin && !isAdmin) return <NotAvailable signedIn={state.user !== null} label={routeDef(route).label} />;
  switch (route) {
    case 'settings':
      return <SettingsScreen state={state} />;
    case 'users':
      return <UsersScreen state={state} />;
    case 'registrations':
      return <RegistrationsScreen />;
    case 'transactions':
      return <TransactionsScreen state={state} />;
    case 'audit':
      return <AuditScreen />;
    case 'alerts':
      return <AlertsScreen alerts={alerts} unread={state.unread} />;
    case 'sessions':
      return <SessionsScreen state={state} />;
    case 'relay':
      return <RelayScreen state={state} />;
  }
}

function Header({ state }: { state: AppState | undefined }): JSX.Element {
  const user = state?.user;
  return (
    <header class="o-header">
      <div class="o-brand">
        <span class="brand__mark" aria-hidden="true">
          DB
        </span>
        <span class="o-brand__name">Distributed Bank</span>
      </div>
      <div class="o-header__right">
        {state ? <StatusPill status={state.status} syncedAt={state.syncedAt} detail={state.statusDetail} /> : null}
        {user ? (
          <span class="o-who">
            <span class="o-who__name">{user.displayName}</span>
            <span class="o-who__meta">
              {user.username} · {user.role === 'admin' ? 'Administrator' : 'Customer'}
            </span>
          </span>
        ) : state ? (
          <span class="o-who o-who--out">Not signed in</span>
        ) : null}
        {user ? (
          <Button size="sm" variant="ghost" onClick={() => void send({ type: 'lock' }).catch(() => undefined)}>
            Lock
          </Button>
        ) : null}
      </div>
    </header>
  );
}

function NotFound(): JSX.Element {
  return (
    <section class="o-message">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no such screen. <a href={hrefOf(DEFAULT_ROUTE)}>Go to Settings</a>.
      </p>
    </section>
  );
}

function NotAvailable({ signedIn, label }: { signedIn: boolean; label: string }): JSX.Element {
  return (
    <section class="o-message">
      <h1 tabIndex={-1}>Not available</h1>
      <p>
        {label} is for the bank's administrators.{' '}
        {signedIn ? 'Your account does not have access to it.' : 'Sign in from the toolbar popup with an administrator account.'}
      </p>
      <p>
        <a href={hrefOf(DEFAULT_ROUTE)}>Go to Settings</a>
      </p>
    </section>
  );
}

/** Admin alerts pushed while this page is open (kept across screens, cleared when the person changes). */
function useLiveAlerts(username: string | undefined): AlertItem[] {
  const [alerts, setAlerts] = useState<AlertItem[]>([]);
  const counter = useRef(0);
  const onEvent = useCallback((event: string, data: unknown, ts: string) => {
    const item = alertFromEvent(event, data, ts, `live-${++counter.current}`);
    if (item) setAlerts((list) => [item, ...list].slice(0, 500));
  }, []);
  useRelayEvents(onEvent);
  useEffect(() => setAlerts([]), [username]);
  return alerts;
}

