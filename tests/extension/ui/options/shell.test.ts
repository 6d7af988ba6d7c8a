// @vitest-environment happy-dom
import { render, screen, waitFor, within } from '@testing-library/preact';
import { h } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../../extension/src/ui/options/App.js';
import { answerCalls, emitRelayEvent, setAppState } from './fake-bridge.js';
import { adminState, appState, customerState } from './fixtures.js';
import './setup.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));

function navLinks(): string[] {
  const nav = screen.getByRole('navigation', { name: 'Sections' });
  return within(nav)
    .getAllByRole('link')
    .map((a) => a.textContent ?? '');
}

describe('the options page shell', () => {
  it('shows a loading state until the background answers', () => {
    render(h(App, {}));
    expect(screen.getByText(/Connecting to the extension/)).toBeTruthy();
  });

  it('shows a customer only Settings and Payments, never the admin sections', async () => {
    setAppState(customerState());
    render(h(App, {}));
    await screen.findByRole('heading', { level: 1, name: 'Settings' });
    expect(navLinks()).toEqual(['Settings', 'Payments']);
    expect(screen.queryByText('Users')).toBeNull();
    expect(screen.getByText('Jane Smith')).toBeTruthy();
  });

  it('says "not available" when a customer opens an admin screen by its address', async () => {
    history.replaceState(null, '', '#/users');
    setAppState(customerState());
    render(h(App, {}));
    await screen.findByRole('heading', { level: 1, name: 'Not available' });
    expect(screen.getByText(/Users is for the bank's administrators/)).toBeTruthy();
    expect(navLinks()).toEqual(['Settings', 'Payments']);
  });

  it('shows an admin every section', async () => {
    setAppState(adminState());
    render(h(App, {}));
    await screen.findByRole('heading', { level: 1, name: 'Settings' });
    expect(navLinks()).toEqual(['Settings', 'Payments', 'Users', 'Registrations', 'Transactions', 'Audit log', 'Alerts', 'Sessions', 'Relay']);
    expect(screen.getByRole('link', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');
  });

  it('asks a signed-out person to sign in from the popup, with Settings still there', async () => {
    history.replaceState(null, '', '#/audit');
    setAppState(appState());
    render(h(App, {}));
    await screen.findByRole('heading', { level: 1, name: 'Not available' });
    expect(screen.getAllByText(/Sign in from the toolbar popup/).length).toBeGreaterThan(0);
    expect(navLinks()).toEqual(['Settings', 'Payments']);
  });

  it('follows the hash to a screen and hides admin screens once the admin signs out', async () => {
    answerCalls({ 'admin.user.list': () => ({ users: [] }) });
    setAppState(adminState());
    render(h(App, {}));
    await screen.findByRole('heading', { level: 1, name: 'Settings' });
    location.hash = '#/users';
    await screen.findByRole('heading', { level: 1, name: 'Users' });
    setAppState(appState());
    await screen.findByRole('heading', { level: 1, name: 'Not available' });
  });

  it('collects admin alerts pushed while on another screen', async () => {
    setAppState(adminState());
    render(h(App, {}));
    await screen.findByRole('heading', { level: 1, name: 'Settings' });
    emitRelayEvent('admin.alert', { kind: 'lockout', message: 'bob is locked out', data: {} });
    await waitFor(() => expect(screen.getByLabelText('1 new')).toBeTruthy());
    location.hash = '#/alerts';
    await screen.findByRole('heading', { level: 1, name: 'Alerts' });
    expect(screen.getByText('bob is locked out')).toBeTruthy();
    expect(screen.getByText('Lockout')).toBeTruthy();
  });
});
