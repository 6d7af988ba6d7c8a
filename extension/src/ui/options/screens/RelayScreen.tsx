import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppState } from '../../../shared/api.js';
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
        title="Relay"
        description={`Live figures from the relay, every ${STATS_MS / 1000} seconds.`}
        actions={
          <Button variant="primary" onClick={() => void verifyLedger()} loading={checking} loadingText="Verifying…">
            Verify ledger
          </Button>
        }
      />
      {check ? <LedgerNotice {...check} currency={currency} /> : null}
      {error ? <Notice tone="warning">Could not read the relay's figures: {error}. Retrying…</Notice> : null}
      {!stats ? (
        error ? null : (
          <div class="o-loading">
            <Spinner size={20} />
            <span role="status">Reading the relay's figures…</span>
          </div>
        )
      ) : (
        <>
          <dl class="o-stats">
            <Stat label="Connections" value={formatCount(stats.connections.tcp + stats.connections.ws)} sub={`${stats.connections.ws} WebSocket · ${stats.connections.tcp} TCP`} />
            <Stat label="Sessions" value={formatCount(stats.sessions)} sub="signed in now" />
            <Stat label="Transfers per second" value={latest ? formatRate(latest.transfersPerSecond) : '…'} sub={`${formatCount(stats.ledger.transfers)} transfers in all`} />
            <Stat label="Requests per second" value={latest ? formatRate(latest.opsPerSecond) : '…'} sub="all operations" />
            <Stat label="Accounts" value={formatCount(stats.ledger.accounts)} sub="in the ledger" />
            <Stat label="Uptime" value={formatDuration(stats.uptimeS)} sub={updatedAt ? `updated ${formatTime(updatedAt)}` : ''} />
            {stats.commits ? (
              <Stat
                label="Disk commits"
                value={formatCount(stats.commits.batches)}
                sub={`${formatCount(stats.commits.jobs)} changes${stats.commits.batches > 0 ? `, ${formatRate(stats.commits.jobs / stats.commits.batches)} per commit` : ''}`}
              />
            ) : null}
          </dl>
          <div class="o-charts">
            <Panel title="Transfers per second" id="chart-tps">
              <LineChart
                values={tps}
                label={`Transfers per second over the last ${tps.length * (STATS_MS / 1000)} seconds; now ${latest ? formatRate(latest.transfersPerSecond) : 'unknown'}`}
                format={formatRate}
                color="var(--primary)"
              />
            </Panel>
            <Panel title="Connections" id="chart-connections">
              <LineChart
                values={connections}
                label={`Open connections over the last ${connections.length * (STATS_MS / 1000)} seconds; now ${connections[connections.length - 1] ?? 'unknown'}`}
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
      <Notice tone="error" title="Could not verify the ledger">
        {error}
      </Notice>
    );
  }
  if (!result) return <></>;
  if (result.ok) {
    return (
      <Notice tone="success" title="Ledger balanced" announce>
        {formatCount(result.accounts)} accounts and {formatCount(result.transfers)} transfers checked; all balances add up to{' '}
        <Money minor={result.sum} currency={currency} />.
      </Notice>
    );
  }
  return (
    <Notice tone="error" title="Ledger does not balance">
      <p>{result.problem ?? 'The balances do not match the transfers.'}</p>
      <p>
        {formatCount(result.accounts)} accounts, {formatCount(result.transfers)} transfers; sum of balances <Money minor={result.sum} currency={currency} />{' '}
        (should be 0).
      </p>
    </Notice>
  );
}
