/**
 * The browser extension's fixed identity. `EXTENSION_PUBLIC_KEY` is the manifest `key`
 * (an RSA public key, SPKI DER in base64) generated once; Chromium derives the extension
 * ID from it, so an unpacked copy always has this ID and origin. No private key is needed
 * to load it unpacked (only to publish, which this project does not do with this key).
 */
export const EXTENSION_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyNDQFLlLCp0b//7UEDIUjSD6AkXCM6SVTPVHF4b9pWiqM3VGIdb0l4SdyO6LjDiV7eoo6/U16Vvsm1bVi2fDw/1u8aV9T2HU+n6Xvda9orV/Xolu/rMOWFnFPEt4ix82wsxMV6k1+QvypDNZ5cpLUKJVslavZXZh9qYs1TrkUIUn/10Em2ObFtwQxZrBm6OZ4u8hk6263iDRiN1dvIX4P92TK5pgTMLzh/2IFpTVP4w3qj/rXGFTX/ws2qQ6W5Z+t38408rb63EGgVK1N1JZrEtNjWjDu0Ce+cF/NSZ77zEv/rsxt5C263QxQaVK5mI6qcjOd1JcJGFIvLiAM6AQpQIDAQAB';

/** SHA-256 of the key, first 32 hex digits, each mapped 0-f → a-p (Chromium's rule). */
export const EXTENSION_ID = 'aokpbbgnhbokodghmipdjiigomgdjool';

/** The relay's default allowed WebSocket origin: this extension. */
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;

/**
 * The Firefox build's add-on id (`browser_specific_settings.gecko.id`). Firefox keys an
 * add-on's storage and its updates on this id, so it must never change once the add-on is
 * signed: a new id is a different add-on, with empty storage (forgotten relay keys and
 * settings) and no update path. On addons.mozilla.org the first account to sign an id owns it,
 * so a bank shipping its own build sets its own id here (e.g. wallet@its-domain) before the
 * first submission. The id is not in the add-on's origin: Firefox gives every install its own
 * random `moz-extension://<uuid>` (docs/FIREFOX.md).
 */
export const FIREFOX_ADDON_ID = 'wallet@distributed-bank.example';
