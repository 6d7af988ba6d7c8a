import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../shared/i18n.js';
import { Icon } from './Icon.js';

export interface CopyButtonProps {
  /** What goes on the clipboard. */
  text: string;
  /** Accessible name, e.g. "Copy account number". */
  label: string;
  /** Visible text; default "Copy". */
  children?: ComponentChildren;
  /** Milliseconds the "Copied" confirmation stays; default 2000. */
  resetAfter?: number;
}

/** Copies `text`, then says "Copied" (visibly and to screen readers) for a moment. */
export function CopyButton({ text, label, children = t('copy_button'), resetAfter = 2000 }: CopyButtonProps): JSX.Element {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);

  async function onClick(): Promise<void> {
    const ok = await copyText(text);
    setState(ok ? 'copied' : 'failed');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), resetAfter);
  }

  const outcome = state === 'copied' ? t('copy_done') : state === 'failed' ? t('copy_failed') : undefined;
  return (
    <button type="button" class={`copy-btn copy-btn--${state}`} onClick={() => void onClick()} aria-label={outcome ?? label}>
      <Icon name={state === 'copied' ? 'check' : 'copy'} size={14} />
      <span aria-live="polite">{outcome ?? children}</span>
    </button>
  );
}

/** The async clipboard API, with the old textarea trick where it is refused (no focus, older engines). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
