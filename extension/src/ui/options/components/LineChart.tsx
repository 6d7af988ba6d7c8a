import type { JSX } from 'preact';
import { t } from '../../../shared/i18n.js';
import { formatNumber } from '../../format.js';
import { MAX_SAMPLES, areaPath, linePath, niceCeiling } from '../lib/chart.js';

export interface LineChartProps {
  /** Oldest first; the newest sits at the right edge. */
  values: readonly number[];
  /** The chart's name and current value, read by screen readers. */
  label: string;
  /** Axis maximum; default a round number above the largest value. */
  max?: number;
  /** Format for the axis labels. */
  format?: (n: number) => string;
  /** CSS colour of the line (a variable, e.g. var(--primary)). */
  color?: string;
  height?: number;
}

const WIDTH = 600;

/** A small live line chart in inline SVG (no library, nothing from the network). */
export function LineChart({ values, label, max, format = (n) => formatNumber(n), color = 'var(--primary)', height = 120 }: LineChartProps): JSX.Element {
  const top = max ?? niceCeiling(Math.max(0, ...values));
  const path = linePath(values, WIDTH, height, top, MAX_SAMPLES - 1);
  const area = areaPath(values, WIDTH, height, top, MAX_SAMPLES - 1);
  return (
    <figure class="o-chart">
      <svg class="o-chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} preserveAspectRatio="none" role="img" aria-label={label} style={{ color }}>
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} class="o-chart__grid" x1="0" x2={WIDTH} y1={height * f} y2={height * f} vector-effect="non-scaling-stroke" />
        ))}
        {area ? <path d={area} class="o-chart__area" fill="currentColor" /> : null}
        {path ? <path d={path} fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke" stroke-linejoin="round" /> : null}
      </svg>
      <div class="o-chart__axis" aria-hidden="true">
        <span>{format(top)}</span>
        <span>{format(0)}</span>
      </div>
      {values.length === 0 ? <figcaption class="o-chart__empty">{t('chart_collecting')}</figcaption> : null}
    </figure>
  );
}
