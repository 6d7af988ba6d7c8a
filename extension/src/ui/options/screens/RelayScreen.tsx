import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppState } from '../../../shared/api.js';
import { t } from '../../../shared/i18n.js';
import { call } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { Money } from '../../components/Money.js';
import { Notice } from '../../components/Notice.js';
import { Spinner } from '../../components/Spinner.js';
import { LineChart } from '../components/LineChart.js';
import { Panel, ScreenHeader } from '../components/ScreenHeader.js';
import { addSample, computeRates, type StatsSample } from '../lib/chart.js';
import { errorMessage } from '../lib/errors.js';
import { currencyOf, formatCount, formatDuration, formatRate, formatTime } from '../lib/format.js';
import { usePolling } from '../lib/hooks.js';

export const STATS_MS = 2000;

interface Stats {
  connections: { tcp: number; ws: number };
  sessions: number;
  uptimeS: number;
  ops: Record<string, number>;
  ledger: { accounts: number; transfers: number };
  /** Beyond §5 (PROTOCOL §8): group-commit batches (fsyncs) and the changes they carried. */
  commits?: { batches: number; jobs: number };
}

type LedgerCheck = { ok: boolean; accounts: number; transfers: number; sum: number; problem?: string | undefined };

export function sampleOf(stats: Stats, t: number): StatsSample {
  return {
    t,
    uptimeS: stats.uptimeS,
    transfers: stats.ledger.transfers,
    connections: stats.connections.tcp + stats.connections.ws,
    ops: Object.values(stats.ops).reduce((sum, n) => sum + (Number.isFinite(n) ? n : 0), 0),
  };
}

/** The relay at a glance, sampled every 2 s: connections, sessions, throughput and a ledger check. */
export function RelayScreen({ state }: { state: AppState }): JSX.Element {
  const [stats, setStats] = useState<Stats>();
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [error, setError] = useState<string>();
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [checking, setChecking] = useState(false);
  const [check, setCheck] = useState<{ result?: LedgerCheck; error?: string }>();
  const mounted = useRef(true);
  const currency = currencyOf(state.accounts);

  async function poll(): Promise<void> {
    try {
      const next = (await call('admin.stats', {})) as Stats;
      if (!mounted.current) return;
      const now = Date.now();
      setStats(next);
      setSamples((list) => addSample(list, sampleOf(next, now)));
      setUpdatedAt(now);
      setError(undefined);
    } catch (err) {
      if (mounted.current) setError(errorMessage(err));
    }
  }

  useEffect(() => {
    mounted.current = true;
    void poll();
    return () => {
      mounted.current = false;
    };
  }, []);
  usePolling(poll, STATS_MS, true);

  async function verifyLedger(): Promise<void> {
    setChecking(true);
    setCheck(undefined);
    try {
      setCheck({ result: await call('admin.ledger.verify', {}) });
    } catch (err) {
      setCheck({ error: errorMessage(err) });
    } finally {
      setChecking(false);
    }
  }

  const rates = computeRates(samples);
  const latest = rates[rates.length - 1];
  const tps = rates.map((r) => r.transfersPerSecond);
  const connections = rates.map((r) => r.connections);

  return (
    <>
      <ScreenHeader
        title={t('route_relay')}
        description={t('relay_description')}
        actions={
          <Button variant="primary" onClick={() => void verifyLedger()} loading={checking} loadingText={t('common_verifying')}>
            {t('relay_verify_ledger')}
          </Button>
        }
      />
      {check ? <LedgerNotice {...check} currency={currency} /> : null}
      {error ? <Notice tone="warning">{t('relay_read_failed', error)}</Notice> : null}
      {!stats ? (
        error ? null : (
          <div class="o-loading">
            <Spinner size={20} />
            <span role="status">{t('relay_reading')}</span>
          </div>
        )
      ) : (
        <>
          <dl class="o-stats">
            <Stat
              label={t('relay_connections')}
              value={formatCount(stats.connections.tcp + stats.connections.ws)}
              sub={t('relay_connections_sub', formatCount(stats.connections.ws), formatCount(stats.connections.tcp))}
            />
            <Stat label={t('route_sessions')} value={formatCount(stats.sessions)} sub={t('relay_sessions_sub')} />
            <Stat
              label={t('relay_tps')}
              value={latest ? formatRate(latest.transfersPerSecond) : '…'}
              sub={t('relay_tps_sub', formatCount(stats.ledger.transfers))}
            />
            <Stat label={t('relay_rps')} value={latest ? formatRate(latest.opsPerSecond) : '…'} sub={t('relay_rps_sub')} />
            <Stat label={t('relay_accounts')} value={formatCount(stats.ledger.accounts)} sub={t('relay_accounts_sub')} />
            <Stat label={t('relay_uptime')} value={formatDuration(stats.uptimeS)} sub={updatedAt ? t('relay_updated', formatTime(updatedAt)) : ''} />
            {stats.commits ? (
              <Stat
                label={t('relay_commits')}
                value={formatCount(stats.commits.batches)}
                sub={
                  stats.commits.batches > 0
                    ? t('relay_commits_sub_per_commit', formatCount(stats.commits.jobs), formatRate(stats.commits.jobs / stats.commits.batches))
                    : t('relay_commits_sub', formatCount(stats.commits.jobs))
                }
              />
            ) : null}
          </dl>
          <div class="o-charts">
            <Panel title={t('relay_tps')} id="chart-tps">
              <LineChart
                values={tps}
                label={t(
                  'relay_tps_chart_label',
                  formatCount(tps.length * (STATS_MS / 1000)),
                  latest ? formatRate(latest.transfersPerSecond) : t('common_unknown'),
                )}
                format={formatRate}
                color="var(--primary)"
              />
            </Panel>
            <Panel title={t('relay_connections')} id="chart-connections">
              <LineChart
                values={connections}
                label={t(
                  'relay_connections_chart_label',
                  formatCount(connections.length * (STATS_MS / 1000)),
                  connections.length > 0 ? formatCount(connections[connections.length - 1]!) : t('common_unknown'),
                )}
                format={formatCount}
                color="var(--positive)"
              />
            </Panel>
          </div>
        </>
      )}
    </>
  );
}

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }): JSX.Element {
  return (
    <div class="o-stat">
      <dt class="o-stat__label">{label}</dt>
      <dd class="o-stat__value">{value}</dd>
      {sub ? <dd class="o-stat__sub">{sub}</dd> : null}
    </div>
  );
}

function LedgerNotice({ result, error, currency }: { result?: LedgerCheck; error?: string; currency: string }): JSX.Element {
  if (error !== undefined) {
    return (
      <Notice tone="error" title={t('relay_ledger_verify_failed')}>
        {error}
      </Notice>
    );
  }
  if (!result) return <></>;
  if (result.ok) {
    return (
      <Notice tone="success" title={t('relay_ledger_balanced_title')} announce>
        {t('relay_ledger_balanced_text', formatCount(result.accounts), formatCount(result.transfers))} <Money minor={result.sum} currency={currency} />
        {t('sentence_end')}
      </Notice>
    );
  }
  return (
    <Notice tone="error" title={t('relay_ledger_unbalanced_title')}>
      <p>{result.problem ?? t('relay_ledger_unbalanced_no_detail')}</p>
      <p>
        {t('relay_ledger_unbalanced_text', formatCount(result.accounts), formatCount(result.transfers))} <Money minor={result.sum} currency={currency} />{' '}
        {t('relay_ledger_should_be_zero', formatCount(0))}
      </p>
    </Notice>
  );
}
