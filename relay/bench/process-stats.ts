import { readFileSync } from 'node:fs';
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

/** CPU time (user + system, every thread) a local process has used so far, in seconds (Linux /proc), or undefined. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // /proc counts in USER_HZ, 100 a second on Linux whatever the kernel's own tick.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * The CPU time some local processes (the bench's relays) spend over a measured window: `start`
 * when counting starts, `stop` when it ends; undefined when it cannot be read (a remote relay).
 */
export class CpuMeter {
  private startedAt: number | undefined;
  private used: number | undefined;

  constructor(private readonly pids: readonly number[]) {}

  private total(): number | undefined {
    let sum = 0;
    for (const pid of this.pids) {
      const s = cpuSecondsOf(pid);
      if (s === undefined) return undefined;
      sum += s;
    }
    return this.pids.length > 0 ? sum : undefined;
  }

  start(): void {
    this.startedAt = this.total();
  }

  stop(): void {
    const now = this.total();
    this.used = now !== undefined && this.startedAt !== undefined ? now - this.startedAt : undefined;
  }

  /** CPU µs per unit of work done in the window (e.g. per transfer acknowledged), rounded. */
  perUnitUs(units: number): number | undefined {
    return this.used === undefined || units === 0 ? undefined : Math.round((this.used * 1e6) / units);
  }
}
