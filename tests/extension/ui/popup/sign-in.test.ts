// @vitest-environment happy-dom
import { h } from 'preact';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PopupApp } from '../../../../extension/src/ui/popup/App.js';
import { UiCallError, resetBridge, send, setState } from './fake-bridge.js';
import { signedOutState } from './fixtures.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));
vi.mock('../../../../extension/src/ui/popup/platform.js', () => ({
  openOptionsPage: vi.fn(),
  sessionGet: vi.fn(async () => undefined),
  sessionSet: vi.fn(async () => undefined),
}));

beforeEach(() => {
  resetBridge();
  setState(signedOutState());
});
afterEach(cleanup);

function type(label: string, value: string): HTMLInputElement {
  const input = screen.getByLabelText(label) as HTMLInputElement;
  fireEvent.input(input, { target: { value } });
  return input;
}

/** The error text linked to a field through aria-describedby. */
function describedError(input: HTMLElement): string | undefined {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)).find((el) => el?.getAttribute('role') === 'alert')?.textContent ?? undefined;
}

describe('sign in', () => {
  it('labels its fields and says what is missing next to each one', () => {
    render(h(PopupApp, null));
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const username = screen.getByLabelText('Username');
    expect(username.getAttribute('aria-invalid')).toBe('true');
    expect(describedError(username)).toBe('Enter your username');
    expect(describedError(screen.getByLabelText('Password'))).toBe('Enter your password');
    expect(send).not.toHaveBeenCalled();
    // The cursor goes to the first field to fix.
    expect(document.activeElement).toBe(username);
  });

  it('submits with Enter and shows a wrong password next to the password field', async () => {
    send.mockRejectedValueOnce(new UiCallError('UNAUTHENTICATED', 'invalid username or password'));
    render(h(PopupApp, null));
    type('Username', ' alice ');
    const password = type('Password', 'not-it');
    fireEvent.submit(password.form!);
    await waitFor(() => expect(describedError(screen.getByLabelText('Password'))).toBe('Invalid username or password'));
    expect(send).toHaveBeenCalledWith({ type: 'login', username: 'alice', password: 'not-it' });
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect(describedError(screen.getByLabelText('Username'))).toBeUndefined();
    // Typing again clears the error.
    type('Password', 'x');
    expect(describedError(screen.getByLabelText('Password'))).toBeUndefined();
  });

  it.each([
    ['LOCKED_OUT', 'too many failed sign-ins: this user is locked for 14 more minutes', 'Sign-in is paused'],
    ['FORBIDDEN', 'your registration is waiting for approval by the bank', "You can't sign in yet"],
    ['ACCOUNT_FROZEN', 'this user is frozen; please contact the bank', 'Your account is frozen'],
    ['OFFLINE', 'the relay is not reachable', "Can't reach your bank right now"],
  ] as const)('shows %s from the relay plainly', async (code, message, title) => {
    send.mockRejectedValueOnce(new UiCallError(code, message));
    render(h(PopupApp, null));
    type('Username', 'alice');
    type('Password', 'secret-password');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByText(title);
    expect(alert.closest('[role="alert"]')!.textContent).toContain(message[0]!.toUpperCase() + message.slice(1));
  });

  it('warns when the relay cannot be reached', () => {
    setState(signedOutState({ status: 'offline', statusDetail: 'relay unreachable' }));
    render(h(PopupApp, null));
    expect(screen.getByText("Can't reach your bank's relay")).toBeTruthy();
  });
});

describe('register', () => {
  it('checks the fields with the relay rules, then shows "Waiting for approval"', async () => {
    send.mockResolvedValueOnce({ status: 'pending' });
    render(h(PopupApp, null));
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    expect(screen.getByRole('heading', { name: 'Create an account' })).toBeTruthy();

    type('Username', 'jo');
    type('Your name', 'Jo Example');
    type('Password', 'short');
    type('Confirm password', 'other');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(describedError(screen.getByLabelText('Username'))).toBe('Must be at least 3 characters');
    expect(describedError(screen.getByLabelText('Password'))).toBe('Must be at least 8 characters');
    expect(describedError(screen.getByLabelText('Confirm password'))).toBe("The passwords don't match");
    expect(send).not.toHaveBeenCalled();

    type('Username', 'joanna');
    type('Password', 'correct horse');
    const confirm = type('Confirm password', 'correct horse');
    fireEvent.submit(confirm.form!);
    await screen.findByRole('heading', { name: 'Waiting for approval' });
    expect(send).toHaveBeenCalledWith({ type: 'register', username: 'joanna', displayName: 'Jo Example', password: 'correct horse' });

    // Back to sign in, with the new username filled in.
    fireEvent.click(screen.getByRole('button', { name: 'Back to sign in' }));
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('joanna');
  });

  it('shows a taken username next to the username field', async () => {
    send.mockRejectedValueOnce(new UiCallError('CONFLICT', 'the username "joanna" is taken'));
    render(h(PopupApp, null));
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    type('Username', 'joanna');
    type('Your name', 'Jo Example');
    type('Password', 'correct horse');
    type('Confirm password', 'correct horse');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(describedError(screen.getByLabelText('Username'))).toBe('The username "joanna" is taken'));
  });
});
