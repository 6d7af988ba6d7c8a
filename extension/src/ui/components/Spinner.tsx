import type { JSX } from 'preact';

export interface SpinnerProps {
  /** Read to screen readers ("Loading…"); omit when the text next to it already says so. */
  label?: string;
  /** Pixels; default 16. */
  size?: number;
}

/** A small rotating ring (still, when the person prefers reduced motion). */
export function Spinner({ label, size = 16 }: SpinnerProps): JSX.Element {
  return (
    <span class="spinner" style={{ width: `${size}px`, height: `${size}px` }} role={label ? 'status' : undefined}>
      {label ? <span class="sr-only">{label}</span> : null}
    </span>
  );
}
