import type { AuditHead } from '../../../common/schemas/models.js';
import { LedgerEngine } from '../../ledger/engine.js';
import { accountSerial } from '../../ledger/serial.js';
import type { AccountState, LedgerRules } from '../../ledger/types.js';
import { CHUNK, chunkKey, chunkOf, firstSeqOf, transfersOf, type JournalRow } from './journal.js';
import { chunksForward, lastChunk } from './journal-reads.js';
import { AccountsDigest, loadLedgerCheckpoint } from './ledger-checkpoint.js';
import { scan } from './scan.js';
import type { LevelTables } from './tables.js';
import { TransferIdFilter } from './transfer-id-filter.js';
import { loadIdSnapshot } from './transfer-id-snapshot.js';

/** The ledger as read at a start: memory for the engine, and what the start-up check found. */
export interface LoadedLedger {
  engine: LedgerEngine;
  ids: TransferIdFilter;
  head: AuditHead;
  /** The journal's last chunk, the one the next commit adds to. */
  openChunk: { chunk: number; rows: JournalRow[] };
  /** 'checkpoint': the database was as the last clean stop left it; 'replay': the journal was read and checked whole. */
  trusted: 'checkpoint' | 'replay';
  /** Where the transfer-id filter came from: its snapshot (plus the journal after it), or the journal. */
  idsFrom: 'snapshot' | 'journal';
  /** The ledger half of the start-up check, one sentence each (empty: none). */
  problems: string[];
}

export interface LoadOptions {
  /** The transfer-id filter's snapshot file. */
  idSnapshot?: string;
  /** The signed checkpoint of the last clean stop, and the identity key it must be signed with. */
  checkpoint?: { file: string; spki: Uint8Array };
}

/**
 * Reads every account into memory, and the journal's tail; writes nothing. After a clean stop
 * whose signed checkpoint still describes the database (the same audit head and journal, and
 * accounts that hash to its digest), that is all: the ids come from their snapshot. Otherwise
 * (after a crash, or when anything changed since) the whole journal is replayed: it rebuilds
 * the id filter and checks every account against it (its entries run 1..n and the last one
 * ends at its balance). Either way the balances must sum to 0.
 */
export async function loadLedger(t: LevelTables, rules: LedgerRules, opts: LoadOptions = {}): Promise<LoadedLedger> {
  const engine = new LedgerEngine(rules);
  // The id snapshot and the checkpoint are read while the accounts are.
  const [scanned, tail, head, checkpoint, snapshot] = await Promise.all([
    readAccounts(t, engine),
    lastChunk(t),
    t.auditHead(),
    opts.checkpoint ? loadLedgerCheckpoint(opts.checkpoint.file, opts.checkpoint.spki) : undefined,
    opts.idSnapshot !== undefined ? loadIdSnapshot(opts.idSnapshot) : undefined,
  ]);
  const { count, digest, maxSerial, sum } = scanned;
  const transferSeq = tail ? firstSeqOf(tail.chunk) + tail.rows.length - 1 : 0;
  engine.load([], [], maxSerial + 1, transferSeq);
  const openChunk = tail ?? { chunk: 0, rows: [] };
  const problems: string[] = [];

  const trusted =
    checkpoint !== undefined &&
    checkpoint.head.seq === head.seq &&
    checkpoint.head.hash === head.hash &&
    checkpoint.transfers === transferSeq &&
    checkpoint.accounts === count &&
    checkpoint.digest === digest;

  let ids: TransferIdFilter | undefined;
  let idsFrom: LoadedLedger['idsFrom'] = 'journal';
  if (snapshot) {
    if (snapshot.seq <= transferSeq) {
      const there = await idAt(t, snapshot.seq);
      if (there === snapshot.idAtSeq) {
        ids = snapshot.filter;
        idsFrom = 'snapshot';
        if (trusted) {
          // Only the transfers after the snapshot are read.
          for await (const [chunk, rows] of chunksForward(t, {}, chunkOf(snapshot.seq))) {
            for (const r of transfersOf(chunk, rows)) if (r.seq > snapshot.seq) ids.add(r.id, r.seq);
          }
        }
      }
    }
  }

  if (!trusted || !ids) {
    // The whole journal, in order: the ids, and each account's entries as they run.
    const filter = new TransferIdFilter(transferSeq);
    const replayed = new Map<string, { n: number; last: number }>();
    const step = (account: string, n: number, after: number): string | undefined => {
      const r = replayed.get(account);
      const had = r?.n ?? 0;
      if (n !== had + 1) return `account ${account}: entry ${had + 1} is missing from the journal (found ${n})`;
      if (r) {
        r.n = n;
        r.last = after;
      } else replayed.set(account, { n, last: after });
      return undefined;
    };
    let problem: string | undefined;
    for await (const [chunk, rows] of chunksForward(t)) {
      for (const tr of transfersOf(chunk, rows)) {
        filter.add(tr.id, tr.seq);
        problem ??= step(tr.from, tr.fromEntry, tr.fromBalanceAfter) ?? step(tr.to, tr.toEntry, tr.toBalanceAfter);
      }
    }
    ids = filter;
    idsFrom = 'journal';
    if (!trusted) {
      if (problem) problems.push(problem);
      for (const a of engine.accounts.values()) {
        if (problems.length > 0) break;
        const r = replayed.get(a.account);
        if (!r) {
          if (a.balance !== 0 || a.entrySeq !== 0) problems.push(`account ${a.account}: balance ${a.balance} with no entries`);
          continue;
        }
        if (r.n !== a.entrySeq) problems.push(r.n > a.entrySeq ? `account ${a.account} has an entry ${a.entrySeq + 1} after the ${a.entrySeq} it records` : `account ${a.account}: its last entry (${a.entrySeq}) is missing`);
        else if (r.last !== a.balance) problems.push(`account ${a.account}: balance ${a.balance} but its last entry ends at ${r.last}`);
      }
      for (const account of replayed.keys()) {
        if (problems.length > 0) break;
        if (!engine.accounts.has(account)) problems.push(`entries exist for unknown account ${account}`);
      }
    }
  }
  if (problems.length === 0 && sum !== 0) problems.push(`the account balances sum to ${sum}, not 0`);
  return { engine, ids, head, openChunk, trusted: trusted ? 'checkpoint' : 'replay', idsFrom, problems };
}

/** Every account, in key order, into the engine as read, with their digest, the highest serial and the balances' sum. */
async function readAccounts(t: LevelTables, engine: LedgerEngine): Promise<{ count: number; digest: string; maxSerial: number; sum: number }> {
  const digest = new AccountsDigest();
  let maxSerial = 0;
  let sum = 0;
  await scan(t.accounts.values(), (batch) => {
    const read = batch as AccountState[];
    for (const a of read) {
      sum += a.balance;
      maxSerial = Math.max(maxSerial, accountSerial(a.account));
    }
    // The engine indexes this batch while the next is read.
    engine.loadAccounts(read);
    digest.addAll(read);
  });
  return { count: digest.count, digest: digest.hex(), maxSerial, sum };
}

/** The id of the transfer at `seq`, when the journal holds it. */
export async function idAt(t: LevelTables, seq: number): Promise<string | undefined> {
  const rows = (await t.journal.get(chunkKey(chunkOf(seq)))) as JournalRow[] | undefined;
  return rows?.[(seq - 1) % CHUNK]?.[0];
}
