import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { configFileSchema, readConfigFile } from '../../relay/cli/config-file.js';
import { EPHEMERAL, isShortMessage, killStrays, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';

const SLOW = { timeout: 90_000 };

let tmp: Awaited<ReturnType<typeof tempRoot>>;
let n = 0;
/** Writes `content` (an object as JSON, or raw text) to a fresh file (mode 0600: PSK files must be private) and returns its path. */
async function file(content: unknown, ext = 'json', mode = 0o600): Promise<string> {
  const p = tmp.path(`f-${++n}.${ext}`);
  await writeFile(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2), { mode });
  return p;
}

beforeAll(async () => {
  tmp = await tempRoot('bank-config-');
});
afterAll(async () => {
  killStrays();
  await tmp?.remove();
});

/** `config check`'s effective configuration (the JSON after the "config OK" line). */
function effective(stdout: string): Record<string, unknown> {
  const [first, ...rest] = stdout.split('\n');
  if (!first?.startsWith('config OK')) throw new Error(`not OK: ${stdout}`);
  return JSON.parse(rest.join('\n')) as Record<string, unknown>;
}

describe.concurrent('bank-relay config check', SLOW, () => {
  it('prints "config OK" and the effective configuration, exit 0; defaults < file < env < flags', async ({ expect }) => {
    const pskFromFile = await file('psk-from-the-file\n', 'txt');
    const pskFromFlag = await file('psk-from-the-flag\n', 'txt');
    const cfg = await file({ dataDir: tmp.path('data-a'), tcpPort: 4000, wsPort: 4001, logFormat: 'pretty', lockout: { maxFailures: 3 }, pskFile: pskFromFile });

    const fileOnly = await runCli(['config', 'check', '--config', cfg]);
    expect(fileOnly.code).toBe(0);
    const a = effective(fileOnly.stdout);
    expect(a).toMatchObject({ dataDir: tmp.path('data-a'), tcpPort: 4000, wsPort: 4001, logFormat: 'pretty', host: '127.0.0.1', logLevel: 'info' });
    expect(a.lockout).toEqual({ maxFailures: 3, windowMs: 900_000, durationMs: 900_000 });
    expect(a.psk).toBe('(redacted: 17 bytes from pskFile)');
    expect(a.adminPassword).toBe('(not set)');

    // Flags win over the file, key by key; the environment's PSK wins over the file's pskFile.
    const withFlags = await runCli(['config', 'check', '--config', cfg, '--tcp-port', '5000', '--log-format', 'json'], {
      env: { BANK_RELAY_PSK: 'psk-from-env', BANK_RELAY_ADMIN_PASSWORD: 'an admin password here' },
    });
    expect(withFlags.code).toBe(0);
    const b = effective(withFlags.stdout);
    expect(b).toMatchObject({ tcpPort: 5000, wsPort: 4001, logFormat: 'json' });
    expect(b.psk).toBe('(redacted: 12 bytes from BANK_RELAY_PSK)');
    expect(b.adminPassword).toMatch(/^\(redacted/);
    expect(withFlags.stdout).not.toContain('psk-from-env');
    expect(withFlags.stdout).not.toContain('an admin password here');

    // A PSK file other users can read is refused (group-readable, for an operator's group, is fine).
    const exposed = await file('psk-anyone-can-read\n', 'txt', 0o644);
    const refused = await runCli(['config', 'check', '--psk-file', exposed]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the PSK file ${exposed} can be read by any user on this machine (mode 644); fix it with chmod o-rwx ${exposed}`);
    expect(refused.stderr).not.toContain('psk-anyone-can-read');
    const grouped = await file('psk-for-the-group\n', 'txt', 0o640);
    expect((await runCli(['config', 'check', '--psk-file', grouped])).code).toBe(0);

    // --psk-file wins over the environment.
    const flagPsk = await runCli(['config', 'check', '--config', cfg, '--psk-file', pskFromFlag], { env: { BANK_RELAY_PSK: 'psk-from-env' } });
    expect(effective(flagPsk.stdout).psk).toBe('(redacted: 17 bytes from --psk-file)');
    expect(flagPsk.stdout).not.toContain('psk-from');

    // No file at all: the defaults.
    const none = await runCli(['config', 'check']);
    expect(none.code).toBe(0);
    expect(effective(none.stdout)).toMatchObject({ dataDir: './data', tcpPort: 1234, wsPort: 1235, psk: '(none)' });
  });

  it('an unknown key is refused by name, with a suggestion; nested keys too', async ({ expect }) => {
    const cfg = await file({ tcpport: 4000, lockout: { maxFailure: 3 }, colour: 'blue' });
    const res = await runCli(['config', 'check', '--config', cfg]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('the configuration has 3 errors:');
    expect(res.stderr).toMatch(/ {2}tcpport: unknown key\n {4}hint: did you mean "tcpPort"\?/);
    expect(res.stderr).toMatch(/ {2}lockout\.maxFailure: unknown key\n {4}hint: did you mean "maxFailures"\?/);
    expect(res.stderr).toMatch(/ {2}colour: unknown key\n {4}hint: known keys: dataDir, host, /);
    expect(res.stderr).not.toMatch(/^\s+at /m);
  });

  it('explains every bad value with its path and a hint', async ({ expect }) => {
    const cfg = await file({ wsPort: 'x', tcpPort: 70000, logLevel: 'loud', currency: 'usd', allowedOrigins: ['ok', 5], psk: 'secret' });
    const res = await runCli(['config', 'check', '--config', cfg]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('the configuration has 6 errors:');
    expect(res.stderr).toMatch(/ {2}wsPort: Invalid input: expected number, received string\n {4}hint: expected a port number/);
    expect(res.stderr).toMatch(/ {2}tcpPort: .*65535/);
    expect(res.stderr).toMatch(/ {2}logLevel: .*\n {4}hint: expected "debug", "info"/);
    expect(res.stderr).toMatch(/ {2}currency: /);
    expect(res.stderr).toMatch(/ {2}allowedOrigins\.1: .*expected string/);
    expect(res.stderr).toMatch(/ {2}psk: the pre-shared key is a secret and cannot be written in the config file\n {4}hint: put it in a file named by "pskFile", or in BANK_RELAY_PSK/);
    expect(res.stderr).not.toContain('secret"');
  });

  it('a file that is not JSON, not an object, or missing', async ({ expect }) => {
    const bad = await file('{\n  "tcpPort": 4000,\n}\n');
    const res = await runCli(['config', 'check', '--config', bad]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not valid JSON: .*line 3, column 1/);
    const arr = await runCli(['config', 'check', '--config', await file([1, 2])]);
    expect(arr.stderr).toContain('must hold one JSON object');
    const missing = await runCli(['config', 'check', '--config', tmp.path('nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.json: cannot read the config file: ENOENT/);
  });

  it('checks the TLS pair, the PSK file and the data directory', async ({ expect }) => {
    const notADir = await file('x', 'txt');
    const cfg = await file({ tlsCert: tmp.path('relay.crt'), pskFile: tmp.path('missing-psk'), dataDir: notADir });
    const res = await runCli(['config', 'check', '--config', cfg]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('the configuration has 3 errors:');
    expect(res.stderr).toMatch(/ {2}pskFile: cannot read the PSK file .*missing-psk/);
    expect(res.stderr).toMatch(/ {2}tlsKey: TLS needs both a certificate and its key: --tls-key \(tlsKey\) is missing/);
    expect(res.stderr).toMatch(/ {2}dataDir: the data directory .* is not a directory/);
  });

  it('takes the Firefox opt-in from the file or --allow-firefox-extensions, off by default', async ({ expect }) => {
    const plain = await runCli(['config', 'check']);
    expect(effective(plain.stdout)).toMatchObject({ allowFirefoxExtensions: false });
    const fromFile = await runCli(['config', 'check', '--config', await file({ allowFirefoxExtensions: true })]);
    expect(effective(fromFile.stdout)).toMatchObject({ allowFirefoxExtensions: true });
    const fromFlag = await runCli(['config', 'check', '--allow-firefox-extensions']);
    expect(effective(fromFlag.stdout)).toMatchObject({ allowFirefoxExtensions: true });
  });

  it('a malformed flag is a usage error (exit 2)', async ({ expect }) => {
    const res = await runCli(['config', 'check', '--tcp-port', 'abc']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('bank-relay: --tcp-port must be a whole number, not "abc"\n');
    const unknown = await runCli(['config', 'check', '--colour', 'x']);
    expect(unknown.code).toBe(2);
  });
});

describe.concurrent('bank-relay start --config', SLOW, () => {
  it('serves with the file\'s settings, flags overriding it', async ({ expect }) => {
    const cfg = await file({ dataDir: tmp.path('data-from-file'), tcpPort: 1, wsPort: 0, logRequests: false, allowedOrigins: ['https://a.example'] });
    const r = await startRelayProcess(['--config', cfg, '--data', tmp.path('data-from-flag'), '--tcp-port', '0'], { BANK_RELAY_ADMIN_PASSWORD: 'operator chosen password' });
    expect(r.listening).toMatchObject({ data: tmp.path('data-from-flag'), allowedOrigins: ['https://a.example'], ws: expect.stringMatching(/^ws:\/\//) });
    expect(r.tcpPort).toBeGreaterThan(1);
    expect(await r.stop('SIGTERM')).toBe(0);
  });

  it('refuses to start on a bad file, explaining every error in a few lines', async ({ expect }) => {
    const cfg = await file({ tcpport: 4000, wsPort: 'x' });
    const res = await runCli(['start', '--config', cfg, ...EPHEMERAL]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: the configuration has 2 errors:\n/);
    expect(res.stderr).toContain('tcpport: unknown key');
    expect(res.stderr).toContain('wsPort: Invalid input');
    expect(res.stderr).toContain('bank-relay config check');
    expect(res.stdout).toBe('');
    expect(isShortMessage(res.stderr.split('\n').slice(0, 2).join('\n'))).toBe(true);
  });
});

describe('the documentation', () => {
  const docs = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));

  it('docs/relay.example.json is valid and has every key; docs/CONFIG.md documents every key', async ({ expect }) => {
    const read = await readConfigFile(docs('relay.example.json'));
    expect(read.issues).toEqual([]);
    const keys = Object.keys(configFileSchema.shape).sort();
    const example = JSON.parse(await readFile(docs('relay.example.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(example).sort()).toEqual(keys);
    const md = await readFile(docs('CONFIG.md'), 'utf8');
    for (const key of keys) expect(md, key).toMatch(new RegExp(`\\| \`${key}(\\.\\w+)?\` \\|`));
  });
});
