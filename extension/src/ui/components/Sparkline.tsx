import type { JSX } from 'preact';
import { useId } from 'preact/hooks';

export interface SparklineProps {
  /** The series, oldest first (e.g. balances in minor units). Fewer than 2 values draws nothing. */
  values: readonly number[];
  /** What it shows, for screen readers ("Balance over the last 12 transactions: from $10 to $40"). */
  label: string;
  width?: number;
  height?: number;
  class?: string;
}

/** A small inline-SVG line with a soft fill under it; scales to the width it is given. */
export function Sparkline({ values, label, width = 320, height = 48, class: className }: SparklineProps): JSX.Element | null {
  const gradientId = `spark${useId()}`;
  if (values.length < 2) return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const pad = 3;
  const points = values.map((v, i) => {
    const x = (i / (values.length - 1)) * width;
    // A flat series sits in the middle rather than on the floor.
    const y = max === min ? height / 2 : pad + (1 - (v - min) / span) * (height - 2 * pad);
    return [Number(x.toFixed(2)), Number(y.toFixed(2))] as const;
  });
  const line = points.map(([x, y]) => `${x},${y}`).join(' ');
  const last = points[points.length - 1]!;
  return (
    <svg
      class={className ? `sparkline ${className}` : 'sparkline'}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <defs>
        <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" stop-color="currentColor" stop-opacity="0.22" />
          <stop offset="100%" stop-color="currentColor" stop-opacity="0" />
        </linearGradient>
      </defs>
      <polygon points={`0,${height} ${line} ${width},${height}`} fill={`url(#${gradientId})`} stroke="none" />
      <polyline points={line} fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke" stroke-linejoin="round" />
      <circle cx={last[0]} cy={last[1]} r="3" fill="currentColor" />
    </svg>
  );
}
