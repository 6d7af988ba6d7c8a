import { managedPolicySchema, type ManagedPolicy, type Settings } from '../shared/api.js';

/*
 * An organization's policy for the extension, from the browser's managed storage (Chromium:
 * the `3rdparty` extension policy for this extension's id; Firefox: `policies.json`'s
 * `3rdparty` section), described to the browser by `managed_schema.json`.
 */

/** The part of storage.managed the background reads. */
export interface ManagedArea {
  get(): Promise<Record<string, unknown>>;
}

/** The settings keys a policy can fix. */
const SETTING_KEYS = ['relayUrl', 'autoLockMinutes', 'notifications'] as const satisfies readonly (keyof Settings)[];

/**
 * The policy in force: each field checked alone, so one bad value (reported through `log`)
 * does not void the others. No managed storage (no policy, or a browser without one): none.
 */
export async function loadPolicy(area: ManagedArea | undefined, log: (message: string, err?: unknown) => void): Promise<ManagedPolicy> {
  if (!area) return {};
  let raw: Record<string, unknown>;
  try {
    raw = await area.get();
  } catch {
    // Firefox rejects when no policy names this add-on: that is "no policy".
    return {};
  }
  const policy: Record<string, unknown> = {};
  for (const key of Object.keys(managedPolicySchema.shape) as (keyof typeof managedPolicySchema.shape)[]) {
    if (raw[key] === undefined) continue;
    const field = managedPolicySchema.shape[key].safeParse(raw[key]);
    if (field.success) policy[key] = field.data;
    else log(`ignored the policy's ${key}: ${field.error.issues[0]?.message ?? 'invalid'}`);
  }
  return policy as ManagedPolicy;
}

/** The settings in effect: the person's own, with what the policy fixes over them. */
export function applyPolicy(settings: Settings, policy: ManagedPolicy): Settings {
  const fixed = Object.fromEntries(SETTING_KEYS.filter((k) => policy[k] !== undefined).map((k) => [k, policy[k]]));
  return { ...settings, ...fixed };
}

/** The settings a change would alter that the policy fixes (the change is refused for them). */
export function fixedByPolicy(patch: Partial<Settings>, policy: ManagedPolicy): (keyof Settings)[] {
  return SETTING_KEYS.filter((k) => patch[k] !== undefined && policy[k] !== undefined && patch[k] !== policy[k]);
}
