import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';
import { intOption } from '../options.js';
import { readSecret } from '../read-secret.js';
import { promptSecret } from '../prompt-secret.js';
import { MonitorConnection, type MonitorTarget } from '../../monitor/connection.js';
import { MonitorAggregator, commitRate, type CommitRate, type RelayStats } from '../../monitor/stats.js';
import { renderView, toScreen, type AlertItem } from '../../monitor/render.js';
import { Terminal, isQuitKey } from '../../monitor/terminal.js';

export const monitorUsage = 'bank-relay monitor [--host H] [--port N] [--user U] [--password-file F] [--json] [--interval MS] [--window S]';

/** Redraws at most this often, however fast requests arrive. */
const FRAME_MS = 100;
/** Alerts kept for the panel. */
const ALERTS_KEPT = 20;

/**
 * A live view of a running relay, signed in as an admin with `admin.monitor` on; `--json`
 * streams the same events as JSON lines instead. On a lost connection it says so and exits 1
 * (no reconnect: a supervisor or the person restarts it, and nothing is silently missed).
 */
export async function monitorCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      'password-file': { type: 'string' },
      json: { type: 'boolean' },
      interval: { type: 'string' },
      window: { type: 'string' },
    },
  });
  const host = values.host ?? '127.0.0.1';
  const port = values.port === undefined ? 1234 : intOption('--port', values.port, 1, 65535);
  const user = values.user ?? 'admin';
  const intervalMs = values.interval === undefined ? 1000 : intOption('--interval', values.interval, 100, 3_600_000);
  const windowS = values.window === undefined ? 10 : intOption('--window', values.window, 1, 3600);
  const json = values.json === true;
  if (!json && !process.stdout.isTTY) throw new CliError('the live view needs a terminal; use --json for scripts', 2);

  const password = await getPassword(values['password-file'], `password for ${user}@${host}:${port}`);
  const conn = await MonitorConnection.open({ host, port, user, password });
  if (json) return streamJson(conn, intervalMs);
  return liveView(conn, conn.target, intervalMs, windowS);
}

/** --password-file, else BANK_RELAY_PASSWORD, else a prompt without echo on a terminal, else stdin. */
async function getPassword(file: string | undefined, what: string): Promise<string> {
  if (file !== undefined) return readSecret(file, 'password');
  const env = process.env.BANK_RELAY_PASSWORD;
  if (env !== undefined && env !== '') return env;
  if (process.stdin.isTTY) return promptSecret(`${what}: `);
  return readSecret(undefined, 'password');
}

function statsLine(stats: RelayStats, at: number, commits: CommitRate | null): Record<string, unknown> {
  return { event: 'stats', ts: new Date(at).toISOString(), data: { ...stats, fsyncsPerS: commits?.fsyncsPerS ?? null, meanBatch: commits?.meanBatch ?? null } };
}

/** One JSON object per line on stdout until SIGINT/SIGTERM (exit 0) or a lost connection (exit 1). */
function streamJson(conn: MonitorConnection, intervalMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let queue: string[] = [];
    let scheduled = false;
    let prev: { stats: RelayStats; at: number } | undefined;
    // Batched into one write per turn of the event loop: cheap at thousands of events a second.
    const emit = (line: Record<string, unknown>) => {
      queue.push(JSON.stringify(line));
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          const text = queue.join('\n') + '\n';
          queue = [];
          process.stdout.write(text);
        });
      }
    };
    const finish = (err?: Error) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', onPipeError);
      conn.close();
      const text = queue.length ? queue.join('\n') + '\n' : '';
      queue = [];
      // Let what was streamed reach the reader before the exit code does.
      process.stdout.write(text, () => (err ? reject(err) : resolve()));
    };
    const onSignal = () => finish();
    // The reader went away (`| head`): stop quietly.
    const onPipeError = () => {
      conn.close();
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', onPipeError);
    conn.start(
      {
        onRequest: (data, e) => emit({ event: e.event, ts: e.ts, data }),
        onAlert: (data, e) => emit({ event: e.event, ts: e.ts, data }),
        onStats: (stats, at) => {
          const cur = { stats, at };
          emit(statsLine(stats, at, commitRate(prev, cur)));
          prev = cur;
        },
        onDisconnect: (reason) => finish(lostConnection(conn.target, reason)),
      },
      intervalMs,
    );
  });
}

function lostConnection(t: MonitorTarget, reason: string): CliError {
  return new CliError(`lost the connection to the relay at ${t.host}:${t.port} (${reason})`);
}

/** The full-screen view until `q`/Ctrl-C (resolves) or a lost connection (rejects once the terminal is back). */
function liveView(conn: MonitorConnection, target: MonitorTarget, intervalMs: number, windowS: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const term = new Terminal(process.stdin, process.stdout);
    const agg = new MonitorAggregator(Date.now(), { windowS });
    const alerts: AlertItem[] = [];
    let stats: RelayStats | undefined;
    let prev: { stats: RelayStats; at: number } | undefined;
    let commits: CommitRate | null = null;
    let dirty = true;
    let lastDraw = 0;
    let ended = false;

    const draw = () => {
      const now = Date.now();
      dirty = false;
      lastDraw = now;
      const rows = term.rows;
      const lines = renderView(
        {
          relay: `${target.host}:${target.port}`,
          user: target.user,
          ...(stats && { stats }),
          commits,
          summary: agg.summary(now),
          total: agg.total,
          recent: agg.recent.latest(rows),
          alerts,
          windowS,
          color: !process.env.NO_COLOR,
        },
        term.columns,
        rows,
      );
      term.write(toScreen(lines));
    };
    // Events only mark the screen dirty; a frame at most every FRAME_MS shows their aggregate.
    const frames = setInterval(() => {
      if (dirty || Date.now() - lastDraw >= 1000) draw();
    }, FRAME_MS);

    const finish = (err?: Error) => {
      if (ended) return;
      ended = true;
      clearInterval(frames);
      conn.close();
      term.restore();
      if (err) reject(err);
      else resolve();
    };

    term.enter({
      onKey: (key) => {
        if (isQuitKey(key)) finish();
      },
      onResize: () => draw(),
      onSignal: () => finish(),
    });
    conn.start(
      {
        onRequest: (d) => {
          agg.record({ at: Date.now(), op: String(d.op), actor: String(d.actor ?? ''), transport: String(d.transport ?? ''), ms: Number(d.ms) || 0, outcome: String(d.outcome) });
          dirty = true;
        },
        onAlert: (d, e) => {
          const at = Date.parse(e.ts);
          alerts.unshift({ at: Number.isNaN(at) ? Date.now() : at, kind: String(d.kind), message: String(d.message ?? '') });
          alerts.length = Math.min(alerts.length, ALERTS_KEPT);
          dirty = true;
        },
        onStats: (s, at) => {
          const cur = { stats: s, at };
          commits = commitRate(prev, cur) ?? commits;
          prev = cur;
          stats = s;
          dirty = true;
        },
        onDisconnect: (reason) => finish(lostConnection(target, reason)),
      },
      intervalMs,
    );
    draw();
  });
}
