import { rm } from 'node:fs/promises';
import { runCli } from './cli.js';
import { startTestRelay, tempDir, type TestRelay } from './relay.js';

/** Two of the customers `bank-relay demo` creates (relay/cli/commands/demo.ts), as they sign in. */
export const DEMO = {
  jane: { username: 'jane_smith', password: 'jane-demo-pass' },
  john: { username: 'john_doe', password: 'john-demo-pass' },
} as const;

/**
 * A relay on a fresh data directory filled by `bank-relay demo` (the built CLI): five customers
 * with opening deposits and some history between them. stop() removes the directory too.
 */
export async function startDemoRelay(): Promise<TestRelay> {
  const dataDir = await tempDir('bank-demo-');
  const demo = await runCli(['demo', '--data', dataDir]);
  if (demo.code !== 0) throw new Error(`bank-relay demo failed (${demo.code}): ${demo.stderr}`);
  const relay = await startTestRelay({ dataDir });
  return {
    ...relay,
    async stop() {
      await relay.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
