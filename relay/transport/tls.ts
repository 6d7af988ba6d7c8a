import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { StartupError } from '../startup/startup-error.js';
import { secretFileProblem } from '../config/secret-file.js';

/** The relay's certificate and key, read from PEM files; the same pair serves TCP-over-TLS and wss://. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads `tlsCert`/`tlsKey` when both are set; undefined when neither is. One without the other,
 * an unreadable file or a key that does not match the certificate is a StartupError in plain words.
 */
export async function loadTls(config: { tlsCert?: string | undefined; tlsKey?: string | undefined }): Promise<TlsMaterial | undefined> {
  const { tlsCert, tlsKey } = config;
  if (tlsCert === undefined && tlsKey === undefined) return undefined;
  if (tlsCert === undefined || tlsKey === undefined) {
    throw new StartupError(`TLS needs both a certificate and its key: ${tlsCert === undefined ? '--tls-cert (tlsCert) is missing' : '--tls-key (tlsKey) is missing'}`);
  }
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file);
    } catch (err) {
      throw new StartupError(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  const material = { cert: await read(tlsCert, 'certificate'), key: await read(tlsKey, 'key') };
  const exposed = await secretFileProblem(tlsKey, 'the TLS private key', 0o007);
  if (exposed) throw new StartupError(exposed);
  try {
    tls.createSecureContext(material);
  } catch (err) {
    throw new StartupError(`the TLS certificate ${tlsCert} and key ${tlsKey} cannot be used together: ${(err as Error).message}`);
  }
  return material;
}
