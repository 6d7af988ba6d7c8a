import { BankError } from '../../common/errors.js';

/** Who asks for password work: the network address, and whether anyone still waits for the answer. */
export interface PasswordRequester {
  readonly address: string;
  readonly isOpen: boolean;
}

/** Work the relay asks for itself (the bootstrap administrator, the CLI): not capped per address. */
export const RELAY_ITSELF: PasswordRequester = { address: '', isOpen: true };

export interface PasswordWorkLimits {
  /** Hashes run at once (scrypt shares libuv's thread pool with LevelDB). */
  slots: number;
  /** Hashes one address may have waiting or running. */
  perAddress: number;
  /** Hashes waiting on the whole relay; past that, new work is refused at once. */
  maxWaiting: number;
}

interface Waiter {
  who: PasswordRequester;
  go: () => void;
  drop: () => void;
}

/**
 * Password hashing as a bounded, fair resource. scrypt costs tens of milliseconds of a thread
 * that LevelDB's reads and writes share, so at most `slots` hashes run at once. Waiting work is
 * queued per address and served round-robin across addresses: a flood from one address delays
 * another address's sign-in by at most one hash per other waiting address, not by the length of
 * the flood. Each address may hold only `perAddress` hashes, the relay `maxWaiting` waiting ones;
 * work whose connection closed while it waited is dropped unhashed.
 */
export class PasswordWork {
  private running = 0;
  private waiting = 0;
  /** Waiting work by address; the map's order is the round-robin order (served addresses go to the back). */
  private readonly queues = new Map<string, Waiter[]>();
  private readonly held = new Map<string, number>();
  /** Hashes run, and queued ones dropped because their connection closed (for the metrics and the tests). */
  readonly counts = { hashed: 0, dropped: 0 };

  constructor(private readonly limits: PasswordWorkLimits) {}

  async run<T>(who: PasswordRequester, job: () => Promise<T>): Promise<T> {
    const capped = who !== RELAY_ITSELF;
    const held = this.held.get(who.address) ?? 0;
    if (capped && held >= this.limits.perAddress) {
      throw new BankError('RATE_LIMITED', 'too many sign-ins in progress from this network address; wait for their answers');
    }
    if (capped && this.running >= this.limits.slots && this.waiting >= this.limits.maxWaiting) {
      throw new BankError('RATE_LIMITED', 'the relay is busy checking passwords; try again in a few seconds');
    }
    this.held.set(who.address, held + 1);
    try {
      await this.acquire(who);
      try {
        this.counts.hashed++;
        return await job();
      } finally {
        this.release();
      }
    } finally {
      const left = this.held.get(who.address)! - 1;
      if (left === 0) this.held.delete(who.address);
      else this.held.set(who.address, left);
    }
  }

  /** Hashes waiting or running for this address. */
  heldBy(address: string): number {
    return this.held.get(address) ?? 0;
  }

  private acquire(who: PasswordRequester): Promise<void> {
    if (!who.isOpen) return Promise.reject(gone());
    if (this.running < this.limits.slots) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((go, fail) => {
      let queue = this.queues.get(who.address);
      if (!queue) this.queues.set(who.address, (queue = []));
      queue.push({ who, go, drop: () => fail(gone()) });
      this.waiting++;
    });
  }

  /** Hands the slot to the next address in turn whose connection is still open, or gives it back. */
  private release(): void {
    for (const [address, queue] of this.queues) {
      const next = queue.shift()!;
      this.waiting--;
      this.queues.delete(address);
      if (queue.length > 0) this.queues.set(address, queue);
      if (!next.who.isOpen) {
        this.counts.dropped++;
        next.drop();
        continue;
      }
      next.go();
      return;
    }
    this.running--;
  }
}

function gone(): BankError {
  return new BankError('UNAVAILABLE', 'the connection closed before its password was checked');
}
