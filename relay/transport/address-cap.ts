import type net from 'node:net';

/**
 * Caps the sockets one IP address holds open across both listeners (TCP, and WebSocket/HTTP),
 * counted from the moment the kernel hands a socket over, before TLS or any byte is read. A
 * socket over the cap is destroyed at once: a flood from one address costs an accept and a
 * close, and never a handshake.
 */
export class AddressCap {
  private readonly open = new Map<string, number>();
  /** Sockets refused since start, for metrics. */
  refused = 0;
  /** The last time a refusal from each address was logged (one line per address per minute). */
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly onRefused?: (address: string, logLine: boolean) => void,
  ) {}

  /** Counts the socket in (and out again when it closes); false, with the socket destroyed, when over the cap. */
  admit(socket: net.Socket): boolean {
    if (this.max === 0) return true;
    const address = socket.remoteAddress ?? '';
    const now = this.open.get(address) ?? 0;
    if (now >= this.max) {
      this.refused++;
      socket.destroy();
      this.onRefused?.(address, this.shouldLog(address));
      return false;
    }
    this.open.set(address, now + 1);
    socket.once('close', () => {
      const left = (this.open.get(address) ?? 1) - 1;
      if (left <= 0) this.open.delete(address);
      else this.open.set(address, left);
    });
    return true;
  }

  count(address: string): number {
    return this.open.get(address) ?? 0;
  }

  private shouldLog(address: string): boolean {
    const now = Date.now();
    const last = this.lastLogged.get(address);
    if (last !== undefined && now - last < 60_000) return false;
    if (this.lastLogged.size > 10_000) this.lastLogged.clear();
    this.lastLogged.set(address, now);
    return true;
  }
}
