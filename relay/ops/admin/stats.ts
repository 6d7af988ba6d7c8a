import { defineOp } from '../registry.js';

export default defineOp('admin.stats', async ({ relay }) => ({
  connections: relay.live.countByTransport(),
  sessions: relay.live.sessionCount,
  uptimeS: Math.floor((relay.clock() - relay.startedAt) / 1000),
  ops: Object.fromEntries(relay.opCounts),
  ledger: relay.ledger.counts(),
  // Beyond §5: group-commit figures (batches = fsyncs; jobs = changes they carried).
  commits: { batches: relay.commits.stats.batches, jobs: relay.commits.stats.jobs },
}));
