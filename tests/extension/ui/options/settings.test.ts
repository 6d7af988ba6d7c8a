// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { h } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../../extension/src/ui/options/App.js';
import { validateSettings } from '../../../../extension/src/ui/options/lib/settings-form.js';
import { validatePasswordChange } from '../../../../extension/src/ui/password-change.js';
import { UiCallError, answerCalls, callsOf, send, setAppState } from './fake-bridge.js';
import { appState, customerState } from './fixtures.js';
import './setup.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));

describe('settings validation (pure)', () => {
  it('accepts ws:// and wss:// relay URLs and 1..240 minutes', () => {
    expect(validateSettings({ relayUrl: ' wss://bank.example:443/ ', autoLockMinutes: '240', notifications: false })).toEqual({
      settings: { relayUrl: 'wss://bank.example:443/', autoLockMinutes: 240, notifications: false },
      errors: {},
    });
    expect(validateSettings({ relayUrl: 'ws://127.0.0.1:1235', autoLockMinutes: '1', notifications: true }).settings?.autoLockMinutes).toBe(1);
  });

  it('refuses other schemes, broken URLs and minutes out of range', () => {
    const bad = (relayUrl: string, autoLockMinutes: string) => validateSettings({ relayUrl, autoLockMinutes, notifications: true }).errors;
    expect(bad('http://127.0.0.1:1235', '5').relayUrl).toMatch(/ws:\/\/ or wss:\/\//);
    expect(bad('ws://', '5').relayUrl).toBeTruthy();
    expect(bad('ws://a b', '5').relayUrl).toMatch(/spaces/);
    expect(bad('', '5').relayUrl).toMatch(/enter the relay address/);
    expect(bad('ws://x', '0').autoLockMinutes).toMatch(/1 to 240/);
    expect(bad('ws://x', '241').autoLockMinutes).toMatch(/1 to 240/);
    expect(bad('ws://x', '2.5').autoLockMinutes).toMatch(/whole number/);
    expect(bad('ws://x', '').autoLockMinutes).toBeTruthy();
  });

  it('checks a password change before sending it', () => {
    expect(validatePasswordChange({ oldPassword: '', newPassword: 'short', confirm: '' })).toEqual({
      oldPassword: 'Enter your current password',
      newPassword: 'Must be at least 8 characters',
    });
    expect(validatePasswordChange({ oldPassword: 'same-password', newPassword: 'same-password', confirm: 'same-password' }).newPassword).toMatch(/differ/);
    expect(validatePasswordChange({ oldPassword: 'old-password', newPassword: 'new-password', confirm: 'new-passw0rd' }).confirm).toMatch(/match/);
    expect(validatePasswordChange({ oldPassword: 'old-password', newPassword: 'new-password', confirm: 'new-password' })).toEqual({});
  });
});

describe('the Settings screen', () => {
  it('shows errors next to the fields and does not save invalid settings', async () => {
    setAppState(appState());
    render(h(App, {}));
    const url = await screen.findByLabelText('Relay address');
    fireEvent.input(url, { target: { value: 'http://relay.example' } });
    fireEvent.input(screen.getByLabelText('Lock after (minutes idle)'), { target: { value: '500' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'));
    const errorId = url.getAttribute('aria-describedby')!.split(' ')[0]!;
    expect(document.getElementById(errorId)?.textContent).toMatch(/Must start with ws:\/\/ or wss:\/\//);
    expect(screen.getByText('Must be from 1 to 240 minutes')).toBeTruthy();
    expect(send).not.toHaveBeenCalledWith(expect.objectContaining({ type: 'settings' }));
  });

  it('saves valid settings through the background', async () => {
    setAppState(appState());
    render(h(App, {}));
    fireEvent.input(await screen.findByLabelText('Relay address'), { target: { value: 'wss://bank.example/' } });
    fireEvent.input(screen.getByLabelText('Lock after (minutes idle)'), { target: { value: '15' } });
    fireEvent.click(screen.getByRole('switch', { name: 'Show notifications' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await screen.findByText('Settings saved.');
    expect(send).toHaveBeenCalledWith({ type: 'settings', settings: { relayUrl: 'wss://bank.example/', autoLockMinutes: 15, notifications: false } });
  });

  it('puts an error from the background next to the field it names', async () => {
    send.mockImplementation(async (req) => {
      if (req.type === 'settings') throw new UiCallError('BAD_REQUEST', 'relayUrl: must be a ws:// or wss:// URL');
      return {};
    });
    setAppState(appState());
    render(h(App, {}));
    fireEvent.click(await screen.findByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Must be a ws:// or wss:// URL')).toBeTruthy();
  });

  it('shows the pinned fingerprint and asks before forgetting it', async () => {
    setAppState(appState({ trust: { pinned: '0123456789abcdef'.repeat(4) } }));
    render(h(App, {}));
    expect(await screen.findByText(/^01:23:45:67:89:ab:cd:ef:01/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Forget key' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Forget the pinned key?' });
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(send).not.toHaveBeenCalledWith({ type: 'trust.forget' });
    fireEvent.click(screen.getByRole('button', { name: 'Forget key' }));
    const again = await screen.findByRole('alertdialog');
    fireEvent.click(Array.from(again.querySelectorAll('button')).find((b) => b.textContent === 'Forget key')!);
    await waitFor(() => expect(send).toHaveBeenCalledWith({ type: 'trust.forget' }));
  });

  it('shows the old and new fingerprints when the key changed, and trusts the new one only after confirming', async () => {
    setAppState(appState({ status: 'key-changed', trust: { pinned: 'aa'.repeat(32), offered: 'bb'.repeat(32) } }));
    render(h(App, {}));
    expect(await screen.findByText("The relay's key has changed")).toBeTruthy();
    expect(screen.getAllByText(/^aa:aa:aa/).length).toBeGreaterThan(0);
    expect(screen.getAllByText(/^bb:bb:bb/).length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Trust new key' }));
    const dialog = await screen.findByRole('alertdialog', { name: "Trust the relay's new key?" });
    expect(send).not.toHaveBeenCalledWith({ type: 'trust.accept' });
    fireEvent.click(Array.from(dialog.querySelectorAll('button')).find((b) => b.textContent === 'Trust new key')!);
    await waitFor(() => expect(send).toHaveBeenCalledWith({ type: 'trust.accept' }));
  });

  it('changes the password through auth.changePassword and shows a wrong current password next to it', async () => {
    answerCalls({
      'auth.changePassword': (args: { oldPassword: string }) => {
        if (args.oldPassword !== 'right-password') throw new UiCallError('UNAUTHENTICATED', 'the current password is not correct');
        return {};
      },
    });
    setAppState(customerState());
    render(h(App, {}));
    fireEvent.input(await screen.findByLabelText('Current password'), { target: { value: 'wrong-password' } });
    fireEvent.input(screen.getByLabelText('New password'), { target: { value: 'brand-new-pass' } });
    fireEvent.input(screen.getByLabelText('Repeat the new password'), { target: { value: 'brand-new-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('The current password is not correct')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Current password'), { target: { value: 'right-password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await screen.findByText(/Password changed/);
    expect(callsOf('auth.changePassword').at(-1)).toEqual({ oldPassword: 'right-password', newPassword: 'brand-new-pass' });
  });
});
