import type { BatchItemResult, OpName } from '../../../../common/schemas/ops.js';
import type { UiError, UiResponse } from '../../shared/api.js';
import type { SessionOwner } from '../session-controller.js';
import type { LocalRun } from '../../shared/runs.js';
import { applyResults, batchRequest, markSending, nextChunk, startArgs, unmarkSending, type Clock, type RunnerActivity } from './plan.js';
import type { RunStore } from './run-store.js';

/*
 * Sends one stored run to the relay, batch by batch, until every row is answered, it is paused,
 * or it cannot go on. The run is read from IndexedDB when the runner starts, so a new runner
 * (after a reload, a restarted worker, a second click) continues exactly where the last stopped:
 * posted rows are never sent again, rows in doubt are replayed with their transfer ids.
 *
 * Per batch: the rows are stored as `in_doubt` (awaited) → the batch is sent (awaited) → the
 * answer is applied and stored (awaited). Nothing is sent before the write that precedes it has
 * finished, and only this runner writes its run (the engine keeps one runner per runId).
 */

/** A relay op through the session (SessionController.call). */
/** `as`: the request goes out only on that person's session on that relay (SessionController.call). */
export type RelayCall = (op: OpName, args: unknown, as?: SessionOwner) => Promise<UiResponse>;

export interface RunnerOptions {
  /** Rows per batch (BATCH_MAX by default; tests use smaller ones). */
  chunkSize?: number;
  /** Waits before each retry after a batch that could not be answered; one retry per entry. */
  retryDelaysMs?: readonly number[];
  /** Waits `ms`, or resolves early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface RunnerDeps extends RunnerOptions {
  store: RunStore;
  call: RelayCall;
  clock: Clock;
  /** The run changed (stored), or the runner's activity did. */
  onChange(run: LocalRun, activity: RunnerActivity, problem?: UiError): void;
  log?: (message: string, err?: unknown) => void;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 20_000, 30_000];

/** Whole-request answers after which the relay applied nothing: the rows go back as they were. */
const NOTHING_DONE = new Set(['OFFLINE', 'KEY_CHANGED', 'RATE_LIMITED', 'UNAVAILABLE', 'BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'UNKNOWN_OP', 'LOCKED_OUT', 'LIMIT_EXCEEDED', 'INSUFFICIENT_FUNDS', 'ACCOUNT_FROZEN']);
/** Worth trying again after a while (the connection, the relay's load). */
const RETRY = new Set(['OFFLINE', 'RATE_LIMITED', 'UNAVAILABLE', 'IN_DOUBT', 'INTERNAL']);

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

export class RunRunner {
  /** Settles when the runner has stopped (done, paused, cancelled or stuck); never rejects. */
  readonly done: Promise<void>;
  private pauseAsked = false;
  private cancelled = false;
  private ended = false;
  /** The retry wait in progress, cut short by a pause or a cancel. */
  private sleeping: AbortController | undefined;
  private run: LocalRun | undefined;
  private readonly chunkSize: number | undefined;
  private readonly retryDelays: readonly number[];
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    readonly runId: string,
    private readonly deps: RunnerDeps,
    /** Checks the stored run may be sent by whoever asked (its owner is the signed-in person). */
    private readonly mayRun: (run: LocalRun) => boolean = () => true,
  ) {
    this.chunkSize = deps.chunkSize;
    this.retryDelays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.sleep = deps.sleep ?? defaultSleep;
    this.done = this.loop()
      .catch((err: unknown) => {
        deps.log?.(`payment run ${runId} stopped`, err);
        this.ended = true;
        if (this.run && !this.cancelled) deps.onChange(this.run, undefined, { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        this.ended = true;
      });
  }

  /** undefined once the runner has stopped. */
  get activity(): RunnerActivity {
    if (this.ended) return undefined;
    return this.pauseAsked ? 'pausing' : 'running';
  }

  /** Stops after the batch in flight (if any); the run stays resumable. */
  pause(): void {
    if (this.pauseAsked) return;
    this.pauseAsked = true;
    this.sleeping?.abort();
    if (this.run && !this.ended) this.deps.onChange(this.run, 'pausing');
  }

  /** A pause asked for but not reached yet is taken back (a second click on Resume). */
  unpause(): boolean {
    if (!this.pauseAsked || this.ended || this.cancelled) return false;
    this.pauseAsked = false;
    if (this.run) this.deps.onChange(this.run, 'running');
    return true;
  }

  /** The person's session ended: stop, and write nothing more (the run is about to be deleted). */
  cancel(): void {
    this.cancelled = true;
    this.pauseAsked = true;
    this.sleeping?.abort();
  }

  private get stopping(): boolean {
    return this.pauseAsked || this.cancelled;
  }

  private async save(run: LocalRun): Promise<boolean> {
    if (this.cancelled) return false;
    await this.deps.store.put(run);
    this.run = run;
    return true;
  }

  private async loop(): Promise<void> {
    const stored = await this.deps.store.get(this.runId);
    if (!stored || !this.mayRun(stored)) return;
    this.run = stored;
    this.deps.onChange(stored, 'running');
    let failures = 0;
    let problem: UiError | undefined;

    const giveUp = async (error: UiError): Promise<boolean> => {
      problem = error;
      if (!RETRY.has(error.code) || failures >= this.retryDelays.length) return true;
      const delay = this.retryDelays[failures]!;
      failures++;
      this.deps.onChange(this.run!, this.activity, error);
      const sleeping = new AbortController();
      this.sleeping = sleeping;
      await this.sleep(delay, sleeping.signal);
      this.sleeping = undefined;
      return false;
    };

    while (!this.stopping) {
      let run = this.run;
      if (!run.declared) {
        const r = await this.deps.call('run.start', startArgs(run));
        if (this.cancelled) return;
        if (!r.ok) {
          if (await giveUp(r.error)) break;
          continue;
        }
        if (!(await this.save({ ...run, declared: true, updatedAt: this.deps.clock.now().toISOString() }))) return;
        failures = 0;
        problem = undefined;
        this.deps.onChange(this.run, this.activity);
        continue;
      }
      const chunk = nextChunk(run, this.chunkSize);
      if (chunk.length === 0) {
        problem = undefined;
        break;
      }
      // Write-ahead: stored as in doubt before the first byte of this batch leaves.
      if (!(await this.save(markSending(run, chunk, this.deps.clock)))) return;
      const { op, args } = batchRequest(run, chunk);
      const r = await this.deps.call(op, args);
      run = this.run;
      if (r.ok) {
        const results = (r.result as { results: BatchItemResult[] }).results;
        if (!(await this.save(applyResults(run, results, this.deps.clock)))) return;
        failures = 0;
        problem = undefined;
        this.deps.onChange(this.run, this.activity);
        continue;
      }
      // Refused as a whole before anything moved: the rows are as they were. Otherwise (the
      // answer was lost, or the relay failed inside) they stay in doubt, to be replayed.
      if (NOTHING_DONE.has(r.error.code) && !(await this.save(unmarkSending(run, chunk, this.deps.clock)))) return;
      if (this.cancelled) return;
      if (await giveUp(r.error)) break;
    }
    this.ended = true;
    if (this.cancelled) return;
    this.deps.onChange(this.run, undefined, problem);
  }
}
