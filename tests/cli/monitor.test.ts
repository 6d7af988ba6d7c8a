import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { isShortMessage } from '../helpers/cli.js';
import { TmuxSession, findTmux, killMonitors, monitorArgv, spawnMonitor } from '../helpers/monitor.js';

const SLOW = { timeout: 60_000 };
const withPassword = { BANK_RELAY_PASSWORD: ADMIN_PASSWORD };

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  killMonitors();
  await t?.stop();
});

type Line = { event: string; ts: string; data: Record<string, unknown> };

describe('bank-relay monitor --json', SLOW, () => {
  it('streams monitor.request, admin.alert and stats lines until SIGINT; a lost relay is one line and exit 1', async () => {
    const relay = await startTestRelay();
    const args = ['--json', '--port', String(relay.tcpPort), '--interval', '200'];
    const mon = spawnMonitor(args, withPassword);
    const second = spawnMonitor(args, withPassword);
    const lines = () => mon.lines() as unknown as Line[];
    await mon.waitFor('a stats line', () => lines().some((l) => l.event === 'stats'));
    await second.waitFor('a stats line', () => second.lines().some((l) => l.event === 'stats'));

    // Another client does some work: a new customer, a failed sign-in, a large deposit.
    const { client: admin } = await loginAs(relay, 'tcp', 'admin', ADMIN_PASSWORD);
    const created = await admin.request('admin.user.create', { username: 'jane', password: 'jane-password-1', displayName: 'Jane Smith', role: 'user', openingDeposit: 5000 });
    const stranger = await loginAs(relay, 'tcp', 'jane', 'jane-password-1');
    await expect(stranger.client.request('account.lookup', { account: 'DB45 0000 0000 01' })).rejects.toThrow();
    await admin.request('admin.account.deposit', { transferId: randomUUID(), account: created.accounts[0]!.account, amount: 2_000_000 });
    stranger.client.close();

    await mon.waitFor('the requests, the alert and fresh stats', () => {
      const ls = lines();
      return (
        ls.some((l) => l.event === 'admin.alert') &&
        ls.some((l) => l.event === 'monitor.request' && l.data.op === 'admin.account.deposit') &&
        ls.some((l) => l.event === 'stats' && (l.data.ledger as { transfers: number }).transfers >= 2 && typeof l.data.fsyncsPerS === 'number')
      );
    });
    const ls = lines();
    for (const l of ls) expect(Number.isNaN(Date.parse(l.ts))).toBe(false);
    const reqs = ls.filter((l) => l.event === 'monitor.request').map((l) => l.data);
    expect(reqs).toContainEqual(expect.objectContaining({ op: 'admin.user.create', actor: 'admin', transport: 'tcp', outcome: 'ok', ms: expect.any(Number) }));
    expect(reqs).toContainEqual(expect.objectContaining({ op: 'auth.login', actor: 'jane', outcome: 'ok' }));
    expect(reqs.some((r) => r.op === 'account.lookup' && r.actor === 'jane' && r.outcome !== 'ok')).toBe(true);
    expect(ls.find((l) => l.event === 'admin.alert')!.data).toMatchObject({ kind: 'large_transfer' });
    const stats = ls.filter((l) => l.event === 'stats').at(-1)!.data;
    expect(stats).toMatchObject({ sessions: expect.any(Number), connections: { tcp: expect.any(Number), ws: 0 }, ledger: { accounts: expect.any(Number) } });
    expect((stats.connections as { tcp: number }).tcp).toBeGreaterThanOrEqual(3); // two monitors and the admin
    expect(stats.commits).toMatchObject({ batches: expect.any(Number), jobs: expect.any(Number) });
    expect(stats.meanBatch === null || typeof stats.meanBatch === 'number').toBe(true);

    mon.child.kill('SIGINT');
    expect(await mon.exited).toBe(0);
    expect(mon.stderr()).toBe('');
    admin.close();

    // The relay goes away under the other monitor: it says so in one line and exits 1.
    await relay.stop();
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(/^bank-relay: lost the connection to the relay at 127\.0\.0\.1:\d+/);
    expect(isShortMessage(second.stderr())).toBe(true);
  });

  it('a wrong password or an unreachable relay is one line and exit 1; the live view without a terminal is a usage error', async () => {
    // All three at once: each is a process start.
    const wrong = spawnMonitor(['--json', '--port', String(t.tcpPort)], { BANK_RELAY_PASSWORD: 'not the password' });
    const closed = spawnMonitor(['--json', '--port', '1'], withPassword);
    const noTty = spawnMonitor(['--port', String(t.tcpPort)], withPassword);

    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr()).toMatch(/^bank-relay: sign-in to 127\.0\.0\.1:\d+ as admin failed: invalid username or password\n$/);
    expect(wrong.stdout()).toBe('');

    expect(await closed.exited).toBe(1);
    expect(closed.stderr()).toMatch(/^bank-relay: cannot reach the relay at 127\.0\.0\.1:1: connection refused/);
    expect(isShortMessage(closed.stderr())).toBe(true);

    expect(await noTty.exited).toBe(2);
    expect(noTty.stderr()).toContain('use --json');
  });
});

describe('bank-relay monitor in a terminal (tmux)', SLOW, () => {
  it('draws the view, shows a request, adapts to a resize, quits on q and Ctrl-C restoring the terminal', async () => {
    const tmux = new TmuxSession(findTmux(), withPassword);
    try {
      tmux.start(120, 32);
      tmux.type("PS1='monitor-test$ '"); // dash ignores PS1 from the environment for root
      await tmux.waitFor('the shell prompt', (rows) => rows.some((r) => r.startsWith('monitor-test$')));
      const command = ['node', ...monitorArgv(['--port', String(t.tcpPort), '--interval', '200'])].map((a) => `'${a}'`).join(' ');
      tmux.type(`${command}; echo "monitor-exit:$?"`);

      let rows = await tmux.waitFor('the monitor header', (r) => r[0]?.includes('bank-relay monitor · 127.0.0.1:') === true && r.some((l) => l.startsWith('conn tcp')));
      expect(tmux.display('#{alternate_on} #{cursor_flag}')).toBe('1 0');
      expect(rows.join('\n')).toMatch(/time +op +actor +transport +outcome +ms/);

      // A request from another client shows up in the list and the latency table.
      const { client } = await loginAs(t, 'tcp', 'admin', ADMIN_PASSWORD);
      await client.request('admin.ledger.verify', {});
      rows = await tmux.waitFor('the admin.ledger.verify request', (r) => r.some((l) => /admin\.ledger\.verify +admin +tcp +ok +\d/.test(l)));
      expect(rows.some((l) => /^admin\.ledger\.verify +\d/.test(l))).toBe(true); // its latency row
      expect(rows).toHaveLength(32);
      client.close();

      // Narrower and shorter: the transport column goes, everything fits in 70 columns.
      tmux.resize(70, 18);
      rows = await tmux.waitFor('the narrow layout', (r) => r.length === 18 && r.some((l) => /^time +op +actor +outcome +ms/.test(l)));
      expect(rows.join('\n')).not.toContain('transport');
      expect(rows[0]).toContain('bank-relay monitor');
      for (const l of rows) expect([...l].length).toBeLessThanOrEqual(70);

      // q quits: the shell is back, on the normal screen, cursor shown, cooked mode with echo.
      tmux.key('q');
      rows = await tmux.waitFor('the exit status', (r) => r.some((l) => l.includes('monitor-exit:0')));
      expect(tmux.display('#{alternate_on} #{cursor_flag}')).toBe('0 1');
      tmux.type('stty -a; echo stty-done');
      rows = await tmux.waitFor('stty output', (r) => r.some((l) => l.startsWith('stty-done')));
      const stty = rows.join(' ');
      expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
      expect(stty).toMatch(/(^|\s)echo(\s|$)/);

      // Without BANK_RELAY_PASSWORD it asks, without echoing; then Ctrl-C quits the same way as q.
      tmux.type(`clear; env -u BANK_RELAY_PASSWORD ${command}; echo "monitor-exit:$?"`);
      await tmux.waitFor('the password prompt', (r) => r.some((l) => /password for admin@127\.0\.0\.1:\d+: $/.test(l.trimEnd() + ' ')));
      tmux.type(ADMIN_PASSWORD);
      await tmux.waitFor('the monitor header again', (r) => r[0]?.includes('bank-relay monitor') === true);
      tmux.key('C-c');
      await tmux.waitFor('the exit status', (r) => r.some((l) => l.includes('monitor-exit:0')));
      expect(tmux.display('#{alternate_on} #{cursor_flag}')).toBe('0 1');
      expect(tmux.capture().join('\n')).not.toContain(ADMIN_PASSWORD);
    } finally {
      tmux.kill();
    }
  });
});
