import type { Run } from '../../../../common/schemas/models.js';
import type { RunPage, RunsFound, UiRequest, UiResponse } from '../../shared/api.js';
import type { RunEngine } from './engine.js';
import { lookupAccounts } from './lookups.js';
import type { RelayCall } from './runner.js';

/*
 * The pages' payment-run requests (UiRequest `payments.*` and `runs.*`), answered from the run
 * engine and the relay.
 */

export type RunRequest = Extract<UiRequest, { type: `payments.${string}` | `runs.${string}` }>;

export function isRunRequest(request: UiRequest): request is RunRequest {
  return request.type.startsWith('payments.') || request.type.startsWith('runs.');
}

export async function handleRunRequest(request: RunRequest, engine: RunEngine, call: RelayCall): Promise<UiResponse> {
  switch (request.type) {
    case 'payments.lookup':
      return lookupAccounts(call, request.accounts);
    case 'runs.find': {
      const r = await call('run.find', { digest: request.digest });
      if (!r.ok) return r;
      const found: RunsFound = { relay: (r.result as { runs: Run[] }).runs, local: engine.localWithDigest(request.digest) };
      return { ok: true, result: found };
    }
    case 'runs.create':
      return engine.create(request.run);
    case 'runs.start':
      return engine.start(request.runId);
    case 'runs.pause':
      return engine.pause(request.runId);
    case 'runs.discard':
      return engine.discard(request.runId);
    case 'runs.list':
      return engine.list();
    case 'runs.get':
      return engine.get(request.runId);
    case 'runs.history': {
      const page = { ...(request.limit !== undefined && { limit: request.limit }), ...(request.cursor !== undefined && { cursor: request.cursor }) };
      const r =
        request.scope === 'all'
          ? await call('admin.run.list', { ...page, ...(request.owner !== undefined && { owner: request.owner }) })
          : await call('run.list', page);
      return r.ok ? { ok: true, result: r.result as RunPage } : r;
    }
  }
}
