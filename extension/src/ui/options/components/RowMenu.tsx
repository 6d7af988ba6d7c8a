import type { JSX } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../../shared/i18n.js';

export interface RowMenuItem {
  label: string;
  /** Accessible name when the label alone is ambiguous ("Freeze alice"). */
  ariaLabel?: string;
  onSelect: () => void;
  danger?: boolean;
}

/**
 * "More ▾" for the less frequent actions of a table row: a disclosure (button with
 * aria-expanded) over a short list of buttons. Arrow keys move between them, Escape or a click
 * elsewhere closes it, and focus goes back to the toggle so a dialog opened from an item
 * returns focus there. Drawn with position: fixed, so a scrolling table never clips it.
 */
export function RowMenu({ label, items }: { label: string; items: readonly RowMenuItem[] }): JSX.Element {
  const [open, setOpen] = useState(false);
  // From the toggle's end edge: its right in a left-to-right page, its left in a right-to-left one.
  const [place, setPlace] = useState<{ top: number; end: number }>();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const listId = `menu${useId()}`;

  useLayoutEffect(() => {
    if (!open || !toggle.current) return;
    const r = toggle.current.getBoundingClientRect();
    // Below the toggle, or above it when the window has no room below (a row near the bottom).
    const height = root.current?.querySelector<HTMLElement>('.o-menu__list')?.offsetHeight ?? 0;
    const below = r.bottom + 4;
    const top = below + height > window.innerHeight - 8 && r.top - 4 - height >= 8 ? r.top - 4 - height : below;
    const rtl = getComputedStyle(toggle.current).direction === 'rtl';
    setPlace({ top, end: Math.max(8, rtl ? r.left : window.innerWidth - r.right) });
    // Focusing must not scroll: a scroll closes the menu (below).
    root.current?.querySelector<HTMLElement>('.o-menu__item')?.focus({ preventScroll: true });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    // Where the toggle was when the menu opened: a scroll that does not move it (one that
    // ended just before, say) leaves the menu where it belongs.
    const at = toggle.current?.getBoundingClientRect();
    const close = (e: Event) => {
      if (e.type === 'mousedown' && root.current?.contains(e.target as Node)) return;
      if (e.type === 'scroll' && at) {
        const now = toggle.current?.getBoundingClientRect();
        if (now && Math.abs(now.top - at.top) < 1 && Math.abs(now.left - at.left) < 1) return;
      }
      setOpen(false);
    };
    document.addEventListener('mousedown', close);
    window.addEventListener('resize', close);
    window.addEventListener('scroll', close, true);
    return () => {
      document.removeEventListener('mousedown', close);
      window.removeEventListener('resize', close);
      window.removeEventListener('scroll', close, true);
    };
  }, [open]);

  function onKeyDown(e: KeyboardEvent): void {
    if (!open) return;
    const buttons = Array.from(root.current?.querySelectorAll<HTMLElement>('.o-menu__item') ?? []);
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      toggle.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? (at + 1) % buttons.length : (at - 1 + buttons.length) % buttons.length;
      buttons[next]?.focus();
    }
  }

  return (
    <div class="o-menu" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={toggle}
        type="button"
        class="btn btn--secondary btn--sm"
        aria-expanded={open}
        aria-controls={listId}
        aria-label={label}
        onClick={() => setOpen((o) => !o)}
      >
        {t('row_menu_more')} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <ul id={listId} class="o-menu__list" style={place ? { top: `${place.top}px`, insetInlineEnd: `${place.end}px` } : undefined}>
          {items.map((item) => (
            <li key={item.label}>
              <button
                type="button"
                class={item.danger ? 'o-menu__item o-menu__item--danger' : 'o-menu__item'}
                aria-label={item.ariaLabel}
                onClick={() => {
                  toggle.current?.focus();
                  setOpen(false);
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
