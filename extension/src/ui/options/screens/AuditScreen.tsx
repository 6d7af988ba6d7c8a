import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuditEntry } from '../../../../../common/schemas/models.js';
import { t } from '../../../shared/i18n.js';
import { call } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { Notice } from '../../components/Notice.js';
import { TextField } from '../../components/TextField.js';
import { Badge, type BadgeTone } from '../components/Badge.js';
import { CheckboxField } from '../components/CheckboxField.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { TableState } from '../components/TableState.js';
import { auditHead, readNewer, readOlder, type AuditFilters, type AuditQuery } from '../lib/audit-log.js';
import { errorMessage } from '../lib/errors.js';
import { formatCount, formatDateTime, formatDateTimeShort } from '../lib/format.js';
import { usePolling } from '../lib/hooks.js';

export const TAIL_MS = 2000;

const query: AuditQuery = (args) => call('admin.audit.query', args);

type VerifyResult = { ok: boolean; entries: number; head: { seq: number; hash: string }; problem?: string | undefined };

/** The hash-chained audit log, newest first, with filters, a live tail and chain verification. */
export function AuditScreen(): JSX.Element {
  const [form, setForm] = useState({ actor: '', action: '' });
  const [filters, setFilters] = useState<AuditFilters>({});
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [nextHi, setNextHi] = useState(0);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<unknown>();
  const [tail, setTail] = useState(false);
  const [tailError, setTailError] = useState<string>();
  const [verifying, setVerifying] = useState(false);
  const [verify, setVerify] = useState<{ result?: VerifyResult; error?: string }>();
  const lastSeq = useRef(0);
  const generation = useRef(0);
  const [reloadTick, setReloadTick] = useState(0);

  useEffect(() => {
    const gen = ++generation.current;
    setLoading(true);
    setError(undefined);
    (async () => {
      const head = await auditHead(query);
      const page = await readOlder(query, head.seq, filters);
      if (gen !== generation.current) return;
      lastSeq.current = head.seq;
      setEntries(page.entries);
      setNextHi(page.nextHi);
    })().then(
      () => gen === generation.current && setLoading(false),
      (err: unknown) => {
        if (gen !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, [filters, reloadTick]);

  usePolling(
    async () => {
      const gen = generation.current;
      try {
        const fresh = await readNewer(query, lastSeq.current, filters);
        if (gen !== generation.current) return;
        lastSeq.current = fresh.lastSeq;
        setTailError(undefined);
        if (fresh.entries.length > 0) setEntries((list) => [...fresh.entries, ...list]);
      } catch (err) {
        setTailError(errorMessage(err));
      }
    },
    TAIL_MS,
    tail && !loading,
  );

  async function loadOlder(): Promise<void> {
    const gen = generation.current;
    setLoadingOlder(true);
    try {
      const page = await readOlder(query, nextHi, filters);
      if (gen !== generation.current) return;
      setEntries((list) => [...list, ...page.entries]);
      setNextHi(page.nextHi);
    } catch (err) {
      setError(err);
    } finally {
      setLoadingOlder(false);
    }
  }

  async function runVerify(): Promise<void> {
    setVerifying(true);
    setVerify(undefined);
    try {
      setVerify({ result: await call('admin.audit.verify', {}) });
    } catch (err) {
      setVerify({ error: errorMessage(err) });
    } finally {
      setVerifying(false);
    }
  }

  function apply(e: Event): void {
    e.preventDefault();
    const actor = form.actor.trim();
    const action = form.action.trim();
    setFilters({ ...(actor && { actor }), ...(action && { action }) });
  }

  const filtered = Boolean(filters.actor || filters.action);
  return (
    <>
      <ScreenHeader
        title={t('route_audit')}
        description={t('audit_description')}
        actions={
          <Button variant="primary" onClick={() => void runVerify()} loading={verifying} loadingText={t('common_verifying')}>
            {t('audit_verify')}
          </Button>
        }
      />
      {verify ? <VerifyNotice {...verify} /> : null}
      <form class="o-filters" role="search" aria-label={t('audit_filter_label')} onSubmit={apply} noValidate>
        <TextField
          label={t('audit_actor')}
          value={form.actor}
          onValue={(actor) => setForm((f) => ({ ...f, actor }))}
          placeholder={t('audit_actor_placeholder')}
          maxLength={64}
          spellcheck={false}
          dir="ltr"
        />
        <TextField
          label={t('audit_action')}
          value={form.action}
          onValue={(action) => setForm((f) => ({ ...f, action }))}
          placeholder={t('audit_action_placeholder')}
          maxLength={64}
          spellcheck={false}
          dir="ltr"
        />
        <div class="o-filters__actions">
          <Button type="submit">{t('common_apply')}</Button>
          {filtered ? (
            <Button
              variant="ghost"
              onClick={() => {
                setForm({ actor: '', action: '' });
                setFilters({});
              }}
            >
              {t('common_clear')}
            </Button>
          ) : null}
        </div>
        <div class="o-filters__end">
          <CheckboxField label={t('audit_live_tail')} checked={tail} onChecked={setTail} hint={t('audit_live_tail_hint')} switch />
        </div>
      </form>
      {tailError ? <Notice tone="warning">{t('audit_tail_paused', tailError)}</Notice> : null}
      <TableState
        label={t('audit_table_label')}
        loading={loading}
        error={error}
        count={entries.length}
        onRetry={() => setReloadTick((n) => n + 1)}
        loadingLabel={t('audit_loading')}
        emptyTitle={filtered ? t('audit_empty_filtered_title') : t('audit_empty_title')}
        emptyText={filtered ? t('audit_empty_filtered_text') : undefined}
      >
        <table class="o-table o-table--dense">
          <caption class="sr-only">{t('audit_caption')}</caption>
          <thead>
            <tr>
              <th scope="col" class="o-num">
                {t('audit_col_seq')}
              </th>
              <th scope="col">{t('audit_col_time')}</th>
              <th scope="col">{t('audit_col_actor')}</th>
              <th scope="col">{t('audit_action')}</th>
              <th scope="col">{t('audit_col_target')}</th>
              <th scope="col">{t('audit_col_outcome')}</th>
              <th scope="col">{t('audit_col_details')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td class="o-num o-mono">{formatCount(e.seq)}</td>
                <td class="o-nowrap" title={formatDateTime(e.ts)}>
                  <time dateTime={e.ts}>{formatDateTimeShort(e.ts)}</time>
                </td>
                <td>
                  <span class="o-cell-main">{e.actor || <span class="o-muted">{t('audit_no_actor')}</span>}</span>
                  {e.role ? <span class="o-cell-sub">{e.role}</span> : null}
                </td>
                <td class="o-mono">{e.action}</td>
                <td class="o-clip" title={e.target}>
                  {e.target ?? <span class="o-muted">{t('common_none_dash')}</span>}
                </td>
                <td>
                  <Badge tone={outcomeTone(e.outcome)}>{e.outcome}</Badge>
                </td>
                <td class="o-clip o-details" title={e.details ? detailsText(e.details) : undefined}>
                  {e.details ? detailsText(e.details) : <span class="o-muted">{t('common_none_dash')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableState>
      {!loading && !error && nextHi > 0 ? (
        <div class="o-more">
          <Button onClick={() => void loadOlder()} loading={loadingOlder} loadingText={t('common_loading')}>
            {t('audit_load_older')}
          </Button>
          <span class="o-muted">{t('audit_searched_back', formatCount(nextHi + 1))}</span>
        </div>
      ) : null}
    </>
  );
}

/** ok is good; error codes and refusals (bad_password, LOCKED_OUT…) stand out; other results are neutral. */
export function outcomeTone(outcome: string): BadgeTone {
  if (outcome === 'ok') return 'ok';
  if (/^[A-Z_]+$/.test(outcome) || /bad|fail|denied|refused|invalid|locked|expired/i.test(outcome)) return 'danger';
  return 'neutral';
}

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function VerifyNotice({ result, error }: { result?: VerifyResult; error?: string }): JSX.Element {
  if (error !== undefined) {
    return (
      <Notice tone="error" title={t('audit_verify_failed')}>
        {error}
      </Notice>
    );
  }
  if (!result) return <></>;
  if (result.ok) {
    return (
      <Notice tone="success" title={t('audit_intact_title')} announce>
        {t('audit_intact_text', formatCount(result.entries), formatCount(result.head.seq))}{' '}
        <code class="o-hash" title={result.head.hash} dir="ltr">
          {result.head.hash.slice(0, 16)}…
        </code>
      </Notice>
    );
  }
  return (
    <Notice tone="error" title={t('audit_broken_title')}>
      <p>{result.problem ?? t('audit_broken_no_detail')}</p>
      <p>
        {t('audit_broken_text', formatCount(result.entries), formatCount(result.head.seq))} <code dir="ltr">bank-relay audit verify</code>
        {t('sentence_end')}
      </p>
    </Notice>
  );
}
