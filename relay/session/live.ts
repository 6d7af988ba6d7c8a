import type { ClientConnection } from './client-connection.js';

/** Every open connection, indexed by session and by user, so events find the right sockets. */
export class LiveConnections {
  readonly all = new Set<ClientConnection>();
  private bySession = new Map<string, ClientConnection>();
  private byUser = new Map<string, Set<ClientConnection>>();

  add(conn: ClientConnection): void {
    this.all.add(conn);
  }

  remove(conn: ClientConnection): void {
    this.all.delete(conn);
    this.watching.delete(conn);
    this.unbind(conn);
  }

  /** Binds a session to a connection; returns the connection that held it before, if any. */
  bind(conn: ClientConnection, sessionKey: string, username: string): ClientConnection | undefined {
    const previous = this.bySession.get(sessionKey);
    this.bySession.set(sessionKey, conn);
    let set = this.byUser.get(username);
    if (!set) this.byUser.set(username, (set = new Set()));
    set.add(conn);
    return previous !== conn ? previous : undefined;
  }

  unbind(conn: ClientConnection): void {
    const auth = conn.auth;
    if (!auth) return;
    if (this.bySession.get(auth.session.key) === conn) this.bySession.delete(auth.session.key);
    const set = this.byUser.get(auth.username);
    if (set) {
      set.delete(conn);
      if (set.size === 0) this.byUser.delete(auth.username);
    }
  }

  /** Whether any connection is signed in as `username`. */
  hasUser(username: string): boolean {
    return this.byUser.has(username);
  }

  /** Everyone signed in on this relay, each once. */
  users(): Iterable<string> {
    return this.byUser.keys();
  }

  get userCount(): number {
    return this.byUser.size;
  }

  forUser(username: string): Iterable<ClientConnection> {
    return this.byUser.get(username) ?? [];
  }

  /** Every connection with a session bound. */
  sessionConnections(): Iterable<ClientConnection> {
    return this.bySession.values();
  }

  forSession(sessionKey: string): ClientConnection | undefined {
    return this.bySession.get(sessionKey);
  }

  private readonly watching = new Set<ClientConnection>();

  setMonitoring(conn: ClientConnection, on: boolean): void {
    if (on) this.watching.add(conn);
    else this.watching.delete(conn);
  }

  get monitorCount(): number {
    return this.watching.size;
  }

  /** Connections watching requests whose session is (still) an admin's. */
  *monitors(): Iterable<ClientConnection> {
    for (const conn of this.watching) if (conn.auth?.role === 'admin') yield conn;
  }

  *admins(): Iterable<ClientConnection> {
    for (const conn of this.all) if (conn.auth?.role === 'admin') yield conn;
  }

  get sessionCount(): number {
    return this.bySession.size;
  }

  countByTransport(): { tcp: number; ws: number; legacy: number } {
    let tcp = 0;
    let ws = 0;
    let legacy = 0;
    for (const c of this.all) {
      if (c.transport === 'tcp') tcp++;
      else if (c.transport === 'ws') ws++;
      else legacy++;
    }
    return { tcp, ws, legacy };
  }
}
