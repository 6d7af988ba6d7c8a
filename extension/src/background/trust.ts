import type { TrustInfo } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { relayKey } from './settings.js';
import type { KeyValueArea } from './storage.js';

/*
 * The relay's identity key, pinned per relay URL on first use (PROTOCOL §2.4). A different
 * key later is a hard stop: the background talks to that relay again only once the person
 * accepts the new key, or forgets the old one.
 */

const PINS_KEY = 'pins';

type Pins = Record<string, string>;

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[:\s]/g, '').toLowerCase();
}

/** What a completed or refused handshake means for the pin of that relay. */
export type TrustDecision =
  | { kind: 'pin-now'; fingerprint: string } // first contact: trust on first use
  | { kind: 'trusted'; fingerprint: string }
  | { kind: 'changed'; pinned: string; offered: string };

export function decideTrust(pinned: string | undefined, presented: string): TrustDecision {
  const fp = normalizeFingerprint(presented);
  if (pinned === undefined) return { kind: 'pin-now', fingerprint: fp };
  const p = normalizeFingerprint(pinned);
  return p === fp ? { kind: 'trusted', fingerprint: fp } : { kind: 'changed', pinned: p, offered: fp };
}

/** The TrustInfo the pages see after a decision. */
export function trustInfoFor(decision: TrustDecision): TrustInfo {
  switch (decision.kind) {
    case 'pin-now':
    case 'trusted':
      return { pinned: decision.fingerprint, current: decision.fingerprint };
    case 'changed':
      return { pinned: decision.pinned, current: decision.offered, offered: decision.offered };
  }
}

export class TrustStore {
  /** `fixed`: the fingerprint an organization's policy pins for every relay, if any. */
  constructor(
    private readonly local: KeyValueArea,
    private readonly fixed: () => string | undefined = () => undefined,
  ) {}

  /** A policy pins the key: it is not trusted on first use, and cannot be accepted or forgotten here. */
  get fixedByPolicy(): boolean {
    return this.fixed() !== undefined;
  }

  private async pins(): Promise<Pins> {
    const raw = await this.local.get(PINS_KEY);
    if (!raw || typeof raw !== 'object') return {};
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }

  async pinned(url: string): Promise<string | undefined> {
    return this.fixed() ?? (await this.pins())[relayKey(url)];
  }

  /** Pins `fingerprint` for the relay (first use, or the person accepted a changed key). */
  async pin(url: string, fingerprint: string): Promise<void> {
    this.assertNotFixed();
    const pins = await this.pins();
    pins[relayKey(url)] = normalizeFingerprint(fingerprint);
    await this.local.set(PINS_KEY, pins);
  }

  /** Forgets the relay's pin: the next handshake pins whatever key it presents. */
  async forget(url: string): Promise<void> {
    this.assertNotFixed();
    const pins = await this.pins();
    delete pins[relayKey(url)];
    await this.local.set(PINS_KEY, pins);
  }

  private assertNotFixed(): void {
    if (this.fixedByPolicy) throw new Error(t('trust_error_fixed_by_policy'));
  }

  /** Applies a handshake's decision: pins on first use; never overwrites a pin by itself. */
  async record(url: string, decision: TrustDecision): Promise<TrustInfo> {
    if (decision.kind === 'pin-now') await this.pin(url, decision.fingerprint);
    return trustInfoFor(decision);
  }
}
