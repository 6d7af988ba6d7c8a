import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import { isLarge } from '../../ledger/engine.js';
import { ledgerRules } from '../../ledger/rules.js';
import { notifyCommitted, type PostedView } from '../../ledger/notify.js';
import type { TransferRecord } from '../../ledger/types.js';
import { closeEndedSessions } from '../../session/revoke.js';
import { StartupError } from '../../startup/startup-error.js';
import { enforceStartupCheck } from '../../startup/startup-check.js';
import type { OpenedStore, StoreOpening } from '../opened-store.js';
import { openPool } from './connect.js';
import { KeptListener, shareEvent, type PostedRange, type RelayNotice } from './event-hub.js';
import { migrate } from './migrations.js';
import { PgBank } from './pg-bank.js';
import { openPgWriters } from './pg-writers.js';
import { pgQuickCheck } from './quick-check.js';
import { redactUrl } from './url.js';

/** How often the figures for metrics and admin.stats are read again. */
const COUNTS_EVERY_MS = 5_000;
/**
 * Up to this many people signed in here, another relay's commit that could not name whom it
 * concerns is read only for them; above, it is read whole (matching against a very long list
 * would cost more than reading the range).
 */
const FILTER_MAX = 5_000;

/** A posted transfer read back, with the owners of its accounts who matter here (null: the cash account, or nobody here). */
interface PostedRow {
  record: TransferRecord;
  from_owner: string | null;
  to_owner: string | null;
}

/**
 * The PostgreSQL store: the schema migrated on start, the start-up check as SQL,
 * the cash account opened once by whichever relay is first, and one LISTEN connection through
 * which this relay hears what the bank's other relays posted, ended and raised, and tells its
 * own sessions.
 */
export async function openPgStore({ config, log, clock, metrics, events, live, onCommitted }: StoreOpening): Promise<OpenedStore> {
  const url = config.store;
  const where = redactUrl(url);
  // An idle connection that dies is replaced by the pool; a query on a dying one fails alone.
  const pool = openPool(url, config.postgresPoolSize, (err) => log.warn('a PostgreSQL connection failed; the pool opens another', { store: where, error: err.message }));
  const bank = new PgBank(pool);
  const closers: (() => Promise<void>)[] = [() => bank.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw new StartupError(`cannot reach the PostgreSQL store at ${where}: ${(err as Error).message}`);
    }
    try {
      const m = await migrate(client);
      log.info('PostgreSQL schema', { store: where, version: m.to, applied: m.applied });
    } finally {
      client.release();
    }
    const check = await pgQuickCheck(pool);
    enforceStartupCheck(check, config.forceStart, log, () =>
      [
        `refusing to serve: the start-up check of the PostgreSQL store ${where} found a mismatch`,
        ...check.problems.map((p) => `  - ${p}`),
        `Run \`bank-relay ledger verify --store URL\` and \`bank-relay audit verify --store URL\` for a full report, or start with --force to serve anyway.`,
      ].join('\n'),
    );

    // A name no other relay has, so each skips only its own notifications.
    const relayName = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const rules = ledgerRules(config);
    const { writer, ledger, reads } = await openPgWriters(bank, rules, {
      now: () => new Date(clock()),
      relayName,
      hooks: {
        onCommitted,
        onBatch: (jobs, seconds, ok) => metrics.batch(jobs, seconds, ok),
        onError: (err) => log.error('telling sessions about a committed batch failed', { err }),
      },
    });
    await reads.refreshCounts();
    const counts = setInterval(() => {
      reads.refreshCounts().catch((err: unknown) => log.warn('could not read the ledger figures', { error: (err as Error).message }));
    }, COUNTS_EVERY_MS);
    counts.unref();
    closers.push(async () => clearInterval(counts));

    // Other relays' transfers: read by seq range, only when someone they concern is connected here.
    const readPosted = async (range: PostedRange): Promise<Parameters<typeof notifyCommitted>[1] | undefined> => {
      if (live.sessionCount === 0) return undefined;
      const admins = range.large === true && events.reachesAdmins();
      // The people of the range connected here; when the notice could not name them, everyone connected here.
      const here = range.owners !== undefined ? range.owners.filter((o) => events.reaches(o)) : live.userCount <= FILTER_MAX ? [...live.users()] : undefined;
      if (!admins && here?.length === 0) return undefined;
      const rows = (
        here === undefined
          ? await pool.query<PostedRow>(
              `SELECT t.record, nullif(f.owner, '') AS from_owner, nullif(o.owner, '') AS to_owner
               FROM transfers t JOIN accounts f ON f.account = t.from_account JOIN accounts o ON o.account = t.to_account
               WHERE t.seq BETWEEN $1 AND $2 ORDER BY t.seq`,
              [range.first, range.last],
            )
          : // Only the transfers that touch an account of someone here (or large ones, for admins): the
            // accounts of the people here are looked up once, the range's transfers matched against them.
            await pool.query<PostedRow>(
              `WITH here AS (SELECT account, owner FROM accounts WHERE owner = ANY($3::text[]))
               SELECT t.record, f.owner AS from_owner, o.owner AS to_owner
               FROM transfers t LEFT JOIN here f ON f.account = t.from_account LEFT JOIN here o ON o.account = t.to_account
               WHERE t.seq BETWEEN $1 AND $2 AND (f.account IS NOT NULL OR o.account IS NOT NULL OR ($4 AND t.amount >= $5))
               ORDER BY t.seq`,
              [range.first, range.last, here, admins, rules.largeTransferAlert],
            )
      ).rows;
      const posted: PostedView[] = rows.map((r) => ({
        transfer: r.record,
        from: { account: r.record.from, owner: r.from_owner },
        to: { account: r.record.to, owner: r.to_owner },
        large: isLarge(rules, r.record.amount),
      }));
      // Each batch as the run of the rows read that it posted; the connection that sent it is on another relay.
      let i = 0;
      const batches = (range.batches ?? []).map(([first, last]) => {
        while (i < posted.length && posted[i]!.transfer.seq < first) i++;
        const start = i;
        while (i < posted.length && posted[i]!.transfer.seq <= last) i++;
        return { first: start, count: i - start };
      });
      return { posted, batches };
    };
    // Reads overlap, but what they found is told in the order the notices came, which is the ledger's.
    let told = Promise.resolve();
    const postedElsewhere = (range: PostedRange): void => {
      const read = readPosted(range).catch((err: unknown) => {
        log.warn('could not read transfers another relay posted; their events are not delivered here', { error: (err as Error).message });
        return undefined;
      });
      told = told.then(async () => {
        const found = await read;
        if (found) notifyCommitted(events, found, config.currency);
      }).catch((err: unknown) => log.error('telling sessions about transfers another relay posted failed', { err }));
    };
    const onNotice = (notice: RelayNotice): void => {
      if (notice.relay === relayName) return;
      if (notice.posted) postedElsewhere(notice.posted);
      if (notice.ended && notice.ended.length > 0) closeEndedSessions(live, events, notice.ended, notice.reason ?? 'this session was ended on another relay of the bank');
      if (notice.event && !events.deliverShared(notice.event)) log.warn('ignored an event from another relay that does not check out', { relay: notice.relay, event: notice.event.name });
    };

    // Sessions another relay ended while this one was not listening: their notice was missed, so
    // each session bound here is looked up in the store again, and those gone are closed.
    const recheckSessions = async (): Promise<void> => {
      const keys = [...live.sessionConnections()].flatMap((c) => (c.auth ? [c.auth.session.key] : []));
      const found = keys.length > 0 ? await bank.getSessions(keys) : [];
      const gone = keys.filter((_, i) => found[i] === undefined);
      const closed = closeEndedSessions(live, events, gone, 'this session was ended on another relay of the bank');
      log.info('listening to the other relays again; re-checked the sessions here against the store', { sessions: keys.length, closed });
    };
    const listener = new KeptListener(url, onNotice, {
      lost: (err) => log.error('lost the PostgreSQL LISTEN connection: events from other relays are not delivered until it is back', { error: err.message }),
      retrying: (err) => log.warn('could not open the PostgreSQL LISTEN connection; retrying', { error: err.message }),
      reopened: () => void recheckSessions().catch((err: unknown) => log.warn('could not re-check the sessions here after listening again', { error: (err as Error).message })),
    });
    await listener.start();
    closers.push(() => listener.close());
    events.share = (event) => {
      shareEvent(pool, relayName, event).then(
        (sent) => {
          if (!sent) log.warn('an event was too large to share with other relays', { event: event.name });
        },
        (err: unknown) => log.warn('could not share an event with other relays', { event: event.name, error: (err as Error).message }),
      );
    };
    log.info('ledger on PostgreSQL', { store: where, relay: relayName, ...ledger.counts() });

    return {
      bank,
      commits: writer,
      ledger,
      startupProblems: check.problems,
      get trouble() {
        return listener.listening ? undefined : 'events-offline';
      },
      beginClose: () => {
        events.share = undefined;
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
