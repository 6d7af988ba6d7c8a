import type { ErrorCode } from '../../../common/errors.js';
import type { OpArgs, OpName, OpResult } from '../../../common/schemas/ops.js';
import { ClientConnection, type ConnectionDeps, type MessageHandler } from '../../session/client-connection.js';
import type { Wire } from '../../transport/wire.js';

/** What an op answered: its result, or the bankrelay/1 error it was refused with. */
export type OpAnswer<N extends OpName> = { ok: true; result: OpResult<N> } | { ok: false; code: ErrorCode; message: string };

/** setTimeout's longest delay: the channel's handshake timer never fires on a legacy connection. */
const NEVER_MS = 2 ** 31 - 1;

/**
 * A legacy client as the op registry sees it: a ClientConnection (transport `legacy`) whose
 * requests are made by the gateway, one op at a time, through the relay's own dispatcher, so
 * each gets the same role checks, argument schemas, rate limits, audit, request log, metrics and
 * monitor feed as on bankrelay/1. It has no channel: responses come back to the caller, and events
 * are not sent (the old client never receives anything unsolicited).
 */
export class LegacyConnection extends ClientConnection {
  private open = true;
  private nextRequestId = 1;
  private readonly waiting = new Map<number, (response: { ok: boolean; result?: unknown; error?: { code: ErrorCode; message: string } }) => void>();

  constructor(
    wire: Wire,
    deps: ConnectionDeps,
    private readonly dispatch: MessageHandler,
    onClose: (conn: ClientConnection) => void,
  ) {
    super(wire, { ...deps, config: { ...deps.config, handshakeTimeoutMs: NEVER_MS } }, dispatch, onClose);
  }

  override get isOpen(): boolean {
    return this.open;
  }

  /** Runs one op as this connection's signed-in person (or as nobody, for a sign-in). */
  call<N extends OpName>(op: N, args: OpArgs<N> | Record<string, unknown>): Promise<OpAnswer<N>> {
    const id = this.nextRequestId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (response) => {
        resolve(response.ok ? { ok: true, result: response.result as OpResult<N> } : { ok: false, code: response.error!.code, message: response.error!.message });
      });
      this.dispatch(this, { id, op, args });
    });
  }

  override send(message: unknown): boolean {
    const id = (message as { id?: unknown }).id;
    const resolve = typeof id === 'number' ? this.waiting.get(id) : undefined;
    if (!resolve) return false;
    this.waiting.delete(id as number);
    resolve(message as Parameters<typeof resolve>[0]);
    return true;
  }

  /** Events (and anything sealed) have nowhere to go on the old protocol. */
  override sendEncoded(): boolean {
    return false;
  }

  override protocolError(message: string): void {
    this.close(1002, message);
  }

  override close(code: number, reason: string): void {
    this.open = false;
    super.close(code, reason);
  }

  override closed(): void {
    this.open = false;
    super.closed();
  }
}
