import { randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { Transfer } from '../../common/schemas/models.js';
import { IDENTITY_FILE } from '../../relay/identity.js';
import { connectTo, EPHEMERAL, killStrays, loadTestConfig, runCli, startRelayProcess, tempRoot, type RelayProcess } from '../helpers/cli.js';
import { allTransfers, balancesByAccount, prng } from '../helpers/ledger.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/*
 * "Kill relay A with SIGKILL under load: its clients resume on relay B with their
 * tokens, no acknowledged transfer is lost, ledger verify and audit verify pass." Two real
 * `bank-relay start --store postgres://…` processes (built by `npm test`'s pretest) sharing one
 * real PostgreSQL and one identity key, as behind a load balancer.
 */

const ADMIN_PASSWORD = 'failover-admin-password';
const CUSTOMERS = 8;
const OPENING = 200_000;
const KILL_AFTER_MS = 1_500;
const MIN_ACKS_BEFORE_KILL = 50;
const MAX_PER_LANE = 400;

interface Attempt {
  id: string;
  from: string;
  to: string;
  amount: number;
}

describe('relay A killed under load, its clients carry on at relay B', () => {
  let server: TestPostgres | undefined;
  let root: Awaited<ReturnType<typeof tempRoot>> | undefined;
  const clients: BankClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    killStrays();
    await server?.stop();
    await root?.remove();
  });

  it('resumes every session on B, loses no acknowledged transfer, settles what was in doubt once, and both verifiers pass', { timeout: 150_000 }, async () => {
    server = await startPostgres();
    const url = await server.createDatabase('failover');
    root = await tempRoot('bank-failover-');
    const env = { BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const common = [...(await loadTestConfig(root.root)), '--store', url, ...EPHEMERAL];
    const relayA = await startRelayProcess([...common, '--data', root.path('a')], env);
    // Relay B serves the same bank with the same identity key (clients pin one fingerprint).
    await mkdir(root.path('b'), { mode: 0o700 });
    await copyFile(path.join(root.path('a'), IDENTITY_FILE), path.join(root.path('b'), IDENTITY_FILE));
    await chmod(path.join(root.path('b'), IDENTITY_FILE), 0o600);
    const relayB = await startRelayProcess([...common, '--data', root.path('b')], env);
    expect(relayB.fingerprint).toBe(relayA.fingerprint);

    const signedIn = async (relay: RelayProcess, kind: 'tcp' | 'ws', username: string, password: string) => {
      const client = await connectTo(relay, kind);
      clients.push(client);
      const { token } = await client.request('auth.login', { username, password });
      return { client, token };
    };
    const { client: admin } = await signedIn(relayA, 'tcp', 'admin', ADMIN_PASSWORD);
    const customers = await Promise.all(
      Array.from({ length: CUSTOMERS }, async (_, i) => {
        const username = `failover_${i}`;
        const password = `${username} password`;
        const r = await admin.request('admin.user.create', { username, password, displayName: `Failover ${i}`, role: 'user', openingDeposit: OPENING });
        return { username, password, account: r.accounts[0]!.account };
      }),
    );
    // Every customer on relay A, and half of them on relay B as well, all sending at once.
    const onA = await Promise.all(customers.map(async (c, i) => ({ customer: c, ...(await signedIn(relayA, i % 2 === 0 ? 'tcp' : 'ws', c.username, c.password)) })));
    const onB = await Promise.all(customers.filter((_, i) => i % 2 === 0).map(async (c) => ({ customer: c, ...(await signedIn(relayB, 'ws', c.username, c.password)) })));

    const acked = new Map<string, { attempt: Attempt; transfer: Transfer }>();
    const refused = new Set<string>();
    const inDoubt = new Map<string, Attempt>();
    const otherCodes: string[] = [];
    const rnd = prng(808);
    const started = Date.now();
    const killed = (async () => {
      while (Date.now() - started < KILL_AFTER_MS || acked.size < MIN_ACKS_BEFORE_KILL) await new Promise((r) => setTimeout(r, 10));
      relayA.child.kill('SIGKILL');
      return relayA.exited;
    })();
    let aDown = false;
    void killed.then(() => (aDown = true));
    const lane = async (client: BankClient, from: string, onRelayB: boolean) => {
      for (let n = 0; n < MAX_PER_LANE && !client.closed; n++) {
        // Relay B's lanes run on until relay A is gone, so the kill comes under load on both.
        if (onRelayB && aDown) return;
        const payee = customers[rnd.int(0, CUSTOMERS - 1)]!;
        if (payee.account === from) continue;
        const attempt: Attempt = { id: randomUUID(), from, to: payee.account, amount: rnd.int(1, 2_000) };
        let r;
        try {
          r = await client.call('transfer.create', { transferId: attempt.id, to: attempt.to, amount: attempt.amount });
        } catch {
          return;
        }
        if (r.ok) acked.set(attempt.id, { attempt, transfer: (r.result as { transfer: Transfer }).transfer });
        else if (r.error.code === 'INSUFFICIENT_FUNDS') refused.add(attempt.id);
        else if (r.error.code === 'DISCONNECTED') inDoubt.set(attempt.id, attempt);
        else otherCodes.push(r.error.code);
      }
    };
    await Promise.all([
      ...onA.flatMap(({ client, customer }) => [lane(client, customer.account, false), lane(client, customer.account, false)]),
      ...onB.map(({ client, customer }) => lane(client, customer.account, true)),
    ]);
    expect(await killed).toBeNull();
    expect(relayA.child.signalCode).toBe('SIGKILL');
    expect(otherCodes).toEqual([]);
    expect(acked.size).toBeGreaterThanOrEqual(MIN_ACKS_BEFORE_KILL);
    expect(inDoubt.size, 'requests were in flight when relay A died').toBeGreaterThan(0);

    // Relay A's clients go to relay B and resume with the tokens relay A gave them.
    const moved = await Promise.all(
      onA.map(async ({ customer, token }, i) => {
        const client = await connectTo(relayB, i % 2 === 0 ? 'ws' : 'tcp');
        clients.push(client);
        const resumed = await client.request('auth.resume', { token });
        expect(resumed.user.username).toBe(customer.username);
        return { customer, client };
      }),
    );
    // What was in doubt, retried on B with the same ids: applied once, or refused by the rules.
    for (const [id, a] of inDoubt) {
      const payer = moved.find((m) => m.customer.account === a.from)!.client;
      const r = await payer.call('transfer.create', { transferId: id, to: a.to, amount: a.amount });
      if (r.ok) acked.set(id, { attempt: a, transfer: (r.result as { transfer: Transfer }).transfer });
      else expect(r.error.code).toBe('INSUFFICIENT_FUNDS');
    }

    const { client: adminB } = await signedIn(relayB, 'tcp', 'admin', ADMIN_PASSWORD);
    const listed = (await allTransfers(adminB)).filter((t) => t.from !== CASH_ACCOUNT);
    expect(new Set(listed.map((t) => t.id)).size).toBe(listed.length);
    const byId = new Map(listed.map((t) => [t.id, t]));
    for (const [id, a] of acked) expect(byId.get(id), `acknowledged ${id}`).toEqual(a.transfer);
    for (const id of refused) expect(byId.has(id), `refused ${id} was stored`).toBe(false);
    for (const [id] of byId) expect(acked.has(id), `${id} is stored but was never acknowledged, even after its retry`).toBe(true);
    // Balances follow from what is stored, and none is negative.
    const expected = new Map(customers.map((c) => [c.account, OPENING]));
    for (const t of listed) {
      expected.set(t.from, expected.get(t.from)! - t.amount);
      expected.set(t.to, expected.get(t.to)! + t.amount);
    }
    const balances = await balancesByAccount(adminB);
    for (const c of customers) {
      expect(balances.get(c.account), c.username).toBe(expected.get(c.account));
      expect(balances.get(c.account)!).toBeGreaterThanOrEqual(0);
    }
    expect(await adminB.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0, accounts: CUSTOMERS + 1, transfers: CUSTOMERS + listed.length });
    expect(await adminB.request('admin.audit.verify', {})).toMatchObject({ ok: true });
    for (const c of clients) c.close();
    await relayB.stop('SIGTERM');

    // The operator's offline checks, on the database itself.
    const ledger = await runCli(['ledger', 'verify', '--store', url]);
    expect(ledger.code, ledger.stdout + ledger.stderr).toBe(0);
    expect(ledger.stdout).toContain(`ledger OK: ${CUSTOMERS + 1} accounts, ${CUSTOMERS + listed.length} transfers, balances sum to 0`);
    const audit = await runCli(['audit', 'verify', '--store', url]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^audit chain OK: \d+ entries/);
  });
});
