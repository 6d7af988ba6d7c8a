import { z } from 'zod';

/** The error codes of bankrelay/1 §4; a client may switch on these, so they never change meaning. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNKNOWN_OP',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INSUFFICIENT_FUNDS',
  'LIMIT_EXCEEDED',
  'ACCOUNT_FROZEN',
  'CONFLICT',
  'RATE_LIMITED',
  'LOCKED_OUT',
  /** Not serving yet or any more, or the store takes no writes: nothing was done; retry later. */
  'UNAVAILABLE',
  /** The write may or may not have happened: replay the same transferId to learn which. */
  'IN_DOUBT',
  /** An atomic batch's item that was not applied because another item failed. */
  'BATCH_ABORTED',
  'INTERNAL',
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** An error meant to reach the client as `{code, message}`; `message` is written for a person. */
export class BankError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BankError';
  }
}

export function isBankError(e: unknown): e is BankError {
  return e instanceof BankError;
}
