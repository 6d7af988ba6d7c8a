// @vitest-environment happy-dom
import { h } from 'preact';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatAccountNumber } from '../../../../common/account-number.js';
import { PopupApp } from '../../../../extension/src/ui/popup/App.js';
import { clearSendSession } from '../../../../extension/src/ui/popup/send/send-session.js';
import { UiCallError, call, resetBridge, setState } from './fake-bridge.js';
import { BOB, NOW, OWN, entry, walletState } from './fixtures.js';
import type { UiErrorCode } from '../../../../extension/src/shared/api.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));
vi.mock('../../../../extension/src/ui/popup/platform.js', () => ({
  openOptionsPage: vi.fn(),
  sessionGet: vi.fn(async () => undefined),
  sessionSet: vi.fn(async () => undefined),
}));

type Script = { lookup?: () => Promise<unknown>; create?: Array<() => Promise<unknown>> };

/** Scripts the relay's answers: account.lookup, then one answer per transfer.create attempt. */
function relay(script: Script = {}): void {
  const creates = [...(script.create ?? [])];
  call.mockImplementation(async (op: string) => {
    if (op === 'account.lookup') return script.lookup ? script.lookup() : { account: BOB, displayName: 'Jane S.' };
    if (op === 'transfer.create') {
      const next = creates.shift();
      if (!next) throw new Error('unexpected transfer.create');
      return next();
    }
    throw new Error(`unexpected ${op}`);
  });
}

const posted = (balance = 8_766) => async () => ({
  transfer: { id: 'x', from: OWN, to: BOB, amount: 1_234, ts: NOW.toISOString(), status: 'posted' },
  balance,
});
const refused = (code: UiErrorCode, message: string) => async () => {
  throw new UiCallError(code, message);
};

function createCalls(): Array<{ transferId: string; to: string; amount: number; memo?: string }> {
  return call.mock.calls.filter(([op]) => op === 'transfer.create').map(([, args]) => args as never);
}

function field(label: string): HTMLInputElement {
  return screen.getByLabelText(label) as HTMLInputElement;
}

function type(label: string, value: string): HTMLInputElement {
  const input = field(label);
  fireEvent.input(input, { target: { value } });
  return input;
}

function errorOf(input: HTMLElement): string | undefined {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)).find((el) => el?.getAttribute('role') === 'alert')?.textContent ?? undefined;
}

function openSend(): void {
  render(h(PopupApp, null));
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
}

function fillAndReview(to = formatAccountNumber(BOB), amount = '12.34', memo = 'Dinner'): void {
  type('Pay to account number', to);
  type('Amount', amount);
  type('Memo (optional)', memo);
  fireEvent.submit(field('Amount').form!);
}

async function confirm(): Promise<void> {
  const button = await screen.findByRole('button', { name: 'Send $12.34' });
  await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));
  fireEvent.click(button);
}

beforeEach(() => {
  resetBridge();
  clearSendSession();
  setState(walletState());
  relay();
});
afterEach(cleanup);

describe('send: the form', () => {
  it('refuses an account number whose check digits do not match, as soon as it is typed out', () => {
    openSend();
    const payee = field('Pay to account number');
    expect(document.activeElement).toBe(payee);
    // BOB with its last two digits swapped.
    const swapped = BOB.slice(0, -2) + BOB.slice(-1) + BOB.slice(-2, -1);
    type('Pay to account number', swapped === BOB ? BOB.slice(0, -1) + '9' : swapped);
    expect(errorOf(payee)).toMatch(/check digits don't match/);
    expect(payee.getAttribute('aria-invalid')).toBe('true');
    type('Pay to account number', formatAccountNumber(BOB).toLowerCase());
    expect(errorOf(payee)).toBeUndefined();
  });

  it('says what is wrong with a partial number, your own account, or a bad amount', () => {
    openSend();
    const payee = type('Pay to account number', 'DB12 34');
    fireEvent.blur(payee);
    expect(errorOf(payee)).toMatch(/look like DB35 0000 0000 01/);
    type('Pay to account number', OWN);
    expect(errorOf(payee)).toMatch(/your own account/);

    const amount = type('Amount', '12.345');
    fireEvent.blur(amount);
    expect(errorOf(amount)).toBe('Use at most 2 digits after the decimal point');
    type('Amount', '0');
    expect(errorOf(amount)).toBe('Enter an amount greater than zero');
    type('Amount', '1.234,56');
    expect(errorOf(amount)).toMatch(/is not an amount/);
    type('Amount', '$1,234.56');
    expect(errorOf(amount)).toBeUndefined();
  });

  it('limits the memo to 140 characters', () => {
    openSend();
    const memo = type('Memo (optional)', 'x'.repeat(141));
    expect(screen.getByText('141/140')).toBeTruthy();
    expect(errorOf(memo)).toBe('Keep the memo to 140 characters');
  });

  it('Review checks every field and puts the cursor on the first problem', () => {
    openSend();
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(errorOf(field('Pay to account number'))).toBe("Enter the payee's account number");
    expect(errorOf(field('Amount'))).toBe('Enter an amount');
    expect(document.activeElement).toBe(field('Pay to account number'));
    expect(call).not.toHaveBeenCalled();
  });
});

describe('send: review and confirm', () => {
  it('shows the masked payee name, amount, memo and from account, then sends and shows the result', async () => {
    relay({ create: [posted(8_766)] });
    openSend();
    fillAndReview();
    expect(await screen.findByText('Jane S.')).toBeTruthy();
    expect(call).toHaveBeenCalledWith('account.lookup', { account: BOB });
    expect(screen.getByText('Dinner')).toBeTruthy();
    expect(screen.getByText(formatAccountNumber(OWN))).toBeTruthy();
    await confirm();
    expect(await screen.findByRole('heading', { name: 'Sent $12.34 to Jane S.' })).toBeTruthy();
    expect(screen.getByText('$87.66')).toBeTruthy();
    const [args] = createCalls();
    expect(args).toEqual({ transferId: expect.stringMatching(/^[0-9a-f-]{36}$/), to: BOB, amount: 1_234, memo: 'Dinner' });
  });

  it('disables Confirm while the transfer is pending', async () => {
    let finish!: () => void;
    relay({ create: [() => new Promise((resolve) => (finish = () => resolve(posted()())))] });
    openSend();
    fillAndReview();
    await confirm();
    const pending = await screen.findByRole('button', { name: /Sending…/ });
    expect((pending as HTMLButtonElement).disabled).toBe(true);
    expect(pending.getAttribute('aria-busy')).toBe('true');
    fireEvent.click(pending);
    act(() => finish());
    await screen.findByRole('heading', { name: /^Sent/ });
    expect(createCalls()).toHaveLength(1);
  });

  it('retries an in-doubt transfer with the SAME transferId', async () => {
    relay({ create: [refused('IN_DOUBT', 'the connection to the relay dropped before it answered; it may or may not have been done'), posted()] });
    openSend();
    fillAndReview();
    await confirm();
    expect(await screen.findByRole('heading', { name: "Not confirmed: Your bank didn't confirm it" })).toBeTruthy();
    expect(screen.getByText(/trying again is safe/i)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('heading', { name: 'Sent $12.34 to Jane S.' });
    const [first, second] = createCalls();
    expect(second!.transferId).toBe(first!.transferId);
    expect(second).toEqual(first);
  });

  it('sends an in-doubt transfer again by itself, with the SAME transferId, as soon as the relay is live again', async () => {
    relay({ create: [refused('IN_DOUBT', 'the connection to the relay dropped before it answered'), posted()] });
    openSend();
    fillAndReview();
    await confirm();
    await screen.findByRole('heading', { name: /^Not confirmed/ });
    act(() => setState(walletState({ status: 'reconnecting' })));
    expect(createCalls()).toHaveLength(1);
    act(() => setState(walletState()));
    await screen.findByRole('heading', { name: 'Sent $12.34 to Jane S.' });
    const [first, second] = createCalls();
    expect(second).toEqual(first);
  });

  it('keeps the id when going Back and reviewing again without changes, and makes a new one after an edit', async () => {
    relay({ create: [refused('OFFLINE', 'not connected to the relay'), refused('OFFLINE', 'not connected to the relay'), posted()] });
    openSend();
    fillAndReview();
    await confirm();
    await screen.findByRole('heading', { name: /^Not sent/ });
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    // Nothing typed was lost.
    expect(field('Pay to account number').value).toBe(formatAccountNumber(BOB));
    expect(field('Amount').value).toBe('12.34');
    expect(field('Memo (optional)').value).toBe('Dinner');
    fireEvent.submit(field('Amount').form!);
    await confirm();
    await screen.findByRole('heading', { name: /^Not sent/ });
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    type('Memo (optional)', 'Dinner on Friday');
    fireEvent.submit(field('Amount').form!);
    await confirm();
    await screen.findByRole('heading', { name: /^Sent/ });
    const [a, b, c] = createCalls();
    expect(b!.transferId).toBe(a!.transferId);
    expect(c!.transferId).not.toBe(a!.transferId);
    expect(c!.memo).toBe('Dinner on Friday');
  });

  it('gives the next transfer a new id after Done', async () => {
    relay({ create: [posted(), posted()] });
    openSend();
    fillAndReview();
    await confirm();
    await screen.findByRole('heading', { name: /^Sent/ });
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    // A fresh, empty form.
    expect(field('Amount').value).toBe('');
    fillAndReview();
    await confirm();
    await screen.findByRole('heading', { name: /^Sent/ });
    const [a, b] = createCalls();
    expect(b!.transferId).not.toBe(a!.transferId);
  });

  it('finishes an unanswered transfer when it shows up in the live activity', async () => {
    relay({ create: [refused('IN_DOUBT', 'the connection to the relay dropped before it answered')] });
    openSend();
    fillAndReview();
    await confirm();
    await screen.findByRole('heading', { name: /^Not confirmed/ });
    const [args] = createCalls();
    act(() => setState(walletState({ recent: [entry({ transferId: args!.transferId, amount: -1_234, balanceAfter: 8_766, memo: 'Dinner' })] })));
    expect(await screen.findByRole('heading', { name: 'Sent $12.34 to Jane S.' })).toBeTruthy();
  });

  it('keeps an unanswered transfer, and its id, through a key-changed block and back', async () => {
    relay({ create: [refused('IN_DOUBT', 'the connection to the relay dropped before it answered'), posted()] });
    openSend();
    fillAndReview();
    await confirm();
    await screen.findByRole('heading', { name: /^Not confirmed/ });
    act(() => setState(walletState({ status: 'key-changed', trust: { pinned: '11'.repeat(32), offered: '22'.repeat(32) } })));
    expect(screen.getByRole('heading', { name: "The relay's identity key changed" })).toBeTruthy();
    act(() => setState(walletState()));
    // Home says a transfer is unanswered; "Check it" brings it back with everything typed.
    expect(screen.getByText("A transfer didn't get an answer")).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Check it' }));
    expect(screen.getByText("Your last try didn't get an answer")).toBeTruthy();
    expect(field('Memo (optional)').value).toBe('Dinner');
    fireEvent.submit(field('Amount').form!);
    await confirm();
    await screen.findByRole('heading', { name: /^Sent/ });
    const [a, b] = createCalls();
    expect(b).toEqual(a);
  });

  it('warns that an unanswered transfer may have gone through when its details are then changed', async () => {
    relay({ create: [refused('IN_DOUBT', 'the connection to the relay dropped before it answered')] });
    openSend();
    fillAndReview();
    await confirm();
    await screen.findByRole('heading', { name: /^Not confirmed/ });
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    type('Amount', '20');
    expect(screen.getByText('Check your activity first')).toBeTruthy();
  });

  it('takes an unknown payee back to the form, with the problem next to the payee field', async () => {
    relay({ lookup: refused('NOT_FOUND', `no account ${BOB}`) });
    openSend();
    fillAndReview();
    await waitFor(() => expect(errorOf(field('Pay to account number'))).toBe("There's no open account with this number"));
    expect(document.activeElement).toBe(field('Pay to account number'));
  });

  it('Escape goes back a step, keeping what was typed', async () => {
    openSend();
    fillAndReview();
    const heading = await screen.findByRole('heading', { name: 'Review and send' });
    fireEvent.keyDown(heading, { key: 'Escape' });
    expect(field('Amount').value).toBe('12.34');
    fireEvent.keyDown(field('Amount'), { key: 'Escape' });
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(field('Amount').value).toBe('12.34');
  });
});

describe('send: error screens', () => {
  it.each([
    ['INSUFFICIENT_FUNDS', `insufficient funds: the balance of ${OWN} is 10000`, 'Not sent: Not enough money', /Your balance is \$100\.00/, 'Change the amount'],
    ['LIMIT_EXCEEDED', 'the amount is over your per-transfer limit of 1000', 'Not sent: Over your limit', /per-transfer limit of \$10\.00/, 'Change the amount'],
    ['ACCOUNT_FROZEN', `account ${BOB} is frozen: it can neither send nor receive`, 'Not sent: Account frozen', /can neither send nor receive/, undefined],
    ['NOT_FOUND', `no account ${BOB}`, 'Not sent: Payee not found', /no open account with this number/, 'Change the payee'],
    ['OFFLINE', 'not connected to the relay', "Not sent: Can't reach your bank right now", /Not connected to the relay\. Try again once/, 'Try again'],
    ['KEY_CHANGED', "the relay's key changed", "Not sent: Your bank's identity key changed", /Try again once/, 'Try again'],
    ['IN_DOUBT', 'the connection to the relay dropped before it answered', "Not confirmed: Your bank didn't confirm it", /may or may not have gone through\. It is checked again as soon as your bank is reachable; trying again is safe/, 'Try again'],
    ['INTERNAL', 'the background did not answer; try again', 'Not confirmed: No answer from your bank', /Trying again is safe/, 'Try again'],
    ['RATE_LIMITED', 'too many requests', 'Not sent: Too many requests', /Wait a moment/, 'Try again'],
  ] as const)('%s', async (code, message, title, text, action) => {
    relay({ create: [refused(code, message)] });
    openSend();
    fillAndReview();
    await confirm();
    const heading = await screen.findByRole('heading', { name: title });
    expect(heading.closest('section')!.textContent).toMatch(text);
    if (action) expect(screen.getByRole('button', { name: action })).toBeTruthy();
    // Back always returns to the form with everything kept.
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(field('Pay to account number').value).toBe(formatAccountNumber(BOB));
    expect(field('Amount').value).toBe('12.34');
  });

  it('"Change the amount" puts the cursor in the amount field', async () => {
    relay({ create: [refused('INSUFFICIENT_FUNDS', 'insufficient funds')] });
    openSend();
    fillAndReview();
    await confirm();
    fireEvent.click(await screen.findByRole('button', { name: 'Change the amount' }));
    expect(document.activeElement).toBe(field('Amount'));
  });
});
