import pg from 'pg';

/**
 * Every PostgreSQL pool and client the bank opens comes from here, with an 'error' listener.
 *
 * pg emits 'error' for a connection the server ends while it sits idle: a restart, a failover,
 * `pg_terminate_backend`, or a server shutdown that races our own `end()` (pg-pool's `end()`
 * resolves before its sockets have closed). An EventEmitter's 'error' with no listener throws,
 * so the whole process would die of a connection it was not using. Nothing is lost by going
 * on: the pool has already dropped such a connection and opens another for the next query, and
 * a lone client's next query rejects with pg's own "not queryable" error. The event is only
 * worth a log line, which `onError` gives.
 *
 * The server ends a pool connection that sits idle inside a transaction for `idleInTransactionMs`
 * (PostgreSQL's `idle_in_transaction_session_timeout`). Every ledger batch takes the one
 * audit-head lock, so a relay frozen in the middle of one (SIGSTOP, a paused VM, a stalled
 * process) would otherwise stop every relay of the bank for as long as it stays frozen. Our own
 * transactions are never idle for more than milliseconds: a batch computes between its two
 * round trips, a verifier between its pages.
 */
export function openPool(connectionString: string, max: number, onError: (err: Error) => void = ignore, opts: { idleInTransactionMs?: number } = {}): pg.Pool {
  // Pipelined: queries issued together on one connection go out together (see `sendTogether`).
  const pool = new pg.Pool({ connectionString, max, pipeline: true, idle_in_transaction_session_timeout: opts.idleInTransactionMs ?? IDLE_IN_TRANSACTION_MS });
  pool.on('error', onError);
  // pg-pool listens on a connection only while it sits idle in the pool. One checked out and
  // between queries (a verifier's pages, a batch's two round trips) would throw its 'error' just
  // the same; its holder learns of the loss from its next query, which rejects.
  pool.on('connect', (client) => client.on('error', ignore));
  return pool;
}

/** One connection of its own (migrations, LISTEN, set-up); see `openPool` for why it has a listener. */
export function newClient(connectionString: string, onError: (err: Error) => void = ignore): pg.Client {
  const client = new pg.Client({ connectionString });
  client.on('error', onError);
  return client;
}

/** How long a pool connection may sit idle inside a transaction before the server ends it. */
export const IDLE_IN_TRANSACTION_MS = 10_000;

function ignore(): void {}

/** One statement of several sent together. */
export interface Sql {
  text: string;
  values?: unknown[];
}

/**
 * Sends statements in order without waiting for each answer: on a pipelined connection (every
 * one `openPool` opens) that is one network round trip for all of them, which is what keeps a
 * ledger batch's hold on the audit-head lock short. PostgreSQL still runs them one after
 * another, in order. When one fails, those after it in the same transaction fail too (the
 * transaction is aborted) and this rejects, so a COMMIT at the end never counts as done.
 * A connection that is not pipelined gets them one at a time.
 */
export async function sendTogether(client: pg.ClientBase, statements: readonly Sql[]): Promise<pg.QueryResult[]> {
  if ('pipeline' in client && client.pipeline === true) return Promise.all(statements.map((s) => client.query(s.text, s.values)));
  const results: pg.QueryResult[] = [];
  for (const s of statements) results.push(await client.query(s.text, s.values));
  return results;
}
