export type ChannelErrorReason = 'SHORT_FRAME' | 'BAD_SEQ' | 'BAD_TAG';

/** A secure frame that must not be accepted; the receiver closes the connection. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  readonly reason: ChannelErrorReason;

  constructor(reason: ChannelErrorReason, message?: string) {
    super(message ?? reason);
    this.reason = reason;
  }
}
