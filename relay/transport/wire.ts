/** `legacy`: the old Qt client's protocol on the legacy gateway (relay/legacy/gateway/). */
export type TransportName = 'tcp' | 'ws' | 'legacy';

/** What the session layer needs from a transport: frames out, a way to hang up, and backpressure. */
export interface Wire {
  readonly transport: TransportName;
  /** `ip:port` of the peer, for logs. */
  readonly remote: string;
  /** The peer's IP address alone, for per-address limits. */
  readonly address: string;
  send(frame: Uint8Array): void;
  /** Bytes each frame given to `sendPacked` has free in front of it, for the transport's own header. */
  readonly headroom: number;
  /** Sends frames laid out in one buffer (each `headroom` bytes after the end of the one before), in order. */
  sendPacked(packed: Buffer, frames: readonly { at: number; length: number }[]): void;
  /** Closes after flushing what was sent. `code` is a WebSocket close code; TCP just ends. */
  close(code: number, reason: string): void;
  /** Bytes queued in user space and not yet handed to the kernel. */
  bufferedBytes(): number;
}

/** WebSocket close codes, also used as reasons in logs for TCP. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  sessionTakenOver: 4001,
  sessionRevoked: 4002,
  slowConsumer: 4003,
  heartbeat: 4004,
  handshakeTimeout: 4005,
} as const;
