import type { Entry } from '../../../common/schemas/models.js';
import { legsOf } from '../../ledger/legs.js';
import type { TransferRecord } from '../../ledger/types.js';
import { StartupError } from '../../startup/startup-error.js';
import { chunkKey, chunkOf, legKey, toRow, type JournalRow } from './journal.js';
import { LAYOUT, LAYOUT_KEY, type LevelTables } from './tables.js';

/** Entries in one history run the migration writes (the relay's own runs hold one batch's worth). */
const RUN = 64;
/** Transfers moved per LevelDB batch. */
const STEP = 2_000;

/**
 * Moves a database written by an earlier release (layout 1: a key per transfer, per place in
 * the ledger's order and per leg) to layout 2 (journal chunks and history runs, tables.ts), when
 * it is opened. Each transfer is checked against the two legs layout 1 stored for it before its
 * row is written; a mismatch stops the move with nothing removed. The new keys are written
 * first and marked complete in the last batch; only then are the old ones removed (a move cut
 * short starts again; a cleanup cut short goes on at the next open).
 */
export async function ensureLayout(t: LevelTables, progress: (what: string) => void = () => {}): Promise<void> {
  const layout = (await t.meta.get(LAYOUT_KEY)) as number | undefined;
  if (layout !== undefined && layout > LAYOUT) {
    throw new StartupError(`the database is in layout ${layout}, newer than this relay knows (${LAYOUT}); upgrade the relay before opening it`);
  }
  const legacy = {
    transfers: t.db.sublevel<string, TransferRecord>('transfers', { valueEncoding: 'json' }),
    txlog: t.db.sublevel<string, string>('txlog', { valueEncoding: 'json' }),
    entries: t.db.sublevel<string, Entry>('entries', { valueEncoding: 'json' }),
  };
  const holds = async (s: { keys(o: { limit: number }): AsyncIterable<string> }) => {
    for await (const _ of s.keys({ limit: 1 })) return true;
    return false;
  };
  if (layout === LAYOUT) {
    if ((await holds(legacy.transfers)) || (await holds(legacy.txlog)) || (await holds(legacy.entries))) await dropLegacy(legacy, progress);
    return;
  }
  if (!(await holds(legacy.txlog)) && !(await holds(legacy.entries))) {
    // New, or a layout-1 bank that never moved money: nothing to move.
    await t.meta.put(LAYOUT_KEY, LAYOUT);
    return;
  }
  progress('layout 1 → 2: moving transfers into the journal');
  // Whatever an earlier attempt left of the new keys goes first.
  await t.journal.clear();
  await t.legs.clear();
  const runs = new Map<string, { first: number; seqs: number[] }>();
  let batch = t.db.batch();
  let pending = 0;
  let chunk = 0;
  let rows: JournalRow[] = [];
  let seq = 0;
  const flushRun = (account: string, run: { first: number; seqs: number[] }) => batch.put(t.prefix('legs') + legKey(account, run.first), run.seqs);
  const leg = (account: string, n: number, at: number) => {
    let run = runs.get(account);
    if (run && run.first + run.seqs.length !== n) throw new StartupError(`cannot move the database to the current layout: account ${account}'s entry ${run.first + run.seqs.length} is missing (transfer seq ${at} is its entry ${n}); restore it from a backup`);
    if (!run) {
      if (n !== 1) throw new StartupError(`cannot move the database to the current layout: account ${account}'s first entry is ${n}, not 1; restore it from a backup`);
      runs.set(account, (run = { first: 1, seqs: [] }));
    }
    run.seqs.push(at);
    if (run.seqs.length === RUN) {
      flushRun(account, run);
      runs.set(account, { first: run.first + RUN, seqs: [] });
    }
  };
  let ids: string[] = [];
  const move = async () => {
    const records = (await legacy.transfers.getMany(ids)) as (TransferRecord | undefined)[];
    const legKeys = records.flatMap((r, i) => (r ? [entryKey(r.from, r.fromEntry), entryKey(r.to, r.toEntry)] : [`missing ${ids[i]}`]));
    const stored = (await legacy.entries.getMany(legKeys)) as (Entry | undefined)[];
    records.forEach((r, i) => {
      seq++;
      if (!r || r.seq !== seq) throw new StartupError(`cannot move the database to the current layout: transfer ${ids[i]} at seq ${seq} of the ledger's order is missing or misplaced; restore it from a backup`);
      const [out, into] = legsOf(r);
      for (const [want, got] of [[out, stored[2 * i]], [into, stored[2 * i + 1]]] as const) {
        if (!got || got.transferId !== want.transferId || got.amount !== want.amount || got.balanceAfter !== want.balanceAfter || got.counterparty !== want.counterparty) {
          throw new StartupError(`cannot move the database to the current layout: transfer ${r.id} disagrees with its stored legs; restore it from a backup`);
        }
      }
      if (chunkOf(r.seq) !== chunk) {
        batch.put(t.prefix('journal') + chunkKey(chunk), rows);
        chunk = chunkOf(r.seq);
        rows = [];
      }
      rows.push(toRow(r));
      leg(r.from, r.fromEntry, r.seq);
      leg(r.to, r.toEntry, r.seq);
    });
    pending += ids.length;
    ids = [];
    if (pending >= STEP * 5) {
      await batch.write();
      batch = t.db.batch();
      pending = 0;
      progress(`layout 1 → 2: ${seq} transfers moved`);
    }
  };
  for await (const id of legacy.txlog.values()) {
    ids.push(id as string);
    if (ids.length === STEP) await move();
  }
  await move();
  if (rows.length > 0) batch.put(t.prefix('journal') + chunkKey(chunk), rows);
  for (const [account, run] of runs) if (run.seqs.length > 0) flushRun(account, run);
  // Every stored leg belongs to one of the transfers moved.
  let legs = 0;
  for await (const _ of legacy.entries.keys()) legs++;
  if (legs !== 2 * seq) throw new StartupError(`cannot move the database to the current layout: it holds ${legs} legs for ${seq} transfers; restore it from a backup`);
  batch.put(t.prefix('meta') + LAYOUT_KEY, LAYOUT);
  await batch.write({ sync: true });
  progress(`layout 1 → 2: ${seq} transfers moved; removing the old keys`);
  await dropLegacy(legacy, progress);
}

async function dropLegacy(legacy: Record<'transfers' | 'txlog' | 'entries', { clear(): Promise<void> }>, progress: (what: string) => void): Promise<void> {
  for (const [name, s] of Object.entries(legacy)) {
    await s.clear();
    progress(`layout 1 → 2: old ${name} keys removed`);
  }
}

/** A leg's key in layout 1: `<account>!<n, 12 digits>`. */
function entryKey(account: string, n: number): string {
  return `${account}!${String(n).padStart(12, '0')}`;
}
