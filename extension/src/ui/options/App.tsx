import type { JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { AppState } from '../../shared/api.js';
import { t } from '../../shared/i18n.js';
import { send, useAppState, useRelayEvents } from '../bridge.js';
import { Button } from '../components/Button.js';
import { Notice } from '../components/Notice.js';
import { Spinner } from '../components/Spinner.js';
import { StatusPill } from '../components/StatusPill.js';
import { formatNumber } from '../format.js';
import { alertFromEvent, alertsFromNotifications, mergeAlerts, type AlertItem } from './lib/alerts.js';
import { useActivitySignal } from './lib/hooks.js';
import { DEFAULT_ROUTE, hrefOf, routeDef, useHashRoute, visibleRoutes, type RouteId } from './routes.js';
import { AlertsScreen } from './screens/AlertsScreen.js';
import { AuditScreen } from './screens/AuditScreen.js';
import { PaymentsScreen } from './screens/PaymentsScreen.js';
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
    const label = route ? t(routeDef(route).label) : t('options_not_found_label');
    document.title = t('options_window_title', label);
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
        {t('options_skip_link')}
      </a>
      <Header state={state} />
      <nav class="o-nav" aria-label={t('options_nav_label')}>
        <ul class="o-nav__list">
          {visibleRoutes(isAdmin).map((r) => (
            <li key={r.id}>
              <a class="o-nav__link" href={hrefOf(r.id)} aria-current={route === r.id ? 'page' : undefined}>
                <span>{t(r.label)}</span>
                {r.id === 'alerts' && unseenAlerts > 0 ? (
                  <span class="o-nav__badge" aria-label={t('options_nav_new_count', formatNumber(unseenAlerts))}>
                    {unseenAlerts > 99 ? `${formatNumber(99)}+` : formatNumber(unseenAlerts)}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
        {state && !state.user ? <p class="o-nav__note">{t('options_nav_signed_out_note')}</p> : null}
      </nav>
      <main class="o-main" id="o-main" ref={main}>
        {state && !state.user ? (
          <div class="o-signed-out">
            <Notice tone="info" title={t('options_signed_out_title')}>
              {t('options_signed_out_text')}
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
          {t('options_loading_heading')}
        </h1>
        <Spinner size={22} />
        <span role="status">{t('options_loading')}</span>
      </div>
    );
  }
  if (route === undefined) return <NotFound />;
  if (routeDef(route).admin && !isAdmin) return <NotAvailable signedIn={state.user !== null} label={t(routeDef(route).label)} />;
  switch (route) {
    case 'settings':
      return <SettingsScreen state={state} />;
    case 'payments':
      return <PaymentsScreen state={state} />;
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
          {t('brand_mark')}
        </span>
        <span class="o-brand__name">{t('extName')}</span>
      </div>
      <div class="o-header__end">
        {state ? <StatusPill status={state.status} syncedAt={state.syncedAt} detail={state.statusDetail} /> : null}
        {user ? (
          <span class="o-who">
            <span class="o-who__name">{user.displayName}</span>
            <span class="o-who__meta">
              <bdi>{user.username}</bdi>
              {t('common_list_separator')}
              {user.role === 'admin' ? t('common_administrator') : t('common_customer')}
            </span>
          </span>
        ) : state ? (
          <span class="o-who o-who--out">{t('options_not_signed_in')}</span>
        ) : null}
        {user ? (
          <Button size="sm" variant="ghost" onClick={() => void send({ type: 'lock' }).catch(() => undefined)}>
            {t('common_lock')}
          </Button>
        ) : null}
      </div>
    </header>
  );
}

function NotFound(): JSX.Element {
  return (
    <section class="o-message">
      <h1 tabIndex={-1}>{t('options_not_found_title')}</h1>
      <p>
        {t('options_not_found_text')} <a href={hrefOf(DEFAULT_ROUTE)}>{t('options_go_to_settings')}</a>
        {t('sentence_end')}
      </p>
    </section>
  );
}

function NotAvailable({ signedIn, label }: { signedIn: boolean; label: string }): JSX.Element {
  return (
    <section class="o-message">
      <h1 tabIndex={-1}>{t('options_not_available_title')}</h1>
      <p>
        {t('options_not_available_text', label)} {signedIn ? t('options_not_available_no_access') : t('options_not_available_sign_in')}
      </p>
      <p>
        <a href={hrefOf(DEFAULT_ROUTE)}>{t('options_go_to_settings')}</a>
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

