import net from 'node:net';
import type { RelayContext } from '../../context.js';
import type { MessageHandler } from '../../session/client-connection.js';
import type { AddressCap } from '../../transport/address-cap.js';
import type { LegacyDirectory } from './directory.js';
import { LoginGrants, type LoginGrant } from './grants.js';
import { LegacyClient } from './legacy-client.js';

export interface LegacyGatewayOptions {
  host: string;
  port: number;
  relay: RelayContext;
  /** The relay's dispatcher: every command runs as ops through it. */
  dispatch: MessageHandler;
  directory: LegacyDirectory;
  /** Per-address connection cap, shared with the other listeners. */
  cap?: AddressCap;
  binding: 'address' | 'connection';
  proxyProtocol: boolean;
  onCommand?: (command: string, outcome: string, seconds: number) => void;
}

/** How often unclaimed grants are swept. */
const GRANT_SWEEP_MS = 10_000;

/**
 * The legacy gateway's TCP listener (`--legacy-port`): serves the old Qt bank client with its own
 * wire protocol (LEGACY-PROTOCOL.md) on top of this relay's ops. Plaintext, and the requests'
 * XOR key is public: for a trusted network or behind a TLS tunnel only (docs/LEGACY.md).
 */
export class LegacyGateway {
  private readonly server: net.Server;
  private readonly clients = new Set<LegacyClient>();
  /** The greeting's Client_<N>: from 1, one per accepted connection, never reused (as the old server). */
  private accepted = 0;
  readonly grants: LoginGrants;
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LegacyGatewayOptions) {
    const { relay } = opts;
    this.grants = new LoginGrants(relay.clock, (grant, why) => this.dropGrant(grant, why));
    this.server = net.createServer({ noDelay: true }, (socket) => this.onSocket(socket));
    this.server.prependListener('connection', (socket: net.Socket) => {
      if (opts.cap) opts.cap.admit(socket);
    });
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        this.sweep = setInterval(() => this.grants.sweep(), GRANT_SWEEP_MS);
        this.sweep.unref();
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  private onSocket(socket: net.Socket): void {
    if (socket.destroyed) return;
    const client = new LegacyClient(socket, { ...this.opts, grants: this.grants }, ++this.accepted);
    this.clients.add(client);
    socket.once('close', () => this.clients.delete(client));
  }

  /**
   * A grant nobody claimed (or that was replaced, or dropped as ambiguous) ends its session,
   * unless the connection that signed in still holds it.
   */
  private dropGrant(grant: LoginGrant, why: string): void {
    const { relay } = this.opts;
    if (relay.live.forSession(grant.session.key) || relay.sessions.hasEnded(grant.session.key)) return;
    relay.sessions.end(grant.session, `legacy_grant_${why}`, grant.username, grant.role).catch(() => undefined);
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  /** Stops accepting; existing sockets stay until the relay closes them. */
  stopAccepting(): Promise<void> {
    clearInterval(this.sweep);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Ends the sessions of grants still waiting (before the relay's last writes). */
  dropGrants(): void {
    this.grants.clear();
  }

  destroyAll(): void {
    for (const client of this.clients) client.destroy();
  }
}
