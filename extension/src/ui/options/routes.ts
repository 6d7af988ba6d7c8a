import { useEffect, useState } from 'preact/hooks';
import type { MessageKey } from '../../shared/i18n.js';

/** The options page's screens, in navigation order, each named by a message; admin ones are shown only to admins. */
export const ROUTES = [
  { id: 'settings', label: 'route_settings', admin: false },
  { id: 'payments', label: 'route_payments', admin: false },
  { id: 'users', label: 'route_users', admin: true },
  { id: 'registrations', label: 'route_registrations', admin: true },
  { id: 'transactions', label: 'route_transactions', admin: true },
  { id: 'audit', label: 'route_audit', admin: true },
  { id: 'alerts', label: 'route_alerts', admin: true },
  { id: 'sessions', label: 'route_sessions', admin: true },
  { id: 'relay', label: 'route_relay', admin: true },
] as const satisfies readonly { id: string; label: MessageKey; admin: boolean }[];

export type RouteId = (typeof ROUTES)[number]['id'];
export type RouteDef = (typeof ROUTES)[number];

export const DEFAULT_ROUTE: RouteId = 'settings';

/** "#/users" → users; "" or "#/" → settings; anything unknown → undefined. */
export function parseHash(hash: string): RouteId | undefined {
  const path = hash.replace(/^#\/?/, '').replace(/\/+$/, '').toLowerCase();
  if (path === '') return DEFAULT_ROUTE;
  return ROUTES.find((r) => r.id === path)?.id;
}

export function hrefOf(id: RouteId): string {
  return `#/${id}`;
}

export function routeDef(id: RouteId): RouteDef {
  return ROUTES.find((r) => r.id === id)!;
}

/** The screens this person may open. */
export function visibleRoutes(isAdmin: boolean): RouteDef[] {
  return ROUTES.filter((r) => isAdmin || !r.admin);
}

/** The current hash route, following back/forward and link clicks. */
export function useHashRoute(): { route: RouteId | undefined; hash: string } {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return { route: parseHash(hash), hash };
}
