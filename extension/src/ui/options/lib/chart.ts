/*
 * The Relay screen's live chart: admin.stats is sampled every 2 s; rates are the change of a
 * counter over the time between two samples. Pure, so it is tested without timers.
 */

export interface StatsSample {
  /** When the answer arrived (ms, the page's clock). */
  t: number;
  /** The relay's uptime: a smaller value than before means it restarted and counters reset. */
  uptimeS: number;
  /** ledger.transfers: transfers posted since the ledger began. */
  transfers: number;
  /** tcp + ws connections right now. */
  connections: number;
  /** The sum of the relay's per-op request counters. */
  ops: number;
}

export interface RatePoint {
  t: number;
  transfersPerSecond: number;
  opsPerSecond: number;
  connections: number;
}

export const MAX_SAMPLES = 61; // 60 rates

/** Adds a sample, keeping the last `max`; a relay restart starts the series again. */
export function addSample(samples: readonly StatsSample[], sample: StatsSample, max = MAX_SAMPLES): StatsSample[] {
  const last = samples[samples.length - 1];
  if (last && (sample.uptimeS < last.uptimeS || sample.t <= last.t)) return [sample];
  const next = [...samples, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** One point per pair of consecutive samples: deltas over elapsed seconds, never negative. */
export function computeRates(samples: readonly StatsSample[]): RatePoint[] {
  const points: RatePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const seconds = (b.t - a.t) / 1000;
    if (!(seconds > 0)) continue;
    points.push({
      t: b.t,
      transfersPerSecond: Math.max(0, b.transfers - a.transfers) / seconds,
      opsPerSecond: Math.max(0, b.ops - a.ops) / seconds,
      connections: b.connections,
    });
  }
  return points;
}

/** A round upper bound for a chart's axis: 1, 2, 5, 10, 20, 50, … (at least 1). */
export function niceCeiling(n: number): number {
  if (!(n > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) {
    if (n <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

/**
 * Points for values spread evenly across `width` (the newest at the right edge, so a short
 * series grows in from the right), scaled so `max` touches the top. Only the last `slots`
 * values fit.
 */
export function chartPoints(values: readonly number[], width: number, height: number, max: number, slots = MAX_SAMPLES - 1): [number, number][] {
  const shown = values.length > slots ? values.slice(values.length - slots) : values;
  const step = slots > 1 ? width / (slots - 1) : width;
  const offset = slots - shown.length;
  const top = max > 0 ? max : 1;
  return shown.map((v, i) => [round((offset + i) * step), round(height - (Math.min(Math.max(v, 0), top) / top) * height)]);
}

/** The line through the points, as an SVG path. */
export function linePath(values: readonly number[], width: number, height: number, max: number, slots = MAX_SAMPLES - 1): string {
  return chartPoints(values, width, height, max, slots)
    .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`)
    .join(' ');
}

/** The same line closed along the bottom, for a soft fill under it. */
export function areaPath(values: readonly number[], width: number, height: number, max: number, slots = MAX_SAMPLES - 1): string {
  const points = chartPoints(values, width, height, max, slots);
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return '';
  return `${points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`).join(' ')} L${last[0]} ${height} L${first[0]} ${height} Z`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
