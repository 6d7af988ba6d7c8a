import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { Transfer } from '../../common/schemas/models.js';
import { connectTo, EPHEMERAL, killStrays, loadTestConfig, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';
import { allTransfers, balancesByAccount, prng } from '../helpers/ledger.js';

/*
 * Crash consistency as a loop: N rounds on one data directory (BANK_CRASH_ROUNDS;
 * small in `npm test`, large in `npm run soak`). Each round starts the relay, checks everything
 * the earlier rounds were told, runs transfers over TCP and WebSocket and SIGKILLs the relay at
 * a random moment of the load. After every restart: each acknowledged transfer is there exactly
 * once and as acknowledged, nothing refused is, an in-doubt one is wholly there or wholly
 * absent, balances follow from what is stored, and `ledger verify` / `audit verify` pass.
 */
const ROUNDS = Number(process.env.BANK_CRASH_ROUNDS ?? 0) || 3;
const SEED = Number(process.env.BANK_CRASH_SEED ?? 0) || 20261201;
const ADMIN_PASSWORD = 'crash-rounds-admin-password';
const CUSTOMERS = 6;
const LANES = 3;
/** The kill lands this long after the load starts, picked per round. */
const KILL_WINDOW_MS: [number, number] = [30, 900];

interface Customer {
  username: string;
  password: string;
  account: string;
  opening: number;
  token?: string;
}

interface Attempt {
  id: string;
  from: string;
  to: string;
  amount: number;
}


describe(`SIGKILL at a random moment, ${ROUNDS} rounds on one data directory`, () => {
  const clients: BankClient[] = [];
  let root: Awaited<ReturnType<typeof tempRoot>> | undefined;
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    killStrays();
    await root?.remove();
  });

  it('survives every round: nothing acknowledged lost, nothing half applied, both verifiers pass', { timeout: 60_000 + ROUNDS * 30_000 }, async () => {
    root = await tempRoot('bank-crash-rounds-');
    const dataDir = root.path('data');
    const args = [...(await loadTestConfig(root.root)), '--data', dataDir, ...EPHEMERAL, '--request-log', 'off'];
    const env = { BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const rnd = prng(SEED);
    let customers: Customer[] = [];
    const acked = new Map<string, { attempt: Attempt; transfer: Transfer }>();
    const refused = new Set<string>();
    const inDoubt = new Map<string, Attempt>();
    let survived = 0;

    for (let round = 1; round <= ROUNDS + 1; round++) {
      const relay = await startRelayProcess(args, env);
      const admin = await connectTo(relay, round % 2 === 0 ? 'ws' : 'tcp');
      clients.push(admin);
      await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });

      if (round === 1) {
        customers = await Promise.all(
          Array.from({ length: CUSTOMERS }, async (_, i) => {
            const username = `round_${i}`;
            const password = `${username} password`;
            const opening = 50_000 + i * 5_000;
            const r = await admin.request('admin.user.create', { username, password, displayName: `Round ${i}`, role: 'user', openingDeposit: opening });
            return { username, password, account: r.accounts[0]!.account, opening };
          }),
        );
      } else {
        // --- What the earlier lives were told is what this one holds.
        expect(await admin.request('admin.ledger.verify', {}), `round ${round}: ledger verify`).toMatchObject({ ok: true, sum: 0 });
        expect(await admin.request('admin.audit.verify', {}), `round ${round}: audit verify`).toMatchObject({ ok: true });
        const listed = (await allTransfers(admin, undefined, 500)).filter((x) => x.from !== CASH_ACCOUNT);
        const byId = new Map(listed.map((x) => [x.id, x]));
        expect(byId.size, 'a transfer id stored twice').toBe(listed.length);
        for (const [id, a] of acked) expect(byId.get(id), `round ${round}: acknowledged ${id} missing`).toEqual(a.transfer);
        for (const [id, x] of byId) {
          if (acked.has(id)) continue;
          expect(refused.has(id), `refused ${id} was stored`).toBe(false);
          const attempt = inDoubt.get(id);
          expect(attempt, `${id} is stored but was never sent`).toBeDefined();
          expect(x).toMatchObject({ from: attempt!.from, to: attempt!.to, amount: attempt!.amount, status: 'posted' });
          // Settled now: it is durable, so it counts like an acknowledged one from here on.
          acked.set(id, { attempt: attempt!, transfer: x });
          inDoubt.delete(id);
        }
        // Whatever was in doubt and is absent now was never applied: it can be forgotten.
        inDoubt.clear();
        const expected = new Map(customers.map((c) => [c.account, c.opening]));
        for (const { attempt: a } of acked.values()) {
          expected.set(a.from, expected.get(a.from)! - a.amount);
          expected.set(a.to, expected.get(a.to)! + a.amount);
        }
        const balances = await balancesByAccount(admin);
        for (const c of customers) {
          expect(balances.get(c.account), `round ${round}: ${c.username}'s balance`).toBe(expected.get(c.account));
          expect(balances.get(c.account)!).toBeGreaterThanOrEqual(0);
        }
        survived = round - 1;
      }
      if (round === ROUNDS + 1) {
        expect(await relay.stop('SIGTERM')).toBe(0);
        break;
      }

      // --- Load over both transports; sessions from earlier lives resume.
      const loaders = await Promise.all(
        customers.map(async (customer, i) => {
          const client = await connectTo(relay, (i + round) % 2 === 0 ? 'tcp' : 'ws');
          clients.push(client);
          const resumed = customer.token ? await client.call('auth.resume', { token: customer.token }) : undefined;
          if (!resumed?.ok) customer.token = (await client.request('auth.login', { username: customer.username, password: customer.password })).token;
          return { client, customer, index: i };
        }),
      );
      const killAt = rnd.int(...KILL_WINDOW_MS);
      const started = Date.now();
      const killed = (async () => {
        while (Date.now() - started < killAt) await new Promise((r) => setTimeout(r, 5));
        relay.child.kill('SIGKILL');
        return relay.exited;
      })();
      const otherCodes: string[] = [];
      await Promise.all(
        loaders.flatMap(({ client, customer, index }) =>
          Array.from({ length: LANES }, async () => {
            while (!client.closed) {
              const payee = customers[(index + rnd.int(1, CUSTOMERS - 1)) % CUSTOMERS]!;
              const amount = rnd.chance(0.1) ? rnd.int(1_000_000, 2_000_000) : rnd.int(1, 500);
              const attempt: Attempt = { id: randomUUID(), from: customer.account, to: payee.account, amount };
              let r;
              try {
                r = await client.call('transfer.create', { transferId: attempt.id, to: attempt.to, amount });
              } catch {
                return; // closed before it was sent
              }
              if (r.ok) acked.set(attempt.id, { attempt, transfer: (r.result as { transfer: Transfer }).transfer });
              else if (r.error.code === 'INSUFFICIENT_FUNDS') refused.add(attempt.id);
              else if (r.error.code === 'DISCONNECTED') inDoubt.set(attempt.id, attempt);
              else otherCodes.push(r.error.code);
            }
          }),
        ),
      );
      expect(await killed).toBeNull();
      expect(relay.child.signalCode).toBe('SIGKILL');
      expect(otherCodes, `round ${round}: unexpected refusals`).toEqual([]);
      for (const c of clients.splice(0)) c.close();
    }

    expect(survived).toBe(ROUNDS);
    expect(acked.size, 'the rounds acknowledged transfers').toBeGreaterThan(0);
    // Offline, after the clean stop: both verifiers agree.
    const audit = await runCli(['audit', 'verify', '--data', dataDir]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const ledger = await runCli(['ledger', 'verify', '--data', dataDir]);
    expect(ledger.code, ledger.stdout + ledger.stderr).toBe(0);
    if (process.env.BANK_CRASH_ROUNDS) console.log(`crash rounds survived: ${survived}; transfers acknowledged: ${acked.size}; refused: ${refused.size}`);
  });
});
