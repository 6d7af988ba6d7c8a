import type { UiError, UiResponse } from '../../shared/api.js';
import type { LocalRun, NewRun, RunSummary } from '../../shared/runs.js';
import { relayKey } from '../settings.js';
import { createRun, summarize, type Clock, type RunnerActivity } from './plan.js';
import { RunRunner, type RelayCall, type RunnerOptions } from './runner.js';
import type { RunStore } from './run-store.js';

/*
 * The signed-in person's payment runs in the background: creating them (stored before anything
 * is sent), one runner per run, pausing, discarding, and the summaries pages see
 * (AppState.runs). When the person's session ends their runs are deleted from the browser.
 */

export interface RunOwner {
  relayUrl: string;
  username: string;
  role: 'user' | 'admin';
}

export interface RunEngineDeps extends RunnerOptions {
  store: RunStore;
  call: RelayCall;
  clock: Clock;
  newId: () => string;
  /** Who is signed in now, on which relay (undefined: nobody). */
  owner(): RunOwner | undefined;
  /** The signed-in person's run summaries changed. */
  publish(runs: RunSummary[]): void;
  log?: (message: string, err?: unknown) => void;
}

const ok = <T>(result: T): UiResponse<T> => ({ ok: true, result });
const fail = (code: UiError['code'], message: string): UiResponse<never> => ({ ok: false, error: { code, message } });
const NOT_SIGNED_IN = fail('UNAUTHENTICATED', 'sign in first');
const noRun = (runId: string) => fail('NOT_FOUND', `no payment run ${runId} in this browser`);

const ownerKey = (o: { relayUrl: string; username: string }): string => `${relayKey(o.relayUrl)}\u0000${o.username}`;

export class RunEngine {
  private readonly runners = new Map<string, RunRunner>();
  private readonly summaries = new Map<string, RunSummary>();
  private readonly problems = new Map<string, UiError>();
  /** Whose summaries are held (ownerKey), if anyone's. */
  private loadedFor: string | undefined;
  /** The last person whose runs were loaded (what a sign-out deletes). */
  private lastOwner: { relayUrl: string; username: string } | undefined;
  /** The deletion of a signed-out person's runs, while it runs. */
  private clearing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RunEngineDeps) {}

  private publish(): void {
    const list = [...this.summaries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    this.deps.publish(list);
  }

  private owns(run: LocalRun, owner: RunOwner | undefined = this.deps.owner()): boolean {
    return owner !== undefined && ownerKey(run) === ownerKey(owner);
  }

  private noteChange(run: LocalRun, activity: RunnerActivity, problem?: UiError): void {
    if (problem) this.problems.set(run.runId, problem);
    else this.problems.delete(run.runId);
    if (ownerKey(run) !== this.loadedFor) return;
    this.summaries.set(run.runId, summarize(run, activity, problem));
    this.publish();
  }

  /**
   * The signed-in person changed (or signed in after the worker restarted): their runs are
   * loaded, and runs of anyone else still stored (a browser closed without signing out, then
   * another person signed in) are deleted.
   */
  async ownerChanged(): Promise<void> {
    const owner = this.deps.owner();
    const key = owner ? ownerKey(owner) : undefined;
    if (key === this.loadedFor) return;
    this.loadedFor = key;
    this.summaries.clear();
    this.publish();
    if (!owner) return;
    this.lastOwner = { relayUrl: owner.relayUrl, username: owner.username };
    try {
      // A sign-out's deletion finishes first, so a quick sign-in never lists what it deletes.
      await this.clearing;
      for (const stale of await this.deps.store.owners()) {
        if (ownerKey(stale) !== key && !this.runners.has(stale.runId)) await this.deps.store.delete(stale.runId);
      }
      const runs = await this.deps.store.listOf(owner.relayUrl, owner.username);
      if (this.loadedFor !== key) return;
      for (const run of runs) this.summaries.set(run.runId, summarize(run, this.runners.get(run.runId)?.activity, this.problems.get(run.runId)));
      this.publish();
    } catch (err) {
      this.deps.log?.('could not read the stored payment runs', err);
    }
  }

  /**
   * `username`'s session ended: their runners stop (a batch in flight finishes, its answer is
   * not stored), and their runs are deleted from this browser. The relay is the one they were
   * signed in to (the settings may already name a new one).
   */
  clearOwner(username: string): Promise<void> {
    const whose = this.lastOwner?.username === username ? this.lastOwner : { relayUrl: this.deps.owner()?.relayUrl ?? '', username };
    const run = async (): Promise<void> => {
      const key = ownerKey(whose);
      const stored = await this.deps.store.listOf(whose.relayUrl, whose.username).catch(() => [] as LocalRun[]);
      const ids = new Set([...stored.map((r) => r.runId), ...(this.loadedFor === key ? this.summaries.keys() : [])]);
      const stopping: Promise<void>[] = [];
      for (const id of ids) {
        const runner = this.runners.get(id);
        if (runner) {
          runner.cancel();
          stopping.push(runner.done);
        }
      }
      await Promise.all(stopping);
      for (const id of ids) {
        await this.deps.store.delete(id);
        this.problems.delete(id);
      }
      if (this.loadedFor === key && ownerKey(this.deps.owner() ?? { relayUrl: '', username: '' }) !== key) {
        this.summaries.clear();
        this.loadedFor = undefined;
        this.publish();
      }
    };
    const done = this.clearing.then(run, run);
    this.clearing = done.catch(() => undefined);
    return done;
  }

  list(): UiResponse<RunSummary[]> {
    if (!this.deps.owner()) return NOT_SIGNED_IN;
    return ok([...this.summaries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
  }

  /** The person's stored runs of a file with this digest (not yet known to the relay, perhaps). */
  localWithDigest(digest: string): RunSummary[] {
    return [...this.summaries.values()].filter((s) => s.digest === digest);
  }

  async get(runId: string): Promise<UiResponse<LocalRun>> {
    const owner = this.deps.owner();
    if (!owner) return NOT_SIGNED_IN;
    const run = await this.deps.store.get(runId);
    return run && this.owns(run, owner) ? ok(run) : noRun(runId);
  }

  /** Stores a new run (every row's transfer id chosen now); nothing is sent until it is started. */
  async create(input: NewRun): Promise<UiResponse<RunSummary>> {
    const owner = this.deps.owner();
    if (!owner) return NOT_SIGNED_IN;
    const adminKind = input.kind !== 'payments';
    if (adminKind && owner.role !== 'admin') return fail('FORBIDDEN', 'deposit and withdrawal runs are for administrators only');
    if (!adminKind && owner.role === 'admin') return fail('FORBIDDEN', 'administrators hold no account to pay from: make a deposit or withdrawal run');
    const run = createRun(input, owner, this.deps.newId(), this.deps.newId, this.deps.clock);
    await this.deps.store.put(run);
    this.loadedFor ??= ownerKey(owner);
    this.noteChange(run, undefined);
    return ok(this.summaries.get(run.runId) ?? summarize(run, undefined));
  }

  /**
   * Starts or resumes a run: one runner per run, so a second click (or a second page) joins the
   * one already running. Between the check of `runners` and the insert below there is no await,
   * so two requests can never both start one.
   */
  async start(runId: string): Promise<UiResponse<RunSummary>> {
    const owner = this.deps.owner();
    if (!owner) return NOT_SIGNED_IN;
    const run = await this.deps.store.get(runId);
    if (!run || !this.owns(run)) return noRun(runId);
    for (;;) {
      const existing = this.runners.get(runId);
      if (!existing) break;
      const activity = existing.activity;
      if (activity === 'running' || (activity === 'pausing' && existing.unpause())) return ok(this.summaries.get(runId) ?? summarize(run, existing.activity));
      // Stopping or stopped: wait for it to end, then start anew from what it stored.
      await existing.done;
    }
    if (!this.owns(run)) return noRun(runId);
    const runner = new RunRunner(
      runId,
      {
        ...this.deps,
        // Every request of the run goes out as its owner, or not at all (never on the next person's session).
        call: (op, args) => this.deps.call(op, args, { username: run.username, relayUrl: run.relayUrl }),
        onChange: (changed, activity, problem) => this.noteChange(changed, activity, problem),
      },
      (stored) => this.owns(stored),
    );
    this.runners.set(runId, runner);
    void runner.done.finally(() => {
      if (this.runners.get(runId) === runner) this.runners.delete(runId);
    });
    return ok(this.summaries.get(runId) ?? summarize(run, 'running'));
  }

  /** Pauses a running run after its batch in flight. */
  pause(runId: string): UiResponse<RunSummary> {
    if (!this.deps.owner()) return NOT_SIGNED_IN;
    const summary = this.summaries.get(runId);
    if (!summary) return noRun(runId);
    this.runners.get(runId)?.pause();
    return ok(this.summaries.get(runId)!);
  }

  /** Forgets a run in this browser (never one that is sending). */
  async discard(runId: string): Promise<UiResponse<Record<string, never>>> {
    const owner = this.deps.owner();
    if (!owner) return NOT_SIGNED_IN;
    const run = await this.deps.store.get(runId);
    if (!run || !this.owns(run, owner)) return noRun(runId);
    if (this.runners.has(runId)) return fail('CONFLICT', 'the run is sending: pause it first');
    await this.deps.store.delete(runId);
    this.summaries.delete(runId);
    this.problems.delete(runId);
    this.publish();
    return ok({});
  }

  /** Runs being sent now (tests, and a clean stop). */
  get active(): number {
    return this.runners.size;
  }

  /** Waits until no runner is left (tests). */
  async idle(): Promise<void> {
    while (this.runners.size > 0) await Promise.all([...this.runners.values()].map((r) => r.done));
  }
}
