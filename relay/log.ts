import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  format: 'json' | 'pretty';
  level: LogLevel | 'silent';
  out?: Writable;
}

/** One JSON object per line (for machines and `jq`), or a short aligned line for people. */
export function createLogger(opts: LoggerOptions): Logger {
  const out = opts.out ?? process.stdout;
  const min = RANK[opts.level];
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[level] < min) return;
    const time = new Date().toISOString();
    const line =
      opts.format === 'json'
        ? JSON.stringify({ time, level, msg, ...fields }, errorReplacer)
        : formatPretty(time, level, msg, fields);
    out.write(line + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
  }
  return value;
}

function formatPretty(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  const clock = time.slice(11, 23);
  if (msg === 'request') {
    const { conn, transport, op, actor, outcome, ms } = fields;
    const who = actor ?? '-';
    return `${clock} ${String(transport).padEnd(3)} #${String(conn).padEnd(4)} ${String(who).padEnd(16)} ${String(op).padEnd(24)} ${String(outcome).padEnd(18)} ${ms}ms`;
  }
  const rest = Object.entries(fields)
    .map(([k, v]) => (v instanceof Error ? `${k}=${v.stack ?? v.message}` : `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`))
    .join(' ');
  return `${clock} ${level.toUpperCase().padEnd(5)} ${msg}${rest ? ' ' + rest : ''}`;
}
