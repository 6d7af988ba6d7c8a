import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addUser, connect, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { summarize } from '../../relay/bench/percentiles.js';
import type { BankClient } from '../../common/client/bank-client.js';

/*
 * A guessing flood from one address, pipelined over several connections with no request rate
 * to slow it, while an honest customer signs in from another address. Password work is the
 * resource under attack: the flood gets only its failure budget of hashes, and the honest
 * sign-in is never queued behind it. A connection that goes on guessing after 100 refusals in
 * a row is closed; the attacker opens another. `npm run soak` sends 10,000 guesses (BANK_GUESSES).
 */

const GUESSES = Number(process.env.BANK_GUESSES ?? 1000);
const ATTACK_CONNECTIONS = 4;
const HONEST_PASSWORD = 'the honest customer password';

describe(`a flood of ${GUESSES} pipelined sign-in guesses from one address`, () => {
  let t: TestRelay;
  const clients: BankClient[] = [];
  beforeAll(async () => {
    // The real scrypt cost, so the honest customer's wait is what it would be.
    t = await startTestRelay({ scryptLog2N: 15, requestRate: { perSecond: 0, burst: 1 }, maxConnectionsPerIp: 0 });
    await addUser(t, 'honest', HONEST_PASSWORD);
    await addUser(t, 'target', 'a password nobody guesses');
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  it('gets at most its failure budget of password checks, and an honest sign-in from another address is served throughout', { timeout: 300_000 }, async () => {
    const work = t.relay.context.users.passwordWork;
    const hashedBefore = work.counts.hashed;
    const attackers = await Promise.all(Array.from({ length: ATTACK_CONNECTIONS }, () => connect(t, 'tcp')));
    clients.push(...attackers);
    const honest = await connect(t, 'tcp', { from: '127.0.0.2' });
    clients.push(honest);

    const codes = new Map<string, number>();
    let attackOver = false;
    let reconnects = 0;
    // Each connection sends its share in waves of pipelined guesses, the next wave as soon as the
    // last is answered, on a new connection when the relay closed the last one.
    const WAVE = 25;
    const share = Math.ceil(GUESSES / ATTACK_CONNECTIONS);
    const attack = Promise.all(
      attackers.map(async (first, k) => {
        let c = first;
        let closed = false;
        void c.closedPromise().then(() => (closed = true));
        for (let sent = 0; sent < share; sent += WAVE) {
          if (closed) {
            c = await connect(t, 'tcp');
            clients.push(c);
            reconnects++;
            closed = false;
            void c.closedPromise().then(() => (closed = true));
          }
          await Promise.all(
            Array.from({ length: Math.min(WAVE, share - sent) }, (_, j) => {
              const i = sent + j;
              // A mix of usernames: a real one guessed again and again (it locks), and unknown ones.
              // (Not the honest customer's: guesses at a name lock it, by design, whoever sends them.)
              const username = i % 2 === 0 ? 'target' : `nobody_${k}_${i}`;
              return c.call('auth.login', { username, password: `guess ${randomUUID()}` }).then((r) => {
                const code = r.ok ? 'ok' : r.error.code;
                codes.set(code, (codes.get(code) ?? 0) + 1);
              });
            }),
          );
        }
      }),
    ).finally(() => (attackOver = true));

    const waits: number[] = [];
    while (!attackOver || waits.length < 5) {
      const sent = performance.now();
      const r = await honest.call('auth.login', { username: 'honest', password: HONEST_PASSWORD });
      expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
      waits.push(performance.now() - sent);
    }
    await attack;

    const attackHashes = work.counts.hashed - hashedBefore - waits.length;
    const budget = t.relay.context.config.loginThrottle.maxFailuresPerIp;
    console.log(`password flood: ${GUESSES} guesses → ${attackHashes} password checks (answers ${JSON.stringify(Object.fromEntries(codes))}, connections closed on the attacker ${reconnects} times); honest sign-ins from another address meanwhile: ${JSON.stringify(summarize(waits))} ms`);
    expect(attackHashes).toBeLessThanOrEqual(budget);
    expect(attackHashes).toBeLessThanOrEqual(25);
    // Every guess was answered (a wrong password within the budget, refused past it, nothing let
    // in), or cut off unread with a connection the relay closed for going on past its limit.
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(share * ATTACK_CONNECTIONS);
    expect(codes.get('ok')).toBeUndefined();
    expect(codes.get('UNAUTHENTICATED') ?? 0).toBeLessThanOrEqual(budget);
    expect([...codes.keys()].every((c) => ['UNAUTHENTICATED', 'RATE_LIMITED', 'LOCKED_OUT', 'DISCONNECTED'].includes(c))).toBe(true);
    expect(reconnects).toBeGreaterThan(0);
    // Nothing of the flood is left holding password work.
    expect(work.heldBy('127.0.0.1')).toBe(0);
  });
});
