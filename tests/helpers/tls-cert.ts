import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Debian's openssl for the TLS tests: OPENSSL_PATH, else `openssl` on PATH. When it is missing
 * and we are root with apt, install it (saying so in one line); otherwise fail with the exact
 * command to run. A TLS test never skips silently.
 */
export function findOpenssl(): string {
  const candidates = [process.env.OPENSSL_PATH, '/usr/bin/openssl', '/usr/local/bin/openssl'].filter((p): p is string => !!p);
  for (const p of candidates) if (existsSync(p)) return p;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    process.stderr.write("openssl not found: installing Debian's openssl package (apt-get install -y openssl) for the TLS tests…\n");
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'openssl'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (existsSync('/usr/bin/openssl')) return '/usr/bin/openssl';
  }
  throw new Error('The TLS tests need openssl and none was found (OPENSSL_PATH, /usr/bin/openssl). Install it with:  sudo apt-get update && sudo apt-get install -y openssl');
}

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/** A fresh self-signed certificate (P-256, one day) for 127.0.0.1 and localhost, written into `dir`. */
export async function selfSignedCert(dir: string, name = 'relay'): Promise<TestCert> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync(
    findOpenssl(),
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile) };
}
