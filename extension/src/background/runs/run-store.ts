import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { runKindSchema } from '../../../../common/schemas/models.js';
import type { LocalRun } from '../../shared/runs.js';
import { relayKey } from '../settings.js';

/*
 * Payment runs in IndexedDB (`idb`), one record per run keyed by its runId, indexed by the
 * relay and person it belongs to. A run is written here before its first byte goes to the
 * relay, and again before and after each batch, so a reload, a crash or a restarted worker finds
 * it as it was. Only the signed-in person's runs are kept: they are deleted when their session
 * ends (runs/engine.ts).
 */

export const RUNS_DB_NAME = 'distributed-bank-runs';
const STORE = 'runs';
const BY_OWNER = 'byOwner';
const VERSION = 1;

interface RunsSchema extends DBSchema {
  runs: { key: string; value: LocalRun; indexes: { byOwner: [string, string] } };
}

export interface RunStore {
  get(runId: string): Promise<LocalRun | undefined>;
  put(run: LocalRun): Promise<void>;
  delete(runId: string): Promise<void>;
  /** The runs of one person on one relay, oldest first. */
  listOf(relayUrl: string, username: string): Promise<LocalRun[]>;
  /** Every stored run's id and owner (to delete runs that are nobody's any more). */
  owners(): Promise<{ runId: string; relayUrl: string; username: string }[]>;
}

const rowSchema = z.object({
  line: z.number().int(),
  account: z.string(),
  amount: z.number().int().min(0),
  memo: z.string().optional(),
  name: z.string().optional(),
  reference: z.string().optional(),
  transferId: z.string(),
  status: z.enum(['pending', 'posted', 'failed', 'in_doubt', 'excluded']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** A damaged record (or one from another version) is not resumed: it could pay the wrong rows. */
const runSchema = z.object({
  runId: z.string(),
  kind: runKindSchema,
  relayUrl: z.string(),
  username: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  atomic: z.boolean(),
  digest: z.string(),
  currency: z.string(),
  declared: z.boolean(),
  rows: z.array(rowSchema),
});

function valid(record: unknown): LocalRun | undefined {
  const parsed = runSchema.safeParse(record);
  return parsed.success ? (record as LocalRun) : undefined;
}

export function openRunStore(dbName: string = RUNS_DB_NAME): RunStore {
  let db: Promise<IDBPDatabase<RunsSchema>> | undefined;
  const open = (): Promise<IDBPDatabase<RunsSchema>> => {
    db ??= openDB<RunsSchema>(dbName, VERSION, {
      upgrade(database) {
        const store = database.createObjectStore(STORE, { keyPath: 'runId' });
        store.createIndex(BY_OWNER, ['relayUrl', 'username']);
      },
      terminated() {
        db = undefined;
      },
    }).catch((err: unknown) => {
      db = undefined;
      throw err;
    });
    return db;
  };
  return {
    async get(runId) {
      return valid(await (await open()).get(STORE, runId));
    },
    async put(run) {
      await (await open()).put(STORE, { ...run, relayUrl: relayKey(run.relayUrl) });
    },
    async delete(runId) {
      await (await open()).delete(STORE, runId);
    },
    async listOf(relayUrl, username) {
      const records = await (await open()).getAllFromIndex(STORE, BY_OWNER, [relayKey(relayUrl), username]);
      return records
        .map(valid)
        .filter((r): r is LocalRun => r !== undefined)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async owners() {
      const records = await (await open()).getAll(STORE);
      return records.map((r) => ({ runId: r.runId, relayUrl: r.relayUrl, username: r.username }));
    },
  };
}

/** A RunStore in memory (a background without IndexedDB; tests that do not look at storage). */
export function memoryRunStore(): RunStore {
  const runs = new Map<string, LocalRun>();
  const copy = (r: LocalRun): LocalRun => structuredClone(r);
  return {
    get: async (runId) => {
      const r = runs.get(runId);
      return r && copy(r);
    },
    put: async (run) => {
      runs.set(run.runId, copy({ ...run, relayUrl: relayKey(run.relayUrl) }));
    },
    delete: async (runId) => {
      runs.delete(runId);
    },
    listOf: async (relayUrl, username) =>
      [...runs.values()]
        .filter((r) => r.relayUrl === relayKey(relayUrl) && r.username === username)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .map(copy),
    owners: async () => [...runs.values()].map((r) => ({ runId: r.runId, relayUrl: r.relayUrl, username: r.username })),
  };
}
