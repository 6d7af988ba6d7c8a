/**
 * Which WebSocket `Origin`s the relay accepts. Browsers set the header themselves, so it tells
 * a web page (http/https) apart from an extension; it is not a credential, and anything that
 * passes still has to do the bankrelay/1 handshake and sign in.
 */
export interface OriginPolicy {
  /** Exact origins accepted, e.g. the Chrome extension's fixed one or one Firefox install's. */
  allowedOrigins: readonly string[];
  /** Clients that send no Origin (native ones) are refused too. */
  requireOrigin: boolean;
  /** Any Firefox extension's origin is accepted (each install has its own random one). */
  allowFirefoxExtensions: boolean;
}

/**
 * Firefox gives every install of an extension its own origin, `moz-extension://` and a random
 * UUID (lower case, as Firefox writes it). Nothing else matches: not a host name, a port, a
 * path or a longer string, so an origin that merely starts like one is still refused.
 */
const FIREFOX_EXTENSION_ORIGIN = /^moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when an upgrade with this Origin header (undefined: none sent) may proceed. */
export function originAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return !policy.requireOrigin;
  if (policy.allowedOrigins.includes(origin)) return true;
  return policy.allowFirefoxExtensions && FIREFOX_EXTENSION_ORIGIN.test(origin);
}
