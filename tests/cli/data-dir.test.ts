import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { EPHEMERAL, isShortMessage, killStrays, reachableCli, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';

/**
 * The data directory must belong to the user the relay runs as, and be writable by it. As root,
 * permissions do not stop writes, so these tests use another uid (root can chown and spawn as it).
 */
const SLOW = { timeout: 90_000 };
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const OTHER_UID = 12345;

let tmp: Awaited<ReturnType<typeof tempRoot>>;
/** The CLI as another uid runs it: a copy it can reach, wherever this checkout is. */
let otherCli: string;
beforeAll(async () => {
  tmp = await tempRoot('bank-datadir-');
  await chmod(tmp.root, 0o755); // another uid must be able to reach the directories inside
  if (isRoot) otherCli = await reachableCli(tmp.root);
}, 60_000);
afterAll(async () => {
  killStrays();
  await tmp?.remove();
});

/** `bank-relay ...args` as `uid`, to completion. */
function runAs(uid: number, args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [otherCli, ...args], { uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.concurrent('bank-relay start: the data directory', SLOW, () => {
  it('a missing data directory is created private (0700)', async ({ expect }) => {
    const dir = tmp.path('fresh');
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], { BANK_RELAY_ADMIN_PASSWORD: 'operator chosen password' });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await r.stop()).toBe(0);
  });

  it.runIf(isRoot)('refuses, as root, a data directory that belongs to another user (and config check says so too)', async ({ expect }) => {
    const dir = tmp.path('someone-elses');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, OTHER_UID, OTHER_UID);
    const res = await runCli(['start', '--data', dir, ...EPHEMERAL]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `bank-relay: the data directory ${dir} belongs to uid ${OTHER_UID}, but the relay runs as uid 0 (root); run the relay as the directory's owner, or give it to this user (chown -R 0 ${dir})\n`,
    );
    expect(res.stdout).toBe('');
    // Nothing was created in it as root.
    expect((await stat(dir)).uid).toBe(OTHER_UID);
    const check = await runCli(['config', 'check', '--data', dir]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`dataDir: the data directory ${dir} belongs to uid ${OTHER_UID}`);
  });

  it.runIf(isRoot)('the owner may run it: the same directory works for the uid it belongs to', async ({ expect }) => {
    const dir = tmp.path('owned-by-runner');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, OTHER_UID, OTHER_UID);
    const res = await runAs(OTHER_UID, ['config', 'check', '--data', dir]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
  });

  it('refuses a data directory that is not writable, in one line', async ({ expect }) => {
    const dir = tmp.path('read-only');
    await mkdir(dir, { mode: 0o500 });
    let res;
    if (isRoot) {
      // Root writes through any mode, so run the relay as the directory's (non-root) owner.
      await chown(dir, OTHER_UID, OTHER_UID);
      res = await runAs(OTHER_UID, ['start', '--data', dir, ...EPHEMERAL]);
    } else {
      res = await runCli(['start', '--data', dir, ...EPHEMERAL]);
    }
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`bank-relay: the data directory ${dir} is not writable by this user (mode 500); fix it with chmod u+rwx ${dir}\n`);
    expect(isShortMessage(res.stderr)).toBe(true);
  });

  it('refuses a data directory that is a file', async ({ expect }) => {
    const p = tmp.path('a-file');
    await writeFile(p, 'x');
    const res = await runCli(['start', '--data', p, ...EPHEMERAL]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`bank-relay: the data directory ${p} is not a directory\n`);
  });
});
