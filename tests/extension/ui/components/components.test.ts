// @vitest-environment happy-dom
import { h, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AmountField } from '../../../../extension/src/ui/components/AmountField.js';
import { Button, IconButton } from '../../../../extension/src/ui/components/Button.js';
import { CopyButton } from '../../../../extension/src/ui/components/CopyButton.js';
import { EmptyState } from '../../../../extension/src/ui/components/EmptyState.js';
import { ConfirmDialog, Modal } from '../../../../extension/src/ui/components/Modal.js';
import { Money } from '../../../../extension/src/ui/components/Money.js';
import { Notice } from '../../../../extension/src/ui/components/Notice.js';
import { Sparkline } from '../../../../extension/src/ui/components/Sparkline.js';
import { StatusPill } from '../../../../extension/src/ui/components/StatusPill.js';
import { TextField } from '../../../../extension/src/ui/components/TextField.js';

afterEach(cleanup);

function Controlled(props: { error?: string; hint?: string }) {
  const [value, setValue] = useState('');
  return h(TextField, { label: 'Name', value, onValue: setValue, ...props });
}

describe('TextField', () => {
  it('is labelled, and links its hint and error with aria-describedby', () => {
    render(h(Controlled, { hint: 'As on your card', error: 'Enter your name' }));
    const input = screen.getByLabelText('Name');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = input.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)!.textContent);
    expect(described).toEqual(['Enter your name', 'As on your card']);
    expect(screen.getByRole('alert').textContent).toBe('Enter your name');
  });

  it('reports every keystroke and has no error state when valid', () => {
    const onValue = vi.fn();
    render(h(TextField, { label: 'Name', value: '', onValue }));
    const input = screen.getByLabelText('Name');
    fireEvent.input(input, { target: { value: 'Jo' } });
    expect(onValue).toHaveBeenCalledWith('Jo');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('AmountField', () => {
  it('is a text input with a decimal keyboard and the currency symbol in front', () => {
    render(h(AmountField, { label: 'Amount', value: '', onValue: () => undefined, currency: 'EUR' }));
    const input = screen.getByLabelText('Amount') as HTMLInputElement;
    expect(input.type).toBe('text');
    expect(input.getAttribute('inputmode')).toBe('decimal');
    expect(document.querySelector('.field__prefix')!.textContent).toBe('€');
  });
});

describe('Button', () => {
  it('never submits by accident, and shows progress while loading', () => {
    const onClick = vi.fn();
    const { rerender } = render(h(Button, { onClick }, 'Save'));
    const button = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(button.type).toBe('button');
    fireEvent.click(button);
    expect(onClick).toHaveBeenCalledTimes(1);
    rerender(h(Button, { onClick, loading: true, loadingText: 'Saving…' }, 'Save'));
    const busy = screen.getByRole('button', { name: 'Saving…' }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    expect(busy.getAttribute('aria-busy')).toBe('true');
  });

  it('IconButton is named by its label, and counts in its name', () => {
    render(h(IconButton, { label: 'Notifications', badge: 3 }, 'x'));
    expect(screen.getByRole('button', { name: 'Notifications, 3 new' }).getAttribute('title')).toBe('Notifications');
  });
});

describe('Money', () => {
  it('formats minor units; signed amounts colour incoming money', () => {
    render(h('div', null, h(Money, { minor: 123_456 }), h(Money, { minor: 500, signed: true }), h(Money, { minor: -5, signed: true }), h(Money, { minor: 1_234, currency: 'JPY' })));
    expect(screen.getByText('$1,234.56')).toBeTruthy();
    expect(screen.getByText('+$5.00').className).toContain('money--in');
    expect(screen.getByText('\u2212$0.05').className).toContain('money--out');
    expect(screen.getByText('¥1,234')).toBeTruthy();
  });
});

describe('StatusPill', () => {
  it('says live, or the state and since when the data is from', () => {
    const now = new Date(2024, 4, 15, 12, 0);
    const { rerender } = render(h(StatusPill, { status: 'live', syncedAt: now.toISOString(), now }));
    expect(screen.getByRole('status').textContent).toBe('Live');
    rerender(h(StatusPill, { status: 'offline', syncedAt: new Date(2024, 4, 14, 18, 30).toISOString(), detail: 'relay unreachable', now }));
    expect(screen.getByRole('status').textContent).toMatch(/^Offline\s*as of May 14, 6:30\s?PM$/);
    expect(screen.getByRole('status').getAttribute('title')).toMatch(/^relay unreachable · Last confirmed/);
  });
});

describe('Sparkline', () => {
  it('draws the series left to right, highest at the top, with an accessible label', () => {
    render(h(Sparkline, { values: [0, 50, 100], label: 'Balance rising', width: 100, height: 50 }));
    const svg = screen.getByRole('img', { name: 'Balance rising' });
    const points = svg.querySelector('polyline')!.getAttribute('points')!.split(' ').map((p) => p.split(',').map(Number));
    expect(points.map((p) => p[0])).toEqual([0, 50, 100]);
    expect(points[0]![1]).toBeGreaterThan(points[2]![1]!);
  });

  it('draws nothing for fewer than two values', () => {
    const { container } = render(h(Sparkline, { values: [5], label: 'x' }));
    expect(container.querySelector('svg')).toBeNull();
  });
});

describe('EmptyState and Notice', () => {
  it('render their text; errors are announced', () => {
    render(h('div', null, h(EmptyState, { title: 'Nothing yet' }, 'It will show here.'), h(Notice, { tone: 'error', title: 'Failed' }, 'Try again')));
    expect(screen.getByText('Nothing yet')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Failed');
  });
});

describe('CopyButton', () => {
  it('copies and then says "Copied"', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(h(CopyButton, { text: 'DB35000000000001', label: 'Copy account number' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy account number' }));
    await screen.findByText('Copied');
    expect(writeText).toHaveBeenCalledWith('DB35000000000001');
    expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy();
  });
});

function DialogHarness({ children }: { children?: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  return h(
    'div',
    null,
    h('button', { type: 'button', onClick: () => setOpen(true) }, 'Open'),
    h(Modal, { open, title: 'Edit', onClose: () => setOpen(false), actions: h('button', { type: 'button' }, 'Last') }, h('input', { 'aria-label': 'First' }), children),
  );
}

describe('Modal', () => {
  it('moves focus in, keeps Tab inside, closes on Escape and gives focus back', () => {
    render(h(DialogHarness, null));
    const opener = screen.getByRole('button', { name: 'Open' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Edit' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(screen.getByLabelText('First'));
    screen.getByRole('button', { name: 'Last' }).focus();
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(screen.getByLabelText('First'));
    fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Last' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });
});

describe('ConfirmDialog', () => {
  it('starts on Cancel, and shows a failed confirmation in the dialog', async () => {
    const onConfirm = vi.fn(async () => {
      throw new Error('The relay refused');
    });
    const onCancel = vi.fn();
    render(h(ConfirmDialog, { open: true, title: 'Delete?', confirmLabel: 'Delete', onConfirm, onCancel }, 'This cannot be undone.'));
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The relay refused'));
    fireEvent.keyDown(screen.getByRole('alertdialog'), { key: 'Escape' });
    expect(onCancel).toHaveBeenCalled();
  });
});
