import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { Transfer } from '../../common/schemas/models.js';
import type { AccountState } from '../../relay/ledger/types.js';
import { BankDb } from '../../relay/store/leveldb/bank-db.js';
import { connectTo, EPHEMERAL, killStrays, loadTestConfig, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';
import { allTransfers, balancesByAccount, chainProblems, fullHistory, prng } from '../helpers/ledger.js';

/*
 * "Kill the relay with SIGKILL in the middle of a transfer load, restart it: every
 * transfer that had been acknowledged is there, ledger verify and audit verify pass." A real
 * `bank-relay start` process (built by `npm test`'s pretest), real sockets, real LevelDB.
 */

const ADMIN_PASSWORD = 'crash-test-admin-password';
const CUSTOMERS = 10;
// SIGKILL this long into the load, once at least MIN_ACKS_BEFORE_KILL transfers were
// acknowledged (so a slow machine still kills mid-load rather than before it)...
const KILL_AFTER_MS = 1_500;
const MIN_ACKS_BEFORE_KILL = 50;
const KILL_AFTER_ACKS = 1_500; // ...or as soon as this many were acknowledged
const MAX_PER_CONNECTION = 1_000; // a bound on the load that the kill always comes before



interface Customer {
  username: string;
  password: string;
  account: string;
  opening: number;
}

interface Attempt {
  id: string;
  from: string;
  to: string;
  amount: number;
  memo?: string;
}

describe('SIGKILL in the middle of a transfer load', () => {
  const clients: BankClient[] = [];
  let root: Awaited<ReturnType<typeof tempRoot>> | undefined;
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    killStrays();
    await root?.remove();
  });

  // Two relay processes, ~20 scrypt hashes at the CLI's real cost and three CLI runs: more
  // room than the default 30 s on a busy 2-core machine (a bound, not a timing assertion).
  it('loses no acknowledged transfer and leaves no half transfer; both verifiers pass after a restart', { timeout: 90_000 }, async () => {
    root = await tempRoot('bank-crash-');
    const dataDir = root.path('data');
    const env = { BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const args = [...(await loadTestConfig(root.root)), '--data', dataDir, ...EPHEMERAL];

    // --- First life: customers, then load, then SIGKILL.
    const first = await startRelayProcess(args, env);
    const admin = await connectTo(first, 'tcp');
    clients.push(admin);
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const customers: Customer[] = await Promise.all(
      Array.from({ length: CUSTOMERS }, async (_, i) => {
        const username = `crash_${i}`;
        const password = `${username} password`;
        const opening = 100_000 + i * 10_000;
        const r = await admin.request('admin.user.create', { username, password, displayName: `Crash ${i}`, role: 'user', openingDeposit: opening });
        return { username, password, account: r.accounts[0]!.account, opening };
      }),
    );
    const loaders = await Promise.all(
      customers.map(async (customer, i) => {
        const client = await connectTo(first, i % 2 === 0 ? 'tcp' : 'ws');
        clients.push(client);
        const { token } = await client.request('auth.login', { username: customer.username, password: customer.password });
        return { client, customer, token };
      }),
    );

    const acked = new Map<string, { attempt: Attempt; transfer: Transfer; balance: number }>();
    const refused = new Map<string, Attempt>();
    /** Sent, but the connection died before the answer: durable or not, nobody knows yet. */
    const inDoubt = new Map<string, Attempt>();
    const otherCodes: string[] = [];
    const rnd = prng(12345);
    const started = Date.now();
    const killed = (async () => {
      while ((Date.now() - started < KILL_AFTER_MS || acked.size < MIN_ACKS_BEFORE_KILL) && acked.size < KILL_AFTER_ACKS) await new Promise((r) => setTimeout(r, 10));
      first.child.kill('SIGKILL');
      return first.exited;
    })();
    await Promise.all(
      loaders.flatMap(({ client, customer }, index) => {
        let budget = MAX_PER_CONNECTION;
        const lane = async () => {
          while (!client.closed && budget-- > 0) {
            const payee = customers[(index + rnd.int(1, CUSTOMERS - 1)) % CUSTOMERS]!;
            // One in ten asks for more than anyone holds: INSUFFICIENT_FUNDS.
            const amount = rnd.chance(0.1) ? rnd.int(500_000, 600_000) : rnd.int(1, 3_000);
            const attempt: Attempt = { id: randomUUID(), from: customer.account, to: payee.account, amount, ...(rnd.chance(0.25) && { memo: `crash memo ${rnd.int(0, 99)}` }) };
            const { from: _from, id, ...rest } = attempt;
            let r;
            try {
              r = await client.call('transfer.create', { transferId: id, ...rest });
            } catch {
              return; // closed between the loop check and the send: never sent
            }
            if (r.ok) acked.set(id, { attempt, ...(r.result as { transfer: Transfer; balance: number }) });
            else if (r.error.code === 'INSUFFICIENT_FUNDS') refused.set(id, attempt);
            else if (r.error.code === 'DISCONNECTED') inDoubt.set(id, attempt);
            else otherCodes.push(r.error.code);
          }
        };
        return [lane(), lane(), lane()];
      }),
    );
    expect(await killed).toBeNull(); // ended by the signal, not an exit code
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(otherCodes).toEqual([]);
    expect(refused.size, 'some requests were refused (INSUFFICIENT_FUNDS)').toBeGreaterThan(0);
    expect(acked.size, 'the load acknowledged transfers before the kill').toBeGreaterThanOrEqual(MIN_ACKS_BEFORE_KILL);
    expect(inDoubt.size, 'requests were in flight when the relay died').toBeGreaterThan(0);
    for (const c of clients.splice(0)) c.close();

    // --- Second life on the same directory.
    const second = await startRelayProcess(args, env);
    const admin2 = await connectTo(second, 'ws');
    clients.push(admin2);
    await admin2.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const ledgerVerdict = await admin2.request('admin.ledger.verify', {});
    expect(ledgerVerdict).toMatchObject({ ok: true, sum: 0, accounts: CUSTOMERS + 1 });
    expect(await admin2.request('admin.audit.verify', {})).toMatchObject({ ok: true });

    // Every acknowledged transfer is there, exactly as acknowledged; nothing refused is; what
    // was in doubt is either wholly there or wholly absent.
    const listed = await allTransfers(admin2, undefined, 200);
    expect(new Set(listed.map((x) => x.id)).size).toBe(listed.length);
    const deposits = listed.filter((x) => x.from === CASH_ACCOUNT);
    expect(deposits.map((d) => [d.to, d.amount]).sort()).toEqual(customers.map((c) => [c.account, c.opening]).sort());
    const listedById = new Map(listed.filter((x) => x.from !== CASH_ACCOUNT).map((x) => [x.id, x]));
    for (const [id, a] of acked) expect(listedById.get(id), `acknowledged ${id} is missing after the restart`).toEqual(a.transfer);
    const durableInDoubt = new Map<string, Attempt>();
    for (const [id, x] of listedById) {
      if (acked.has(id)) continue;
      expect(refused.has(id), `refused ${id} was stored`).toBe(false);
      const attempt = inDoubt.get(id);
      expect(attempt, `${id} is stored but was never sent`).toBeDefined();
      expect(x).toMatchObject({ from: attempt!.from, to: attempt!.to, amount: attempt!.amount, status: 'posted' });
      expect(x.memo).toBe(attempt!.memo);
      durableInDoubt.set(id, attempt!);
    }
    expect(ledgerVerdict.transfers).toBe(CUSTOMERS + acked.size + durableInDoubt.size);

    // Balances: opening + acknowledged in − out, plus whatever in-doubt transfers proved durable.
    const expected = new Map(customers.map((c) => [c.account, c.opening]));
    for (const a of [...[...acked.values()].map((x) => x.attempt), ...durableInDoubt.values()]) {
      expected.set(a.from, expected.get(a.from)! - a.amount);
      expected.set(a.to, expected.get(a.to)! + a.amount);
    }
    const balances = await balancesByAccount(admin2);
    for (const c of customers) {
      expect(balances.get(c.account), c.username).toBe(expected.get(c.account));
      expect(balances.get(c.account)!).toBeGreaterThanOrEqual(0);
    }

    // Each customer's own history: one unbroken chain from 0, holding each of their stored
    // transfers exactly once (both legs of every transfer, since both sides are checked).
    // Sessions are durable at sign-in, so the first life's tokens resume on the new process.
    const customerClients = await Promise.all(
      loaders.map(async ({ customer, token }, i) => {
        const client = await connectTo(second, i % 2 === 0 ? 'ws' : 'tcp');
        clients.push(client);
        const resumed = await client.request('auth.resume', { token });
        expect(resumed.user.username).toBe(customer.username);
        expect(resumed.accounts.map((a) => [a.account, a.balance])).toEqual([[customer.account, expected.get(customer.account)]]);
        return client;
      }),
    );
    const stored = [...[...acked.values()].map((x) => x.attempt), ...durableInDoubt.values()];
    for (const [i, c] of customers.entries()) {
      const history = await fullHistory(customerClients[i]!, undefined, 100);
      expect(chainProblems(history, true), c.username).toEqual([]);
      expect(history[0]?.balanceAfter ?? 0).toBe(expected.get(c.account));
      const count = new Map<string, number>();
      for (const e of history) count.set(e.transferId, (count.get(e.transferId) ?? 0) + 1);
      const mine = stored.filter((a) => a.from === c.account || a.to === c.account);
      expect(history).toHaveLength(1 + mine.length);
      for (const a of mine) expect(count.get(a.id), `${a.id} in ${c.username}'s history`).toBe(1);
      for (const [id, a] of acked) if (a.attempt.from === c.account) expect(history.find((e) => e.transferId === id)).toMatchObject({ amount: -a.attempt.amount, balanceAfter: a.balance });
    }

    // Retrying what was in doubt, with the same ids, settles each exactly once.
    for (const [id, a] of inDoubt) {
      const payer = customerClients[customers.findIndex((c) => c.account === a.from)]!;
      const r = await payer.call('transfer.create', { transferId: id, to: a.to, amount: a.amount, ...(a.memo !== undefined && { memo: a.memo }) });
      if (durableInDoubt.has(id)) expect(r.ok && r.result.transfer).toEqual(listedById.get(id));
      else expect(r.ok || (!r.ok && r.error.code === 'INSUFFICIENT_FUNDS'), JSON.stringify(r)).toBe(true);
    }
    const after = await admin2.request('admin.ledger.verify', {});
    expect(after).toMatchObject({ ok: true, sum: 0 });
    expect(after.transfers).toBeLessThanOrEqual(CUSTOMERS + acked.size + inDoubt.size);
    expect(await admin2.request('admin.audit.verify', {})).toMatchObject({ ok: true });
    for (const c of clients.splice(0)) c.close();

    // --- Offline checks once the relay has stopped cleanly.
    expect(await second.stop('SIGTERM')).toBe(0);
    const audit = await runCli(['audit', 'verify', '--data', dataDir]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/audit chain OK/);
    const ledger = await runCli(['ledger', 'verify', '--data', dataDir]);
    expect(ledger.code, ledger.stdout + ledger.stderr).toBe(0);
    expect(ledger.stdout).toMatch(/ledger OK/);
    // Not a vacuous OK: one balance changed behind the ledger's back is caught.
    const bank = await BankDb.open(dataDir);
    const tampered = (await bank.accounts.get(customers[0]!.account)) as AccountState;
    await bank.accounts.put(tampered.account, { ...tampered, balance: tampered.balance + 1 });
    await bank.close();
    const broken = await runCli(['ledger', 'verify', '--data', dataDir]);
    expect(broken.code, broken.stdout + broken.stderr).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN/);
    expect(broken.stdout).toContain(tampered.account);
  });

  // A mistyped --data must not be created empty and reported "ledger OK".
  it('offline ledger verify refuses a directory that holds no bank database, and creates nothing', async () => {
    const dir = await tempRoot('bank-crash-typo-');
    try {
      const missing = dir.path('no-such-data');
      const r = await runCli(['ledger', 'verify', '--data', missing]);
      expect(r.code, r.stdout + r.stderr).not.toBe(0);
      expect(r.stdout).not.toMatch(/ledger OK/);
      expect(existsSync(missing), 'the mistyped directory was created').toBe(false);
    } finally {
      await dir.remove();
    }
  });
});
