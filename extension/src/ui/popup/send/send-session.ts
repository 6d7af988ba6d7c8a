import { sessionGet, sessionSet } from '../platform.js';

/*
 * The transfer being prepared, kept outside the components: it survives the send screens
 * unmounting (a key-changed panel, a lock) and, through chrome.storage.session, the popup being
 * closed and reopened. Its transferId is made once, when the person first asks to review, and
 * reused for every retry, so a retry after a dropped connection can never pay twice. Changing
 * payee, amount or memo makes it a different transfer: the id is dropped and a new one is made.
 */

export interface SendDraft {
  /** As typed: spaces and case are normalized only when sending. */
  to: string;
  amount: string;
  memo: string;
}

export interface SendSession {
  /** The username it belongs to; another person's session is never offered. */
  owner: string;
  draft: SendDraft;
  transferId?: string;
  /** Set while transfer.create is in flight, and kept when it ended without a definite answer. */
  uncertain?: boolean;
  /** An earlier id that may have been paid (uncertain) before the person edited the transfer. */
  earlierUncertain?: { transferId: string; to: string; amount: string };
}

const STORAGE_KEY = 'popup.sendSession';
export const EMPTY_DRAFT: SendDraft = { to: '', amount: '', memo: '' };

let current: SendSession | undefined;

export function getSendSession(owner: string): SendSession | undefined {
  return current?.owner === owner ? current : undefined;
}

export function setSendSession(session: SendSession | undefined): void {
  current = session;
  void sessionSet(STORAGE_KEY, session);
}

/** Brings back what was being sent when the popup was last closed (this browser session only). */
export async function restoreSendSession(owner: string): Promise<SendSession | undefined> {
  if (current) return getSendSession(owner);
  const stored = await sessionGet<SendSession>(STORAGE_KEY);
  if (!current && stored && typeof stored === 'object' && stored.owner === owner && stored.draft) current = stored;
  return getSendSession(owner);
}

/** Test seam, and sign-out: forget everything. */
export function clearSendSession(): void {
  setSendSession(undefined);
}

/**
 * The session after the person edited the draft: any field changing means a new transfer (no
 * id yet). An id whose payment is uncertain is remembered so the form can warn about it.
 */
export function withDraft(session: SendSession, draft: SendDraft): SendSession {
  const d = session.draft;
  if (d.to === draft.to && d.amount === draft.amount && d.memo === draft.memo) return session;
  const next: SendSession = { owner: session.owner, draft };
  if (session.transferId && session.uncertain) {
    next.earlierUncertain = { transferId: session.transferId, to: d.to, amount: d.amount };
  } else if (session.earlierUncertain) {
    next.earlierUncertain = session.earlierUncertain;
  }
  return next;
}

/** Whether anything has been typed. */
export function isDraftEmpty(d: SendDraft): boolean {
  return !d.to.trim() && !d.amount.trim() && !d.memo.trim();
}
