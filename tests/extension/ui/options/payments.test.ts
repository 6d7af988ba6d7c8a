// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { h } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { makeAccountNumber } from '../../../../common/account-number.js';
import type { Run } from '../../../../common/schemas/models.js';
import { App } from '../../../../extension/src/ui/options/App.js';
import type { LocalRun, RunSummary, UiRequest } from '../../../../extension/src/shared/api.js';
import { nameMatches } from '../../../../extension/src/ui/options/lib/name-match.js';
import { answerCalls, answerRequests, callsOf, requestsOf, setAppState } from './fake-bridge.js';
import { adminState, customerState } from './fixtures.js';
import './setup.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));
const downloads = vi.hoisted(() => [] as { name: string; text: string }[]);
vi.mock('../../../../extension/src/ui/options/lib/download.js', () => ({
  downloadText: (name: string, text: string) => downloads.push({ name, text }),
}));

const ALICE = makeAccountNumber(301);
const BOB = makeAccountNumber(302);
const CAROL = makeAccountNumber(303);
const RUN_ID = '11111111-2222-4333-8444-555555555555';

const FILE = ['account,amount,memo,name', `${ALICE},12.50,May salary,Alice Wong`, `${BOB},20.00,May salary,Bob Brown`, 'NOT-AN-ACCOUNT,5.00,oops,Nobody', `${CAROL},7.25,May salary,Carol White`].join('\r\n');

const lookups = (request: Extract<UiRequest, { type: 'payments.lookup' }>) => ({
  results: request.accounts.map((account) =>
    account === CAROL ? { account, ok: true, displayName: 'Jane S.' } : { account, ok: true, displayName: account === ALICE ? 'Alice W.' : 'Bob B.' },
  ),
  remaining: 9_997,
});

function summary(patch: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: RUN_ID,
    kind: 'payments',
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    atomic: false,
    digest: 'ab'.repeat(32),
    currency: 'USD',
    state: 'running',
    rows: 3,
    total: 3975,
    posted: 0,
    failed: 0,
    inDoubt: 0,
    pending: 3,
    excluded: 1,
    sent: 0,
    ...patch,
  };
}

function localRun(statuses: LocalRun['rows'][number]['status'][]): LocalRun {
  const rows = [
    { line: 2, account: ALICE, amount: 1250, memo: 'May salary', name: 'Alice Wong' },
    { line: 3, account: BOB, amount: 2000, memo: 'May salary', name: '=HYPERLINK("x")' },
    { line: 4, account: 'NOT-AN-ACCOUNT', amount: 500, memo: 'oops', name: 'Nobody' },
    { line: 5, account: CAROL, amount: 725, memo: 'May salary', name: 'Carol White' },
  ];
  return {
    runId: RUN_ID,
    kind: 'payments',
    relayUrl: 'ws://127.0.0.1:1235/',
    username: 'jane',
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:01:00.000Z',
    atomic: false,
    digest: 'ab'.repeat(32),
    currency: 'USD',
    declared: true,
    rows: rows.map((r, i) => ({
      ...r,
      transferId: `00000000-0000-4000-8000-00000000000${i + 1}`,
      status: statuses[i]!,
      ...(statuses[i] === 'failed' && { error: { code: 'ACCOUNT_FROZEN', message: 'the payee account is frozen' } }),
    })),
  };
}

function openPayments(state = customerState()): void {
  history.replaceState(null, '', '#/payments');
  setAppState(state);
  render(h(App, {}));
}

async function upload(text: string, name = 'may-payroll.csv'): Promise<void> {
  const input = (await screen.findByLabelText('CSV file')) as HTMLInputElement;
  const file = new File([text], name, { type: 'text/csv' });
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

describe('the Payments screen', () => {
  it('uploads a file, previews it, leaves out a bad row, confirms the total, follows the run and downloads the results', async () => {
    const earlier: Run[] = [];
    answerRequests({
      'payments.lookup': lookups,
      'runs.find': () => ({ relay: earlier, local: [] }),
      'runs.history': () => ({ runs: [] }),
      'runs.create': () => summary({ state: 'ready' }),
      'runs.start': () => summary(),
      'runs.get': () => localRun(['posted', 'posted', 'excluded', 'failed']),
    });
    answerCalls({ 'account.list': () => ({ accounts: customerState().accounts, allowance: { perTransfer: 5_000_000, perDay: 20_000_000, spentToday: 0 } }) });
    openPayments();
    await screen.findByRole('heading', { level: 1, name: 'Payments' });
    await upload(FILE);

    // The preview: every row, the bad one flagged, the name that does not fit the account holder flagged.
    const table = within(await screen.findByRole('table', { name: /Rows of the file/ }));
    await table.findByText('Alice W.');
    expect(table.getByText('"NOT-AN-ACCOUNT" is not a valid account number (check for a typo).')).toBeTruthy();
    expect(table.getByText('The file says "Carol White" but the account holder is "Jane S.".')).toBeTruthy();
    expect(requestsOf('payments.lookup')).toEqual([{ type: 'payments.lookup', accounts: [ALICE, BOB, CAROL] }]);

    // Nothing goes while a row is wrong.
    fireEvent.click(screen.getByRole('button', { name: 'Review and send' }));
    expect(await screen.findByText('Fix or exclude the 1 row with an error.')).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();

    fireEvent.click(screen.getByRole('checkbox', { name: 'Include line 4' }));
    await waitFor(() => expect(requestsOf('runs.find').length).toBeGreaterThan(0));
    expect(screen.getByText('$39.75')).toBeTruthy();
    expect(screen.getByText('$60.25')).toBeTruthy(); // balance after: $100.00 − $39.75
    fireEvent.click(screen.getByRole('button', { name: 'Review and send' }));
    const dialog = within(await screen.findByRole('alertdialog'));
    expect(dialog.getByText('You are about to pay $39.75 to 3 payees.')).toBeTruthy();
    expect(requestsOf('runs.create')).toEqual([]);
    fireEvent.click(dialog.getByRole('button', { name: 'Send $39.75' }));
    await waitFor(() => expect(requestsOf('runs.start')).toEqual([{ type: 'runs.start', runId: RUN_ID }]));
    const [create] = requestsOf('runs.create') as Extract<UiRequest, { type: 'runs.create' }>[];
    expect(create!.run).toMatchObject({ kind: 'payments', currency: 'USD', atomic: false, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(create!.run.rows).toEqual([
      { line: 2, account: ALICE, amount: 1250, memo: 'May salary', name: 'Alice Wong' },
      { line: 3, account: BOB, amount: 2000, memo: 'May salary', name: 'Bob Brown' },
      { line: 4, account: 'NOT-AN-ACCOUNT', amount: 500, memo: 'oops', name: 'Nobody', excluded: true },
      { line: 5, account: CAROL, amount: 725, memo: 'May salary', name: 'Carol White' },
    ]);

    // The background pushes the run's progress.
    setAppState(customerState({ runs: [summary({ posted: 1, pending: 2, sent: 1250, updatedAt: '2024-05-01T10:00:30.000Z' })] }));
    const bar = await screen.findByRole('progressbar', { name: /1 of 3 rows done · \$12\.50 sent · 0 failures/ });
    expect(bar.getAttribute('value')).toBe('1');
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();

    setAppState(customerState({ runs: [summary({ state: 'done', posted: 2, failed: 1, pending: 0, sent: 3250, updatedAt: '2024-05-01T10:01:00.000Z' })] }));
    await screen.findByRole('progressbar', { name: /3 of 3 rows done · \$32\.50 sent · 1 failure/ });
    const results = within(await screen.findByRole('table', { name: /Results of the run/ }));
    expect(await results.findByText('the payee account is frozen')).toBeTruthy();
    expect(results.getAllByText('Posted')).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Download results (CSV)' }));
    expect(downloads).toHaveLength(1);
    expect(downloads[0]!.name).toBe('payments-run-2024-05-01-11111111-results.csv');
    const lines = downloads[0]!.text.split('\r\n');
    expect(lines[0]).toBe('line,account,name,reference,amount,memo,transferId,status,error_code,error_message');
    expect(lines[1]).toContain('"posted"');
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`); // a formula from the file is defused
    expect(lines[4]).toContain('"ACCOUNT_FROZEN","the payee account is frozen"');
  });

  it('warns when the same payments were sent before, and sends nothing until the person says to pay them again', async () => {
    const before: Run = {
      runId: '99999999-2222-4333-8444-555555555555',
      owner: 'jane',
      kind: 'payments',
      digest: 'ab'.repeat(32),
      rows: 2,
      total: 3250,
      atomic: false,
      createdAt: '2024-04-01T09:00:00.000Z',
      updatedAt: '2024-04-01T09:01:00.000Z',
      posted: 2,
      sent: 3250,
      failed: 0,
    };
    answerRequests({
      'payments.lookup': lookups,
      'runs.find': () => ({ relay: [before], local: [] }),
      'runs.history': () => ({ runs: [before] }),
      'runs.create': () => summary({ state: 'ready' }),
      'runs.start': () => summary(),
    });
    openPayments();
    await upload([`${ALICE},12.50`, `${BOB},20.00`].join('\n'));
    expect(await screen.findByText('These payments were sent before')).toBeTruthy();
    expect(screen.getByText(/2 of 2 posted, \$32\.50 sent, 0 failed/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Review and send' }));
    expect(await screen.findByText('Confirm that you want to pay this file again.')).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: 'I know, and I want to pay this file again' }));
    fireEvent.click(screen.getByRole('button', { name: 'Review and send' }));
    const dialog = within(await screen.findByRole('alertdialog'));
    fireEvent.click(dialog.getByRole('button', { name: 'Send $32.50' }));
    await waitFor(() => expect(requestsOf('runs.start')).toHaveLength(1));
  });

  it('fixes a row in place: the fixed account is looked up and the row can go', async () => {
    answerRequests({
      'payments.lookup': lookups,
      'runs.find': () => ({ relay: [], local: [] }),
      'runs.history': () => ({ runs: [] }),
    });
    openPayments();
    await upload(['account,amount', `${ALICE},abc`].join('\n'));
    expect(await screen.findByText('"abc" is not an amount.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Fix line 2' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Fix line 2' }));
    fireEvent.input(dialog.getByLabelText('Account'), { target: { value: BOB } });
    fireEvent.input(dialog.getByLabelText('Amount'), { target: { value: '4.5' } });
    fireEvent.click(dialog.getByRole('button', { name: 'Use these values' }));
    expect(await screen.findByText('Fixed')).toBeTruthy();
    await waitFor(() => expect(requestsOf('payments.lookup').at(-1)).toEqual({ type: 'payments.lookup', accounts: [BOB] }));
    expect(await screen.findByText('Bob B.')).toBeTruthy();
    expect(screen.getAllByText('$4.50').length).toBeGreaterThan(0);
  });

  it('shows the limits the run would hit: a row over the per-transfer limit, and the first row the daily limit would refuse', async () => {
    answerRequests({
      'payments.lookup': lookups,
      'runs.find': () => ({ relay: [], local: [] }),
      'runs.history': () => ({ runs: [] }),
    });
    // $50.00 a payment, $100.00 a day, $70.00 sent already today: $30.00 left.
    answerCalls({ 'account.list': () => ({ accounts: customerState().accounts, allowance: { perTransfer: 5_000, perDay: 10_000, spentToday: 7_000 } }) });
    openPayments();
    await upload(['account,amount', `${ALICE},12.50`, `${BOB},60.00`, `${CAROL},15.00`, `${ALICE},9.00`, `${BOB},2.00`].join('\n'));
    const table = within(await screen.findByRole('table', { name: /Rows of the file/ }));
    await table.findAllByText('Alice W.');
    expect(callsOf('account.list')).toEqual([{}]);

    // Line 3 is over the per-transfer limit: an error, it would be refused.
    expect(await table.findByText('Over your limit of $50.00 a payment: the bank would refuse it.')).toBeTruthy();
    // $12.50 + $15.00 fit in the $30.00 left (line 3 sends nothing); line 5's $9.00 does not, line 6's $2.00 still does.
    const overDay = table.getAllByText('With the rows before it, over your daily limit of $100.00: the bank would refuse it today.');
    expect(overDay).toHaveLength(1);
    expect(overDay[0]!.closest('tr')!.querySelector('td')!.textContent).toBe('5');
    const summaryPanel = within(screen.getByRole('region', { name: 'Total and confirmation' }));
    expect(summaryPanel.getByText('Left to send today')).toBeTruthy();
    expect(summaryPanel.getByText('$30.00')).toBeTruthy();
    expect(summaryPanel.getByText('of $100.00 a day; up to $50.00 a payment')).toBeTruthy();
    expect(summaryPanel.getByText('The daily limit would stop part of this run')).toBeTruthy();
    expect(summaryPanel.getByText(/^Line 5 is the first payment your daily limit would refuse: \$30\.00 is left to send today of your \$100\.00\./)).toBeTruthy();
    expect(screen.queryByText(/the bank does not show them here/)).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Review and send' }));
    expect(await screen.findByText('Fix or exclude the 1 row with an error.')).toBeTruthy();

    // Without line 3 and line 5 the run fits both limits.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Include line 3' }));
    expect(summaryPanel.getByText(/^Line 5 is the first payment/)).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Include line 5' }));
    await waitFor(() => expect(summaryPanel.queryByText('The daily limit would stop part of this run')).toBeNull());
    expect(table.queryByText(/over your daily limit/)).toBeNull();
    expect(table.queryByText(/a payment: the bank would refuse it/)).toBeNull();
  });

  it('says when the limits could not be checked, and still previews the file', async () => {
    answerRequests({
      'payments.lookup': lookups,
      'runs.find': () => ({ relay: [], local: [] }),
      'runs.history': () => ({ runs: [] }),
    });
    answerCalls({});
    openPayments();
    await upload(`${ALICE},12.50\n`);
    expect(await screen.findByText('Your limits could not be checked')).toBeTruthy();
    expect(await screen.findByText('Alice W.')).toBeTruthy();
    expect(screen.queryByText('Left to send today')).toBeNull();
  });

  it('leaves limits out of an administrator\'s deposits', async () => {
    answerRequests({
      'payments.lookup': lookups,
      'runs.find': () => ({ relay: [], local: [] }),
      'runs.history': () => ({ runs: [] }),
    });
    answerCalls({ 'account.list': () => ({ accounts: [], allowance: { perTransfer: 100, perDay: 100, spentToday: 100 } }) });
    openPayments(adminState());
    await upload(`${ALICE},12.50\n`);
    expect(await screen.findByText('Alice W.')).toBeTruthy();
    expect(callsOf('account.list')).toEqual([]);
    expect(screen.queryByText(/over your/)).toBeNull();
  });

  it('says what is wrong with a file it cannot use', async () => {
    answerRequests({ 'runs.history': () => ({ runs: [] }) });
    openPayments();
    await upload('account,sum\nx,1\n');
    expect(await screen.findByText('This file cannot be used')).toBeTruthy();
    expect(screen.getByText('The header names a column this bank does not know: "sum".')).toBeTruthy();
    expect(screen.getByText('The header has no amount column.')).toBeTruthy();
  });

  it('lists the runs kept in this browser and resumes a paused one', async () => {
    answerRequests({
      'runs.history': () => ({ runs: [] }),
      'runs.get': () => localRun(['posted', 'in_doubt', 'excluded', 'pending']),
      'runs.start': () => summary(),
    });
    openPayments(customerState({ runs: [summary({ state: 'paused', posted: 1, inDoubt: 1, pending: 1, problem: { code: 'OFFLINE', message: 'not connected to the relay' } })] }));
    const local = within(await screen.findByRole('region', { name: 'Runs in this browser, newest first' }));
    fireEvent.click(local.getByRole('button', { name: /Open the run of/ }));
    expect(await screen.findByText('The run stopped')).toBeTruthy();
    expect(screen.getByText('not connected to the relay')).toBeTruthy();
    expect(screen.getByText(/Rows in doubt may or may not have been paid/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(requestsOf('runs.start')).toEqual([{ type: 'runs.start', runId: RUN_ID }]));
  });

  it('gives an administrator deposits or withdrawals to choose from', async () => {
    answerRequests({
      'payments.lookup': lookups,
      'runs.find': () => ({ relay: [], local: [] }),
      'runs.history': () => ({ runs: [] }),
      'runs.create': () => summary({ kind: 'withdrawals', state: 'ready' }),
      'runs.start': () => summary({ kind: 'withdrawals' }),
    });
    openPayments(adminState());
    const select = (await screen.findByLabelText('Kind of run')) as HTMLSelectElement;
    expect(Array.from(select.options, (o) => o.textContent)).toEqual(['Deposits', 'Withdrawals']);
    fireEvent.change(select, { target: { value: 'withdrawals' } });
    await upload(`${ALICE},12.50\n`);
    await screen.findByText('Alice W.');
    expect(screen.queryByText('Balance after')).toBeNull();
    await waitFor(() => expect(requestsOf('runs.find').length).toBeGreaterThan(0));
    fireEvent.click(screen.getByRole('button', { name: 'Review and send' }));
    const dialog = within(await screen.findByRole('alertdialog'));
    expect(dialog.getByText('You are about to withdraw $12.50 in 1 withdrawal.')).toBeTruthy();
    fireEvent.click(dialog.getByRole('button', { name: 'Send $12.50' }));
    await waitFor(() => expect(requestsOf('runs.start')).toHaveLength(1));
    expect((requestsOf('runs.create')[0] as Extract<UiRequest, { type: 'runs.create' }>).run.kind).toBe('withdrawals');
  });

  it("shows an administrator customers' recent runs under Transactions", async () => {
    answerRequests({
      'runs.history': (r: Extract<UiRequest, { type: 'runs.history' }>) => ({
        runs:
          r.scope === 'all'
            ? [{ runId: RUN_ID, owner: 'acme_ltd', kind: 'payments', digest: 'ab'.repeat(32), rows: 40, total: 1_234_500, atomic: false, createdAt: '2024-05-01T10:00:00.000Z', updatedAt: '2024-05-01T10:01:00.000Z', posted: 38, sent: 1_200_000, failed: 2 }]
            : [],
      }),
    });
    answerCalls({ 'admin.transfer.list': () => ({ transfers: [] }) });
    history.replaceState(null, '', '#/transactions');
    setAppState(adminState());
    render(h(App, {}));
    const runs = within(await screen.findByRole('region', { name: "Customers' recent payment runs" }));
    expect(runs.getByText('acme_ltd')).toBeTruthy();
    expect(runs.getByText('$12,345.00')).toBeTruthy();
    expect(runs.getByText('38')).toBeTruthy();
    expect(requestsOf('runs.history')).toEqual([{ type: 'runs.history', scope: 'all', limit: 20 }]);
  });
});

describe('the name check', () => {
  it('compares the file’s name with the masked name as the relay masks it', () => {
    expect(nameMatches('Jane Smith', 'Jane S.')).toBe(true);
    expect(nameMatches('  jane   SMITH ', 'Jane S.')).toBe(true);
    expect(nameMatches('Jane S.', 'Jane S.')).toBe(true);
    expect(nameMatches('Jane', 'Jane S.')).toBe(true);
    expect(nameMatches('José Álvarez', 'Jose A.')).toBe(true);
    expect(nameMatches('Jean de la Fontaine', 'Jean F.')).toBe(true);
    expect(nameMatches('Jane Doe', 'Jane S.')).toBe(false);
    expect(nameMatches('John Smith', 'Jane S.')).toBe(false);
    expect(nameMatches('Cher Bono', 'Cher')).toBe(true);
  });
});
