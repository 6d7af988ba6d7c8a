export const PROTOCOL_VERSION = 1;
/** Domain-separation prefix of the transcript hash. */
export const PROTOCOL_LABEL = 'bankrelay/1';
/** HKDF info string for the session keys. */
export const KEYS_INFO = 'bankrelay/1 keys';
export const DEFAULT_MAX_FRAME = 1048576;
export const DEFAULT_HEARTBEAT_MS = 20000;
export const SEQ_LENGTH = 8;
export const TAG_LENGTH = 16;
/** seq ‖ tag with an empty ciphertext. */
export const MIN_SECURE_FRAME = SEQ_LENGTH + TAG_LENGTH;
