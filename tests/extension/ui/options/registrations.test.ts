// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { h } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../../extension/src/ui/options/App.js';
import { answerCalls, callsOf, emitRelayEvent, setAppState } from './fake-bridge.js';
import { adminState, user } from './fixtures.js';
import './setup.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));

const dave = user('dave', { status: 'pending', accounts: [] });
const erin = user('erin', { status: 'pending', accounts: [] });

function openRegistrations(): void {
  history.replaceState(null, '', '#/registrations');
  setAppState(adminState());
  render(h(App, {}));
}

describe('the Registrations screen', () => {
  it('lists pending users and approves with admin.registration.decide', async () => {
    let pending = [dave, erin];
    answerCalls({
      'admin.user.list': () => ({ users: pending }),
      'admin.registration.decide': (args: { username: string }) => {
        pending = pending.filter((u) => u.username !== args.username);
        return { user: { ...dave, status: 'active' } };
      },
    });
    openRegistrations();
    await screen.findByText('dave');
    expect(callsOf('admin.user.list')[0]).toMatchObject({ status: 'pending' });
    fireEvent.click(screen.getByRole('button', { name: 'Approve dave' }));
    await screen.findByText(/Approved dave/);
    expect(callsOf('admin.registration.decide')).toEqual([{ username: 'dave', approve: true }]);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Approve dave' })).toBeNull());
    expect(screen.getByText('erin')).toBeTruthy();
  });

  it('asks before rejecting', async () => {
    answerCalls({ 'admin.user.list': () => ({ users: [dave] }), 'admin.registration.decide': () => ({ user: { ...dave, status: 'closed' } }) });
    openRegistrations();
    fireEvent.click(await screen.findByRole('button', { name: 'Reject dave' }));
    const dialog = within(await screen.findByRole('alertdialog', { name: 'Reject dave?' }));
    expect(callsOf('admin.registration.decide')).toEqual([]);
    fireEvent.click(dialog.getByRole('button', { name: 'Reject' }));
    await screen.findByText('Rejected dave.');
    expect(callsOf('admin.registration.decide')).toEqual([{ username: 'dave', approve: false }]);
  });

  it('refreshes live when a registration alert arrives', async () => {
    let pending = [dave];
    answerCalls({ 'admin.user.list': () => ({ users: pending }) });
    openRegistrations();
    await screen.findByText('dave');
    pending = [dave, erin];
    emitRelayEvent('admin.alert', { kind: 'lockout', message: 'someone locked out', data: {} });
    emitRelayEvent('admin.alert', { kind: 'registration', message: 'erin registered', data: { username: 'erin' } });
    await screen.findByText('erin');
    expect(callsOf('admin.user.list')).toHaveLength(2);
  });

  it('says so when nobody is waiting', async () => {
    answerCalls({ 'admin.user.list': () => ({ users: [] }) });
    openRegistrations();
    expect(await screen.findByText('No registrations waiting')).toBeTruthy();
  });
});
