import { isCanonicalAccountNumber } from '../account-number.js';
import { BATCH_MAX, type OpArgs } from './ops.js';
import { UUID_RE } from './primitives.js';

/*
 * The transfer ops' arguments checked without zod, for the shape nearly every request has:
 * plain fields, account numbers as software writes them, no memo or a printable ASCII one.
 * Each returns exactly what the op's schema would, or undefined to let the schema decide (and
 * word the error). A 1,000-item `transfer.batch` spent about a millisecond in zod, a tenth of
 * the relay's time per transfer. tests/common/transfer-args-fast.test.ts checks both agree.
 */

type TransferArgs = OpArgs<'transfer.create'>;
type BatchArgs = OpArgs<'transfer.batch'>;

const TRANSFER_KEYS = new Set(['transferId', 'from', 'to', 'amount', 'memo']);
const BATCH_KEYS = new Set(['transfers', 'atomic', 'runId']);
const MEMO_PLAIN_MAX = 140;

function plainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function onlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}

function plainAccount(v: unknown): v is string {
  return typeof v === 'string' && isCanonicalAccountNumber(v);
}

/** Printable ASCII, no space at either end: unchanged by NFC and trim, safe to show. */
function plainMemo(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > MEMO_PLAIN_MAX) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return v.length === 0 || (v.charCodeAt(0) !== 0x20 && v.charCodeAt(v.length - 1) !== 0x20);
}

function uuid(v: unknown): v is string {
  return typeof v === 'string' && UUID_RE.test(v);
}

/** `transfer.create`'s arguments, and each item of `transfer.batch`. */
export function fastTransferArgs(raw: unknown): TransferArgs | undefined {
  if (!plainObject(raw) || !onlyKeys(raw, TRANSFER_KEYS)) return undefined;
  const { transferId, from, to, amount, memo } = raw;
  if (!uuid(transferId) || !plainAccount(to)) return undefined;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) return undefined;
  const hasFrom = 'from' in raw;
  if (hasFrom && (!plainAccount(from) || from === to)) return undefined;
  const hasMemo = 'memo' in raw;
  if (hasMemo && !plainMemo(memo)) return undefined;
  const out: TransferArgs = { transferId: transferId.toLowerCase(), to, amount };
  if (hasFrom) out.from = from as string;
  if (hasMemo) out.memo = memo as string;
  return out;
}

export function fastTransferBatchArgs(raw: unknown): BatchArgs | undefined {
  if (!plainObject(raw) || !onlyKeys(raw, BATCH_KEYS)) return undefined;
  const { transfers, atomic, runId } = raw;
  if (!Array.isArray(transfers) || transfers.length < 1 || transfers.length > BATCH_MAX) return undefined;
  if ('atomic' in raw && typeof atomic !== 'boolean') return undefined;
  if ('runId' in raw && !uuid(runId)) return undefined;
  const items: TransferArgs[] = new Array(transfers.length);
  for (let i = 0; i < transfers.length; i++) {
    const item = fastTransferArgs(transfers[i]);
    if (item === undefined) return undefined;
    items[i] = item;
  }
  const out: BatchArgs = { transfers: items };
  if ('atomic' in raw) out.atomic = atomic as boolean;
  if ('runId' in raw) out.runId = (runId as string).toLowerCase();
  return out;
}
