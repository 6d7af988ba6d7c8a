import net from 'node:net';

/** A PROXY protocol v1 line is at most 107 bytes, CRLF included. */
const MAX_LINE = 107;

export type ProxyHeader =
  | { kind: 'more' }
  | { kind: 'bad' }
  /** `address` undefined: "PROXY UNKNOWN", the tunnel did not know the client (use the socket's). */
  | { kind: 'ok'; address: string | undefined; consumed: number };

/**
 * Reads the PROXY protocol v1 line a TLS tunnel (stunnel `protocol = proxy`, HAProxy
 * `send-proxy`) writes before the client's bytes: `PROXY TCP4 <src> <dst> <sport> <dport>\r\n`.
 * Behind a tunnel every socket comes from the tunnel's address; this is the client's.
 */
export function readProxyHeader(buf: Buffer): ProxyHeader {
  const end = buf.indexOf('\r\n');
  if (end < 0) return buf.length >= MAX_LINE || !'PROXY '.startsWith(buf.subarray(0, 6).toString('latin1')) ? { kind: 'bad' } : { kind: 'more' };
  if (end + 2 > MAX_LINE) return { kind: 'bad' };
  const parts = buf.subarray(0, end).toString('latin1').split(' ');
  if (parts[0] !== 'PROXY') return { kind: 'bad' };
  if (parts[1] === 'UNKNOWN') return { kind: 'ok', address: undefined, consumed: end + 2 };
  if (parts.length !== 6 || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6')) return { kind: 'bad' };
  const src = parts[2]!;
  if (net.isIP(src) !== (parts[1] === 'TCP4' ? 4 : 6)) return { kind: 'bad' };
  return { kind: 'ok', address: src, consumed: end + 2 };
}
