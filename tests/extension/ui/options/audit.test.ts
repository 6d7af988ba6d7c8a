// @vitest-environment happy-dom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { h } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../../common/schemas/models.js';
import { App } from '../../../../extension/src/ui/options/App.js';
import { AUDIT_WINDOW, readNewer, readOlder, type AuditQueryArgs } from '../../../../extension/src/ui/options/lib/audit-log.js';
import { answerCalls, callsOf, setAppState } from './fake-bridge.js';
import { adminState } from './fixtures.js';
import './setup.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));

const HASH = 'c'.repeat(64);

function entry(seq: number, patch: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq,
    ts: new Date(Date.UTC(2024, 4, 1, 12, 0, seq % 60)).toISOString(),
    actor: seq % 2 ? 'root' : 'jane',
    role: seq % 2 ? 'admin' : 'user',
    action: seq % 3 ? 'auth.login' : 'transfer.create',
    outcome: 'ok',
    prev: HASH,
    hash: HASH,
    ...patch,
  };
}

/** A relay-like admin.audit.query over a log of `n` entries (which may grow). */
function fakeLog(log: AuditEntry[]) {
  return (args: AuditQueryArgs) => {
    const head = { seq: log.length, hash: HASH };
    const out: AuditEntry[] = [];
    for (const e of log) {
      if (e.seq <= (args.afterSeq ?? 0)) continue;
      if (args.actor !== undefined && e.actor !== args.actor) continue;
      if (args.action !== undefined && e.action !== args.action) continue;
      out.push(e);
      if (out.length === args.limit) break;
    }
    return Promise.resolve({ entries: out, head });
  };
}

const makeLog = (n: number) => Array.from({ length: n }, (_, i) => entry(i + 1));

describe('reading the audit log newest first (pure)', () => {
  it('reads windows backwards from the head and keeps only each window', async () => {
    const log = makeLog(1200);
    const page = await readOlder(fakeLog(log), 1200, {}, 50);
    expect(page.entries.map((e) => e.seq)).toEqual(Array.from({ length: AUDIT_WINDOW }, (_, i) => 1200 - i));
    expect(page.nextHi).toBe(700);
    const rest = await readOlder(fakeLog(log), page.nextHi, {}, 2000);
    expect(rest.entries[0]!.seq).toBe(700);
    expect(rest.entries.at(-1)!.seq).toBe(1);
    expect(rest.nextHi).toBe(0);
  });

  it('keeps reading windows until enough entries match the filters', async () => {
    const log = makeLog(1200).map((e) => (e.seq === 3 || e.seq === 1100 ? { ...e, actor: 'mallory' } : e));
    const page = await readOlder(fakeLog(log), 1200, { actor: 'mallory' }, 50);
    expect(page.entries.map((e) => e.seq)).toEqual([1100, 3]);
    expect(page.nextHi).toBe(0);
  });

  it('tails with afterSeq and moves on to the head', async () => {
    const log = makeLog(10);
    const first = await readNewer(fakeLog(log), 10, {});
    expect(first).toEqual({ entries: [], lastSeq: 10 });
    log.push(entry(11), entry(12));
    const next = await readNewer(fakeLog(log), 10, {});
    expect(next.entries.map((e) => e.seq)).toEqual([12, 11]);
    expect(next.lastSeq).toBe(12);
  });
});

describe('the Audit log screen', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function openAudit(log: AuditEntry[], verify: () => unknown): void {
    answerCalls({ 'admin.audit.query': fakeLog(log), 'admin.audit.verify': verify });
    history.replaceState(null, '', '#/audit');
    setAppState(adminState());
    render(h(App, {}));
  }

  it('shows entries newest first with every column', async () => {
    openAudit([entry(1), entry(2, { target: 'alice', outcome: 'bad_password', details: { from: 'active' } })], () => ({}));
    const rows = await screen.findAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.textContent).toContain('alice');
    expect(rows[1]!.textContent).toContain('bad_password');
    expect(rows[1]!.textContent).toContain('from=active');
    expect(rows[1]!.textContent).toContain('jane');
    expect(rows[2]!.textContent).toMatch(/^1/);
  });

  it('verifies the chain and shows an intact result', async () => {
    openAudit(makeLog(3), () => ({ ok: true, entries: 3, head: { seq: 3, hash: 'f'.repeat(64) } }));
    await screen.findAllByRole('row');
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }));
    expect(await screen.findByText('Audit chain intact')).toBeTruthy();
    expect(screen.getByText(/All 3 entries verified/)).toBeTruthy();
    expect(callsOf('admin.audit.verify')).toEqual([{}]);
  });

  it('shows a broken chain and where', async () => {
    openAudit(makeLog(3), () => ({ ok: false, entries: 2, head: { seq: 3, hash: HASH }, problem: 'seq 2: hash does not match' }));
    await screen.findAllByRole('row');
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }));
    expect(await screen.findByText('Audit chain broken')).toBeTruthy();
    expect(screen.getByText('seq 2: hash does not match')).toBeTruthy();
  });

  it('filters by actor and action', async () => {
    openAudit(makeLog(6), () => ({}));
    await screen.findAllByRole('row');
    fireEvent.input(screen.getByLabelText('Actor'), { target: { value: 'jane' } });
    fireEvent.input(screen.getByLabelText('Action'), { target: { value: 'transfer.create' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    expect(screen.getAllByRole('row')[1]!.textContent).toMatch(/^6/);
    expect(callsOf('admin.audit.query').at(-1)).toMatchObject({ actor: 'jane', action: 'transfer.create' });
  });

  it('tails new entries every 2 seconds while Live tail is on', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const log = makeLog(2);
    openAudit(log, () => ({}));
    await screen.findAllByRole('row');
    fireEvent.click(screen.getByRole('switch', { name: 'Live tail' }));
    log.push(entry(3, { action: 'admin.user.create', target: 'newbie' }));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2100);
    });
    await screen.findByText('newbie');
    expect(callsOf('admin.audit.query').at(-1)).toMatchObject({ afterSeq: 2 });
    expect(screen.getAllByRole('row')[1]!.textContent).toMatch(/^3/);
  });
});
