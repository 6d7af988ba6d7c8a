import net from 'node:net';
import { expect } from 'vitest';

/*
 * An encoder for the old Qt bank client's requests, written here from LEGACY-PROTOCOL §1.2–1.3
 * (not imported from the relay, so the gateway is checked against an independent reading), and
 * a socket that reads replies the way the spec's harness does: a reply is complete after 100 ms
 * with no new bytes.
 */

export const XOR_KEY = Buffer.from('secureKey12345678', 'ascii');

export function xor(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! ^ XOR_KEY[i % XOR_KEY.length]!;
  return out;
}

/** Qt's QJsonDocument::Indented for a request: sorted keys, 4-space indent, `[\n    ]` for an empty array, a final newline. */
export function qtRequestText(command: string, args: string[], data = args.join(' '), size = data.length): string {
  const obj = { Size: size, Type: 'Request Message', args, command, data };
  const text = `${JSON.stringify(obj, null, 4)}\n`;
  return args.length === 0 ? text.replace('"args": []', '"args": [\n    ]') : text;
}

export function encodeRequest(command: string, args: string[], opts: { data?: string; size?: number } = {}): Buffer {
  return xor(Buffer.from(qtRequestText(command, args, opts.data, opts.size), 'utf8'));
}

const QUIET_MS = 100;

export class LegacySocket {
  private received: Buffer[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.received.push(d);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, from?: string): Promise<LegacySocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', ...(from && { localAddress: from }) }, () => resolve(new LegacySocket(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Everything received until 100 ms pass with nothing new (after at least one byte, or `maxMs`). */
  async read(maxMs = 5000): Promise<string> {
    const deadline = Date.now() + maxMs;
    while (this.received.length === 0 && !this.closed && Date.now() < deadline) await this.waitData(deadline - Date.now());
    for (;;) {
      const before = this.received.length;
      await new Promise((r) => setTimeout(r, QUIET_MS));
      if (this.received.length === before) break;
    }
    return this.take();
  }

  /** What arrived (as separate writes, in order) until 100 ms of quiet. */
  take(): string {
    const text = Buffer.concat(this.received).toString('utf8');
    this.received = [];
    return text;
  }

  /** Waits for the greeting. */
  greeting(): Promise<string> {
    return this.read();
  }

  async send(command: string, args: string[], opts: { data?: string; size?: number } = {}): Promise<string> {
    this.write(encodeRequest(command, args, opts));
    return this.read();
  }

  private waitData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, Math.max(0, ms));
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  waitClosed(ms = 15_000): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(true);
      const t = setTimeout(() => resolve(false), ms);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Opens a connection and reads its greeting. */
export async function legacyConnect(port: number, from?: string): Promise<LegacySocket> {
  const s = await LegacySocket.connect(port, from);
  await s.greeting();
  return s;
}

/** A connection signed in with Login on itself (the same connection stays bound to it). */
export async function legacySignedIn(port: number, name: string, password: string): Promise<LegacySocket> {
  const s = await legacyConnect(port);
  const reply = await s.send('Login', [name, password]);
  if (JSON.parse(reply).pass !== true) throw new Error(`Login as ${name} failed: ${reply}`);
  return s;
}

/** Today as the old server dates history rows (yyyy-MM-dd, the relay's local day). */
export function legacyToday(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Login on `s`, its JSON reply parsed. */
export async function legacyLogin(s: LegacySocket, name: string, password: string): Promise<unknown> {
  return JSON.parse(await s.send('Login', [name, password]));
}

/** The old server's Login reply to a sign-in (LEGACY-PROTOCOL §5, steps 2 and 6). */
export function loginAccepted(name: string, role: 'user' | 'admin' = 'user'): { isAdmin: boolean; message: string; pass: true } {
  return { isAdmin: role === 'admin', message: `${name} successfully logged in as ${role}.`, pass: true };
}

/** Its reply to a wrong password and to an unknown user alike (steps 4 and 5). */
export function loginRefused(name: string): { isAdmin: false; message: string; pass: false } {
  return { isAdmin: false, message: `Incorrect password for user ${name}.`, pass: false };
}

/** Steps 2 and 3: a customer's Login answers the old server's exact JSON text, and again on a new connection (no is_logged_in flag). */
export async function expectLoginTwice(port: number, name: string, password: string): Promise<void> {
  const s = await legacyConnect(port);
  const again = await legacyConnect(port);
  try {
    expect(await s.send('Login', [name, password])).toBe(`{\n    "isAdmin": false,\n    "message": "${name} successfully logged in as user.",\n    "pass": true\n}\n`);
    expect(await legacyLogin(again, name, password)).toEqual(loginAccepted(name));
  } finally {
    s.close();
    again.close();
  }
}
