import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's Chromium for the end-to-end tests: CHROMIUM_PATH, else /usr/bin/chromium. When it is
 * missing and we are root with apt, install it (saying so in one line); otherwise fail with the
 * exact command to run. An e2e test never skips silently.
 */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter((p): p is string => !!p);
  for (const p of candidates) if (existsSync(p)) return p;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    process.stderr.write('Chromium not found: installing Debian\'s chromium package (apt-get install -y chromium) for the end-to-end tests…\n');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  throw new Error(
    'The end-to-end tests need Chromium and none was found (CHROMIUM_PATH, /usr/bin/chromium). ' +
      'Install it with:  sudo apt-get update && sudo apt-get install -y chromium   (or set CHROMIUM_PATH).',
  );
}
