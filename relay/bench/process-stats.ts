import { readFile } from 'node:fs/promises';

/** Resident set size of a local process in bytes (Linux /proc), or undefined where it cannot be read. */
export async function rssOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export function mib(bytes: number | undefined): number | null {
  return bytes === undefined ? null : Math.round(bytes / 1024 / 1024);
}
