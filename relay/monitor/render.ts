/**
 * The monitor's screen as text, for a given terminal size: pure (no I/O, no clock), so tests
 * look at exactly what a terminal would show. Every line is cut to `width` columns and there are
 * never more than `height` lines; sections shrink or drop when the terminal is small, and
 * columns appear when it is wide.
 */
import type { CommitRate, RelayStats, RequestSample, Summary } from './stats.js';

export interface AlertItem {
  at: number;
  kind: string;
  message: string;
}

export interface ViewState {
  /** Where the relay is, `host:port`. */
  relay: string;
  user: string;
  /** Latest `admin.stats`, once one arrived. */
  stats?: RelayStats;
  commits?: CommitRate | null;
  summary: Summary;
  /** Requests seen since the start. */
  total: number;
  /** Latest requests, newest first (at least as many as fit). */
  recent: RequestSample[];
  /** Latest alerts, newest first. */
  alerts: AlertItem[];
  /** Seconds the latency percentiles cover. */
  windowS: number;
  /** ANSI colours (off for NO_COLOR, or in tests that compare plain text). */
  color: boolean;
}

type Style = 'bar' | 'dim' | 'bold' | 'ok' | 'err' | 'warn';
type Segment = string | [string, Style];

const SGR: Record<Style, string> = { bar: '\x1b[7m', dim: '\x1b[2m', bold: '\x1b[1m', ok: '\x1b[32m', err: '\x1b[31m', warn: '\x1b[33m' };
const RESET = '\x1b[0m';

/** At most this many alert lines; the panel keeps the newest. */
export const MAX_ALERT_LINES = 3;
/** Wide enough for the transport column in the request list and the count column in the latency table. */
export const WIDE = 90;

/** `HH:MM:SS` local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function formatMs(ms: number): string {
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toString();
}

export function formatRate(r: number): string {
  return r >= 1000 ? Math.round(r).toString() : r.toFixed(1);
}

export function formatUptime(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  if (d > 0) return `${d}d${String(h).padStart(2, '0')}h${String(m).padStart(2, '0')}m`;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`;
  return `${m}m${String(sec).padStart(2, '0')}s`;
}

/** Left-aligned in `w` columns, cut with an ellipsis when longer. */
function cell(text: string, w: number): string {
  const chars = [...text];
  if (chars.length <= w) return text + ' '.repeat(w - chars.length);
  return w <= 1 ? chars.slice(0, w).join('') : chars.slice(0, w - 1).join('') + '…';
}

function rcell(text: string, w: number): string {
  const chars = [...text];
  return chars.length >= w ? chars.slice(0, w).join('') : ' '.repeat(w - chars.length) + text;
}

/** Joins segments and cuts them to `width` visible columns, adding colour codes when asked. */
function fit(segments: Segment[], width: number, color: boolean, fill = false): string {
  let out = '';
  let left = width;
  for (const seg of segments) {
    if (left <= 0) break;
    const [text, style] = typeof seg === 'string' ? [seg, undefined] : seg;
    const chars = [...text];
    const shown = chars.length > left ? chars.slice(0, left).join('') : text;
    left -= Math.min(chars.length, left);
    out += color && style ? SGR[style] + shown + RESET : shown;
  }
  if (fill && left > 0) {
    const last = segments[segments.length - 1];
    const style = last && typeof last !== 'string' ? last[1] : undefined;
    out += color && style ? SGR[style] + ' '.repeat(left) + RESET : ' '.repeat(left);
  }
  return out;
}

function rule(title: string, width: number, color: boolean): string {
  const head = `── ${title} `;
  return fit([['' + head + '─'.repeat(Math.max(0, width - [...head].length)), 'dim']], width, color);
}

/** The whole screen: at most `height` lines of at most `width` columns. */
export function renderView(state: ViewState, width: number, height: number): string[] {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  const c = state.color;
  const wide = w >= WIDE;
  const lines: string[] = [];

  // Header: who and where, then the relay's figures, then throughput.
  const title = ` bank-relay monitor · ${state.relay} · ${state.user}${state.stats ? ` · up ${formatUptime(state.stats.uptimeS)}` : ''}`;
  const hint = 'q quit ';
  const gap = Math.max(1, w - [...title].length - hint.length);
  lines.push(fit([[title + ' '.repeat(gap) + hint, 'bar']], w, c, true));
  const s = state.stats;
  if (s) {
    const fsync = state.commits ? `${formatRate(state.commits.fsyncsPerS)}` : '–';
    const batch = state.commits?.meanBatch != null ? state.commits.meanBatch.toFixed(1) : '–';
    lines.push(
      fit(
        [
          ['conn ', 'dim'], `tcp ${s.connections.tcp} ws ${s.connections.ws}${s.connections.legacy ? ` legacy ${s.connections.legacy}` : ''}`,
          ['  sessions ', 'dim'], `${s.sessions}`,
          ['  accounts ', 'dim'], `${s.ledger.accounts}`,
          ['  transfers ', 'dim'], `${s.ledger.transfers}`,
          ['  fsyncs/s ', 'dim'], fsync,
          ['  batch ', 'dim'], batch,
        ],
        w,
        c,
      ),
    );
  } else {
    lines.push(fit([['waiting for admin.stats…', 'dim']], w, c));
  }
  lines.push(fit([['ops/s ', 'dim'], [formatRate(state.summary.rate), 'bold'], ['  requests seen ', 'dim'], `${state.total}`], w, c));

  const avail = h - lines.length;
  const alertRows = Math.max(1, Math.min(state.alerts.length, MAX_ALERT_LINES));
  const alertBlock = 1 + alertRows;
  const wantedOps = Math.max(1, state.summary.ops.length);
  // Latency gets up to half of what is left once alerts and a few request lines are placed.
  const latencyCap = Math.max(1, Math.floor((avail - alertBlock) / 2) - 2);
  const opRows = Math.min(wantedOps, latencyCap);
  const latencyBlock = 2 + opRows;
  const requestRows = avail - latencyBlock - alertBlock - 2;

  // Latency per op.
  const num = 9;
  const numCols = wide ? 5 : 4;
  const opW = Math.max(8, Math.min(32, w - num * numCols - 1));
  lines.push(rule(`latency ms, last ${state.windowS}s`, w, c));
  lines.push(fit([[cell('op', opW) + rcell('ops/s', num) + (wide ? rcell('n', num) : '') + rcell('p50', num) + rcell('p95', num) + rcell('p99', num), 'dim']], w, c));
  if (state.summary.ops.length === 0) {
    lines.push(fit([['(no requests yet)', 'dim']], w, c));
  } else {
    const shown = state.summary.ops.length > opRows ? opRows - 1 : opRows;
    for (const o of state.summary.ops.slice(0, shown)) {
      lines.push(fit([cell(o.op, opW) + rcell(formatRate(o.rate), num) + (wide ? rcell(String(o.count), num) : '') + rcell(formatMs(o.p50), num) + rcell(formatMs(o.p95), num) + rcell(formatMs(o.p99), num)], w, c));
    }
    if (shown < opRows) lines.push(fit([[`… ${state.summary.ops.length - shown} more ops`, 'dim']], w, c));
  }

  // Alerts, newest first.
  lines.push(rule('alerts', w, c));
  if (state.alerts.length === 0) {
    lines.push(fit([['(none)', 'dim']], w, c));
  } else {
    for (const a of state.alerts.slice(0, alertRows)) {
      lines.push(fit([clock(a.at) + ' ', [a.kind, 'warn'], ' ' + a.message], w, c));
    }
  }

  // The latest requests, newest first, as many as fit.
  if (requestRows >= 1) {
    const timeW = 9;
    const msW = 9;
    const outW = wide ? 19 : 13;
    const trW = wide ? 10 : 0;
    const rest = Math.max(10, w - timeW - msW - outW - trW);
    const opColW = Math.max(6, Math.ceil(rest * 0.6));
    const actorW = Math.max(4, rest - opColW);
    lines.push(rule('latest requests', w, c));
    lines.push(fit([[cell('time', timeW) + cell('op', opColW) + cell('actor', actorW) + (wide ? cell('transport', trW) : '') + cell('outcome', outW) + rcell('ms', msW - 1), 'dim']], w, c));
    for (const r of state.recent.slice(0, requestRows)) {
      lines.push(
        fit(
          [
            cell(clock(r.at), timeW) + cell(r.op, opColW) + cell(r.actor || '-', actorW) + (wide ? cell(r.transport, trW) : ''),
            [cell(r.outcome, outW), r.outcome === 'ok' ? 'ok' : 'err'],
            rcell(formatMs(r.ms), msW - 1),
          ],
          w,
          c,
        ),
      );
    }
  }
  return lines.slice(0, h);
}

/** What to write to redraw in place: home, each line cleared to its end, the rest cleared. */
export function toScreen(lines: string[]): string {
  return '\x1b[H' + lines.map((l) => l + '\x1b[K').join('\r\n') + '\x1b[J';
}
