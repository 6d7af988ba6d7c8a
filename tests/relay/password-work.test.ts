import { describe, expect, it } from 'vitest';
import { PasswordWork, RELAY_ITSELF } from '../../relay/auth/password-work.js';

/*
 * The password-work scheduler on its own, with jobs the test finishes by hand: which job runs
 * when, and what is refused or dropped.
 */

interface Job {
  name: string;
  started: boolean;
  finish(): void;
}

function harness(limits = { slots: 2, perAddress: 4, maxWaiting: 100 }) {
  const work = new PasswordWork(limits);
  const order: string[] = [];
  const jobs = new Map<string, Job>();
  const outcomes = new Map<string, string>();
  function submit(name: string, who: { address: string; isOpen: boolean }): Promise<void> {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const job: Job = { name, started: false, finish };
    jobs.set(name, job);
    return work
      .run(who, async () => {
        job.started = true;
        order.push(name);
        await done;
      })
      .then(
        () => void outcomes.set(name, 'ok'),
        (err: { code?: string }) => void outcomes.set(name, err.code ?? 'error'),
      );
  }
  /** Finishes the running jobs one at a time, oldest first, until `name` has started. */
  async function finishUntilStarted(name: string): Promise<void> {
    for (let i = 0; i < 1000 && !jobs.get(name)!.started && outcomes.get(name) === undefined; i++) {
      const running = order.find((n) => jobs.get(n)!.started && outcomes.get(n) === undefined);
      running && jobs.get(running)!.finish();
      await new Promise((r) => setImmediate(r));
    }
  }
  return { work, order, jobs, outcomes, submit, finishUntilStarted };
}

const open = (address: string) => ({ address, isOpen: true });

describe('password work', () => {
  it('serves waiting addresses in turn: a flood from one address delays another by one hash, not by the flood', async () => {
    const h = harness({ slots: 2, perAddress: 50, maxWaiting: 100 });
    for (let i = 0; i < 40; i++) void h.submit(`flood${i}`, open('10.0.0.1'));
    void h.submit('honest', open('10.0.0.2'));
    await h.finishUntilStarted('honest');
    // Two were running when it came and the flood's address was first in turn: it runs after
    // those two and one more of the flood's, whatever the flood's length.
    expect(h.order.indexOf('honest')).toBe(3);
  });

  it('refuses past the per-address cap and past the relay-wide queue, at once and without hashing', async () => {
    const h = harness({ slots: 1, perAddress: 3, maxWaiting: 4 });
    const done = [1, 2, 3, 4].map((i) => h.submit(`a${i}`, open('10.0.0.1')));
    await done[3];
    expect(h.outcomes.get('a4')).toBe('RATE_LIMITED');
    for (const b of ['b1', 'b2', 'b3']) void h.submit(b, open('10.0.0.2'));
    // Running 1 + waiting 2 (a) + 2 (b) = the queue is full: the next address is refused too.
    void h.submit('c1', open('10.0.0.3'));
    await new Promise((r) => setImmediate(r));
    expect(h.outcomes.get('c1')).toBe('RATE_LIMITED');
    // The relay's own work is never capped.
    void h.submit('own', RELAY_ITSELF);
    await new Promise((r) => setImmediate(r));
    expect(h.outcomes.get('own')).toBeUndefined();
    await h.finishUntilStarted('own');
    expect(h.jobs.get('own')!.started).toBe(true);
    expect(h.work.counts.hashed).toBe(h.order.length);
  });

  it('drops work whose connection closed while it waited, and gives its turn to the next', async () => {
    const h = harness({ slots: 1, perAddress: 10, maxWaiting: 10 });
    const leaving = { address: '10.0.0.1', isOpen: true };
    void h.submit('first', open('10.0.0.9'));
    const gone = [1, 2, 3].map((i) => h.submit(`gone${i}`, leaving));
    void h.submit('stays', open('10.0.0.2'));
    leaving.isOpen = false;
    await h.finishUntilStarted('stays');
    h.jobs.get('stays')!.finish();
    await Promise.all(gone);
    expect(h.order).toEqual(['first', 'stays']);
    expect([1, 2, 3].map((i) => h.outcomes.get(`gone${i}`))).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(h.work.counts.dropped).toBe(3);
    expect(h.work.heldBy('10.0.0.1')).toBe(0);
  });
});
