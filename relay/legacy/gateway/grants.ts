import type { SessionHandle } from '../../auth/sessions.js';

/** How long a Login's grant waits for the dashboard's connection (LEGACY-PROTOCOL §4). */
export const GRANT_TTL_MS = 120_000;

/**
 * What a successful Login leaves for the old client's next window: the Qt client signs in on one
 * connection, drops it, and opens its dashboard on another that never sends credentials. The
 * grant lets that next connection, from the same address, take over the session.
 */
export interface LoginGrant {
  /** The address the Login came from (the tunnel's forwarded client address where one is given). */
  address: string;
  username: string;
  /** The name as the person typed it, for replies. */
  shownName: string;
  role: 'user' | 'admin';
  /** The session's token: only the gateway holds it, and only until the grant is claimed or expires. */
  token: string;
  session: SessionHandle;
  createdAt: number;
  expiresAt: number;
}

export type GrantClaim = { kind: 'none' } | { kind: 'claimed'; grant: LoginGrant } | { kind: 'ambiguous'; grants: LoginGrant[] };

/**
 * Unclaimed grants by address. A connection claims the one grant waiting for its address when it
 * sends its first command other than Login (a login window, whose first command is Login, never
 * takes another person's grant);
 * with two or more waiting (two people behind one address signing in at once) it claims none and
 * they are dropped: binding either could hand one person's session to the other.
 */
export class LoginGrants {
  private readonly byAddress = new Map<string, LoginGrant[]>();

  constructor(
    private readonly clock: () => number,
    /** A grant that nobody claimed in time, or that was replaced or dropped: its session is ended. */
    private readonly onDropped: (grant: LoginGrant, why: 'expired' | 'replaced' | 'ambiguous') => void,
  ) {}

  /** Adds a grant; one still waiting for the same person at the same address is replaced. */
  add(grant: LoginGrant): void {
    const list = this.live(grant.address);
    const same = list.findIndex((g) => g.username === grant.username);
    if (same >= 0) this.onDropped(list.splice(same, 1)[0]!, 'replaced');
    list.push(grant);
    this.byAddress.set(grant.address, list);
  }

  /**
   * The grant for a connection from `address` opened at `openedAt`: only grants made before it
   * opened count (a connection that was already open, someone else's idle one, cannot take a
   * later Login's grant). Those are taken out, whether one is claimed or all are dropped.
   */
  claim(address: string, openedAt: number): GrantClaim {
    const list = this.live(address);
    const eligible = list.filter((g) => g.createdAt <= openedAt);
    const rest = list.filter((g) => g.createdAt > openedAt);
    if (rest.length > 0) this.byAddress.set(address, rest);
    else this.byAddress.delete(address);
    if (eligible.length === 0) return { kind: 'none' };
    if (eligible.length === 1) return { kind: 'claimed', grant: eligible[0]! };
    for (const g of eligible) this.onDropped(g, 'ambiguous');
    return { kind: 'ambiguous', grants: eligible };
  }

  /** Whether a session is still waiting in a grant (its login connection closing must not end it). */
  holds(sessionKey: string): boolean {
    for (const list of this.byAddress.values()) if (list.some((g) => g.session.key === sessionKey)) return true;
    return false;
  }

  /** Drops expired grants everywhere (called on a timer). */
  sweep(): void {
    for (const address of [...this.byAddress.keys()]) {
      const list = this.live(address);
      if (list.length === 0) this.byAddress.delete(address);
      else this.byAddress.set(address, list);
    }
  }

  /** Drops every grant (the gateway is stopping). */
  clear(): void {
    for (const list of this.byAddress.values()) for (const g of list) this.onDropped(g, 'expired');
    this.byAddress.clear();
  }

  get size(): number {
    let n = 0;
    for (const list of this.byAddress.values()) n += list.length;
    return n;
  }

  /** The address's grants still in time; the expired ones are dropped on the way. */
  private live(address: string): LoginGrant[] {
    const list = this.byAddress.get(address) ?? [];
    const now = this.clock();
    const keep: LoginGrant[] = [];
    for (const g of list) {
      if (g.expiresAt > now) keep.push(g);
      else this.onDropped(g, 'expired');
    }
    return keep;
  }
}
