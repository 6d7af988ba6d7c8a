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
 */
export function openPool(connectionString: string, max: number, onError: (err: Error) => void = ignore): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', onError);
  return pool;
}

/** One connection of its own (migrations, LISTEN, set-up); see `openPool` for why it has a listener. */
export function newClient(connectionString: string, onError: (err: Error) => void = ignore): pg.Client {
  const client = new pg.Client({ connectionString });
  client.on('error', onError);
  return client;
}

function ignore(): void {}
