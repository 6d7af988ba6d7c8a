import { z } from 'zod';
import { BATCH_MAX } from '../../../common/schemas/ops.js';
import { currencySchema, RUN_ROWS_MAX, runKindSchema, type RunKind } from '../../../common/schemas/models.js';
import { accountNumberSchema, amountSchema, memoSchema, sha256HexSchema } from '../../../common/schemas/primitives.js';

/*
 * Payment runs as the extension keeps them (issue 18): a file of payments (a customer's) or of
 * deposits or withdrawals (an administrator's), stored in IndexedDB with a transfer id per row
 * before anything is sent, then sent in batches by the background. What pages see of them.
 */

/**
 * Where a row stands. `pending`: never sent. `in_doubt`: sent (or about to be) and no answer
 * yet: it is replayed with the same transfer id, which pays at most once. `posted` and `failed`
 * are the relay's answers; `excluded`: left out of the run by the person at preview.
 */
export type RunRowStatus = 'pending' | 'posted' | 'failed' | 'in_doubt' | 'excluded';

export interface RunRow {
  /** The row's line in the file (1-based, as the preview showed it). */
  line: number;
  account: string;
  /** Minor units; 0 only for an excluded row whose amount could not be read. */
  amount: number;
  memo?: string;
  /** The file's name and reference columns, kept for the results file (nothing beyond the file). */
  name?: string;
  reference?: string;
  transferId: string;
  status: RunRowStatus;
  error?: { code: string; message: string };
}

/** A run as stored (one IndexedDB record): only what resuming and the results file need. */
export interface LocalRun {
  runId: string;
  kind: RunKind;
  /** The relay (as relayKey spells it) and the person it belongs to. */
  relayUrl: string;
  username: string;
  createdAt: string;
  updatedAt: string;
  atomic: boolean;
  digest: string;
  currency: string;
  /** The relay acknowledged `run.start` for it. */
  declared: boolean;
  rows: RunRow[];
}

/**
 * What a run is doing: `ready` (created, nothing sent), `running`, `pausing` (the batch in flight
 * finishes, then it stops), `paused` (stopped with rows left: resumable), `done` (every row
 * posted, failed or excluded).
 */
export type RunState = 'ready' | 'running' | 'pausing' | 'paused' | 'done';

/** A run's progress, pushed to pages in AppState.runs. */
export interface RunSummary {
  runId: string;
  kind: RunKind;
  createdAt: string;
  updatedAt: string;
  atomic: boolean;
  digest: string;
  currency: string;
  state: RunState;
  /** Rows in the run (excluded ones not counted). */
  rows: number;
  /** Their total, minor units. */
  total: number;
  posted: number;
  failed: number;
  inDoubt: number;
  pending: number;
  excluded: number;
  /** What the posted rows moved, minor units. */
  sent: number;
  /** Why the run stopped by itself (offline, the session ended, the relay refused it). */
  problem?: { code: string; message: string };
}

/** One row of a new run, as the preview confirmed it. */
export const newRunRowSchema = z.strictObject({
  line: z.number().int().min(1),
  account: z.string().max(64),
  amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  memo: z.string().max(1024).optional(),
  name: z.string().max(1024).optional(),
  reference: z.string().max(1024).optional(),
  excluded: z.boolean().optional(),
});
export type NewRunRow = z.infer<typeof newRunRowSchema>;

/** An included row must be one the relay can take: a valid account, an amount, a memo within bounds. */
const includedRowSchema = z.object({ account: accountNumberSchema, amount: amountSchema, memo: memoSchema.optional() });

export const newRunSchema = z
  .strictObject({
    kind: runKindSchema,
    digest: sha256HexSchema,
    currency: currencySchema,
    atomic: z.boolean(),
    rows: z.array(newRunRowSchema).min(1).max(RUN_ROWS_MAX),
  })
  .superRefine((run, ctx) => {
    const included = run.rows.filter((r) => !r.excluded);
    if (included.length === 0) ctx.addIssue({ code: 'custom', path: ['rows'], message: 'must include at least one row' });
    if (run.atomic && included.length > BATCH_MAX) {
      ctx.addIssue({ code: 'custom', path: ['atomic'], message: `an all-or-nothing run holds at most ${BATCH_MAX} rows` });
    }
    for (const [i, row] of run.rows.entries()) {
      if (row.excluded) continue;
      const check = includedRowSchema.safeParse(row);
      if (!check.success) {
        const issue = check.error.issues[0]!;
        ctx.addIssue({ code: 'custom', path: ['rows', i, ...issue.path.map(String)], message: issue.message });
        return;
      }
    }
  });
export type NewRun = z.infer<typeof newRunSchema>;
