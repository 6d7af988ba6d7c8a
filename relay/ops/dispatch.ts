import { BankError, isBankError, type ErrorCode } from '../../common/errors.js';
import { describeZodError, requestSchema } from '../../common/schemas/messages.js';
import type { RelayContext } from '../context.js';
import type { ClientConnection } from '../session/client-connection.js';
import type { OpHandler, Registry } from './registry.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import { CloseCode } from '../transport/wire.js';

/** Requests answered RATE_LIMITED in a row (at least the burst) after which a connection is closed. */
const REFUSALS_BEFORE_CLOSE = 100;

/**
 * Turns one decrypted message into one response: envelope check, op lookup, role, argument
 * schema, handler. Every failure becomes an error response; only a message with no usable
 * `id` is a protocol error (there is nothing to answer).
 */
export function createDispatcher(relay: RelayContext, registry: Registry, metrics?: Pick<RelayMetrics, 'request'>) {
  return function dispatch(conn: ClientConnection, message: unknown): void {
    const parsed = requestSchema.safeParse(message);
    if (!parsed.success) {
      const id = idOf(message);
      if (id === undefined) {
        conn.protocolError(`not a request: ${describeZodError(parsed.error)}`);
        return;
      }
      conn.send({ id, ok: false, error: { code: 'BAD_REQUEST', message: describeZodError(parsed.error) } });
      return;
    }
    const { id, op, args } = parsed.data;
    const started = performance.now();
    // Remember who was signed in when the request arrived: a sign-out clears it.
    const actorBefore = conn.auth?.username ?? null;
    conn.inFlight++;
    void run(conn, op, args).then(
      (result) => finish(conn, id, op, actorBefore, started, { id, ok: true, result }, 'ok'),
      (err: unknown) => {
        const { code, message } = toClientError(err, relay, conn, op);
        if (code === 'RATE_LIMITED' && !(err instanceof RequestRateRefusal)) refused(conn);
        finish(conn, id, op, actorBefore, started, { id, ok: false, error: { code, message } }, code);
      },
    );
  };

  async function run(conn: ClientConnection, op: string, rawArgs: unknown): Promise<unknown> {
    if (conn.requests && !conn.requests.take()) {
      // Counted as it arrives: a pipelined flood is cut off before the rest of it is even read.
      refused(conn);
      const { perSecond, burst } = relay.config.requestRate;
      throw new RequestRateRefusal(`too many requests: at most ${perSecond} a second on one connection (bursts of ${burst})`);
    }
    const handler = registry.get(op);
    if (!handler) throw new BankError('UNKNOWN_OP', `unknown op "${op.slice(0, 64)}"`);
    // Between opening the ports and serving (and while stopping) only the heartbeat is answered.
    if (op !== 'ping' && !relay.serving()) throw new BankError('UNAVAILABLE', 'the relay is starting or stopping; try again in a moment');
    checkSessionFresh(conn);
    if (handler.role === 'user' || handler.role === 'admin') {
      if (!conn.auth) throw new BankError('UNAUTHENTICATED', 'please sign in first');
      if (handler.role === 'admin' && conn.auth.role !== 'admin') throw new BankError('FORBIDDEN', `${op} is for administrators only`);
    }
    const args = parseArgs(handler, rawArgs);
    if (conn.auth) relay.sessions.touch(conn.auth.session);
    return handler.handle({ args: args as never, conn, relay });
  }

  function parseArgs(handler: OpHandler, rawArgs: unknown): unknown {
    const fast = handler.fastArgs?.(rawArgs);
    if (fast !== undefined) return fast;
    const args = handler.args.safeParse(rawArgs);
    if (!args.success) throw new BankError('BAD_REQUEST', describeZodError(args.error));
    return args.data;
  }

  /** A session that timed out while connected stops authorizing requests. */
  function checkSessionFresh(conn: ClientConnection): void {
    if (conn.auth && relay.sessions.isExpired(conn.auth.session.record)) {
      relay.live.unbind(conn);
      conn.auth = null;
    }
  }

  function finish(conn: ClientConnection, id: number, op: string, actorBefore: string | null, started: number, response: unknown, outcome: string): void {
    // The user the request acted as, or signed in as (a login has no session when it arrives).
    const actor = conn.auth?.username ?? actorBefore;
    conn.inFlight--;
    const ms = Math.round((performance.now() - started) * 100) / 100;
    conn.send(response);
    if (outcome !== 'RATE_LIMITED') conn.refusedInARow = 0;
    conn.answered();
    // Only real op names become counters: a client must not grow this map at will.
    const shownOp = registryHas(op) ? op : '(unknown)';
    relay.opCounts.set(shownOp, (relay.opCounts.get(shownOp) ?? 0) + 1);
    metrics?.request(shownOp, outcome, ms / 1000);
    if (relay.config.logRequests) relay.log.info('request', { conn: conn.id, transport: conn.transport, op: shownOp, actor, outcome, ms });
    if (relay.live.monitorCount > 0) {
      relay.events.toConnections(relay.live.monitors(), 'monitor.request', { op: shownOp, actor: actor ?? '', transport: conn.transport, ms, outcome: outcome as 'ok' });
    }
  }

  /**
   * Answering refusals costs too: a client that goes on sending past any limit (the request
   * rate, the sign-in throttle, lookups) is cut off once its earlier requests are answered.
   */
  function refused(conn: ClientConnection): void {
    if (++conn.refusedInARow < Math.max(REFUSALS_BEFORE_CLOSE, relay.config.requestRate.burst)) return;
    relay.log.warn('connection closed: it kept sending past its limits', { conn: conn.id, transport: conn.transport, remote: conn.remote });
    conn.closeWhenAnswered(CloseCode.policy, 'kept sending past its limits');
  }

  function registryHas(op: string): boolean {
    return registry.has(op);
  }
}

/** A request over the connection's own rate, refused (and counted) before it runs. */
class RequestRateRefusal extends BankError {
  constructor(message: string) {
    super('RATE_LIMITED', message);
  }
}

function idOf(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const id = (message as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

function toClientError(err: unknown, relay: RelayContext, conn: ClientConnection, op: string): { code: ErrorCode; message: string } {
  if (isBankError(err)) return { code: err.code, message: err.message };
  const ref = Math.random().toString(36).slice(2, 10);
  relay.log.error('handler failed', { conn: conn.id, op, ref, err });
  return { code: 'INTERNAL', message: `the relay hit an internal error (reference ${ref})` };
}
