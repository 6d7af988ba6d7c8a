// @vitest-environment happy-dom
import { h } from 'preact';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PopupApp } from '../../../../extension/src/ui/popup/App.js';
import { resetActivityThrottle } from '../../../../extension/src/ui/popup/activity.js';
import { openOptionsPage } from '../../../../extension/src/ui/popup/platform.js';
import { call, resetBridge, send, setState } from './fake-bridge.js';
import { NOW, signedOutState, walletState } from './fixtures.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));
vi.mock('../../../../extension/src/ui/popup/platform.js', () => ({
  openOptionsPage: vi.fn(),
  sessionGet: vi.fn(async () => undefined),
  sessionSet: vi.fn(async () => undefined),
}));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  resetBridge();
  resetActivityThrottle();
  vi.mocked(openOptionsPage).mockClear();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('popup shell', () => {
  it('paints a skeleton before the first state arrives', () => {
    render(h(PopupApp, null));
    expect(screen.getByText('Loading your wallet…')).toBeTruthy();
    expect(document.querySelector('.skeleton')).not.toBeNull();
    act(() => setState(walletState()));
    expect(screen.getByText('Alice Smith')).toBeTruthy();
  });

  it('asks for a new password before the wallet when the relay asks for one, checking it before sending', async () => {
    setState(walletState({ mustChangePassword: true }));
    render(h(PopupApp, null));
    expect(screen.getByRole('heading', { name: 'Choose a new password' })).toBeTruthy();
    expect(screen.queryByText('Send')).toBeNull();
    const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
    fireEvent.input(field('Current password'), { target: { value: 'old1' } });
    fireEvent.input(field('New password'), { target: { value: 'short' } });
    fireEvent.submit(field('New password').form!);
    await waitFor(() => expect(document.activeElement).toBe(field('New password')));
    expect(call).not.toHaveBeenCalled();
    fireEvent.input(field('New password'), { target: { value: 'a much better password' } });
    fireEvent.input(field('Repeat the new password'), { target: { value: 'a much better password' } });
    fireEvent.submit(field('New password').form!);
    await waitFor(() => expect(call).toHaveBeenCalledWith('auth.changePassword', { oldPassword: 'old1', newPassword: 'a much better password' }));
    // The background clears the request once the relay took the new password: the wallet opens.
    act(() => setState(walletState()));
    expect(screen.getByText('Alice Smith')).toBeTruthy();
  });

  it('shows live, and offline with the time the data was last confirmed', () => {
    setState(walletState());
    render(h(PopupApp, null));
    const pill = document.querySelector('.pill')!;
    expect(pill.textContent).toBe('Live');
    act(() => setState(walletState({ status: 'offline', syncedAt: new Date(2024, 4, 15, 9, 5).toISOString(), statusDetail: 'relay unreachable' })));
    expect(pill.textContent).toMatch(/^Offline\s*as of 9:05/);
    expect(pill.getAttribute('title')).toContain('relay unreachable');
    expect(screen.getByText('Last known balance')).toBeTruthy();
    act(() => setState(walletState({ status: 'reconnecting' })));
    expect(document.querySelector('.pill')!.textContent).toMatch(/^Reconnecting…\s*as of/);
  });

  it('blocks on a changed relay key, shows both fingerprints, and trusts the new key only after confirming', async () => {
    const pinned = '11'.repeat(32);
    const offered = '22'.repeat(32);
    setState(walletState({ status: 'key-changed', trust: { pinned, offered } }));
    render(h(PopupApp, null));
    expect(screen.getByRole('heading', { name: "The relay's identity key changed" })).toBeTruthy();
    expect(screen.queryByText('Send')).toBeNull();
    expect(screen.getByText('1111 1111 1111 1111 1111 1111 1111 1111 1111 1111 1111 1111 1111 1111 1111 1111')).toBeTruthy();
    expect(screen.getByText('2222 2222 2222 2222 2222 2222 2222 2222 2222 2222 2222 2222 2222 2222 2222 2222')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Open settings' }));
    expect(openOptionsPage).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole('button', { name: 'Trust the new key…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Trust the new key?' });
    // Focus starts on Cancel; Escape backs out without trusting anything.
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(send).not.toHaveBeenCalledWith({ type: 'trust.accept' });

    fireEvent.click(screen.getByRole('button', { name: 'Trust the new key…' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Trust the new key' }));
    await waitFor(() => expect(send).toHaveBeenCalledWith({ type: 'trust.accept' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('tells the background about activity on key presses and clicks, at most once per 30 s', () => {
    setState(walletState());
    render(h(PopupApp, null));
    const activity = () => send.mock.calls.filter(([r]) => r.type === 'activity').length;
    fireEvent.keyDown(document.body, { key: 'a' });
    fireEvent.click(document.body);
    expect(activity()).toBe(1);
    vi.setSystemTime(NOW.getTime() + 29_000);
    fireEvent.keyDown(document.body, { key: 'b' });
    expect(activity()).toBe(1);
    vi.setSystemTime(NOW.getTime() + 31_000);
    fireEvent.click(document.body);
    expect(activity()).toBe(2);
  });

  it('sends no activity while signed out', () => {
    setState(signedOutState());
    render(h(PopupApp, null));
    fireEvent.keyDown(document.body, { key: 'a' });
    expect(send.mock.calls.some(([r]) => r.type === 'activity')).toBe(false);
  });

  it('locks, opens settings, and signs out from the wallet', async () => {
    setState(walletState());
    render(h(PopupApp, null));
    fireEvent.click(screen.getByRole('button', { name: 'Lock' }));
    expect(send).toHaveBeenCalledWith({ type: 'lock' });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    expect(openOptionsPage).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(send).toHaveBeenCalledWith({ type: 'logout' });
    // The background then pushes a signed-out state: the sign-in screen replaces the wallet.
    act(() => setState(signedOutState({ signedOutReason: 'Locked after 5 minutes of inactivity' })));
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByText('Locked after 5 minutes of inactivity')).toBeTruthy();
  });
});
