import type { ComponentChildren, JSX, RefObject } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { t } from '../../shared/i18n.js';
import { Button } from './Button.js';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface ModalProps {
  open: boolean;
  title: string;
  /** Escape, a click on the backdrop, or a Cancel button call this. */
  onClose: () => void;
  children?: ComponentChildren;
  /** Buttons at the bottom. */
  actions?: ComponentChildren;
  /** Where focus goes when it opens; default the first focusable element. */
  initialFocus?: RefObject<HTMLElement>;
  /** alertdialog for confirmations that interrupt. */
  role?: 'dialog' | 'alertdialog';
}

/**
 * A modal dialog: focus moves in and is kept inside (Tab wraps), Escape closes it, and focus
 * returns to what had it before. Rendered in place (no portal), over everything via CSS.
 */
export function Modal({ open, title, onClose, children, actions, initialFocus, role = 'dialog' }: ModalProps): JSX.Element | null {
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    if (!open) return;
    const before = document.activeElement as HTMLElement | null;
    const target = initialFocus?.current ?? panel.current?.querySelector<HTMLElement>(FOCUSABLE) ?? panel.current;
    target?.focus();
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, [open]);

  if (!open) return null;

  function onKeyDown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.stopPropagation();
      e.preventDefault();
      onCloseRef.current();
      return;
    }
    if (e.key !== 'Tab' || !panel.current) return;
    const items = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    <div
      class="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onCloseRef.current();
      }}
    >
      <div
        ref={panel}
        class="modal"
        role={role}
        aria-modal="true"
        aria-labelledby={`m${id}-title`}
        aria-describedby={`m${id}-body`}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 class="modal__title" id={`m${id}-title`}>
          {title}
        </h2>
        <div class="modal__body" id={`m${id}-body`}>
          {children}
        </div>
        {actions ? <div class="modal__actions">{actions}</div> : null}
      </div>
    </div>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in a sentence or two. */
  children?: ComponentChildren;
  confirmLabel: string;
  cancelLabel?: string;
  /** danger for destructive or risky actions (the default). */
  tone?: 'danger' | 'primary';
  /** May return a promise: the button shows progress, and a rejection's message is shown in the dialog. */
  onConfirm: () => unknown;
  onCancel: () => void;
}

/**
 * "Are you sure?" for destructive or risky actions. Focus starts on Cancel, so Enter on an
 * unexpected dialog does nothing harmful.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = t('common_cancel'),
  tone = 'danger',
  onConfirm,
  onCancel,
}: ConfirmDialogProps): JSX.Element | null {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (open) setError(undefined);
  }, [open]);

  async function confirm(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={title}
      role="alertdialog"
      onClose={() => {
        if (!busy) onCancel();
      }}
      initialFocus={cancelRef as RefObject<HTMLElement>}
      actions={
        <>
          <button ref={cancelRef} type="button" class="btn btn--secondary" onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </button>
          <Button variant={tone} loading={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      {error ? (
        <p class="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
