import type pg from 'pg';
import type { KvRange, KvView } from '../bank-store.js';

/**
 * One PostgreSQL table read the way the relay reads a LevelDB sublevel (bank-store.ts KvView):
 * by key, by many keys in one round trip, and by key range in either direction, paged with
 * keyset pagination (row comparisons on the primary key, so every page is an index range).
 * Keys are the embedded store's key strings (db.ts); each table says how its key string maps
 * onto its key columns. Text keys sort bytewise (migration 3 makes them COLLATE "C"), as
 * LevelDB's do, so cursors mean the same on both stores.
 */
export interface TableSpec<V> {
  table: string;
  /** The key columns, in the primary key's order, with their SQL types. */
  keys: readonly { column: string; type: 'text' | 'bigint' }[];
  /** The column (or expression) holding the value. */
  value: string;
  /** The key string's column values (`~` past a prefix maps to the largest value). */
  encode(key: string): unknown[];
  /** The key string of a row's key columns. */
  decode(row: Record<string, unknown>): string;
  /** The stored value as the relay sees it. */
  toValue?(raw: unknown): V;
}

/** Rows per round trip when walking a range. */
const PAGE = 500;

export class PgTable<V> implements KvView<V> {
  private readonly keyList: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly spec: TableSpec<V>,
  ) {
    this.keyList = spec.keys.map((k) => k.column).join(', ');
  }

  private value(raw: unknown): V {
    return this.spec.toValue ? this.spec.toValue(raw) : (raw as V);
  }

  async get(key: string): Promise<V | undefined> {
    return (await this.getMany([key]))[0];
  }

  async getMany(keys: string[]): Promise<(V | undefined)[]> {
    if (keys.length === 0) return [];
    const { spec } = this;
    const encoded = keys.map((k) => spec.encode(k));
    const params = spec.keys.map((_, i) => encoded.map((e) => e[i]));
    const unnest = spec.keys.map((k, i) => `$${i + 1}::${k.type}[]`).join(', ');
    const res = await this.pool.query<Record<string, unknown>>(
      `SELECT ${this.keyList}, ${spec.value} AS v FROM ${spec.table}
       WHERE (${this.keyList}) IN (SELECT * FROM unnest(${unnest}))`,
      params,
    );
    const found = new Map(res.rows.map((r) => [spec.decode(r), this.value(r.v)]));
    return keys.map((k) => found.get(k));
  }

  iterator(range: KvRange = {}): AsyncIterable<[string, V]> {
    return this.walk(range);
  }

  async *values(range: KvRange = {}): AsyncIterable<V> {
    for await (const [, v] of this.walk(range)) yield v;
  }

  async *keys(range: KvRange = {}): AsyncIterable<string> {
    for await (const [k] of this.walk(range)) yield k;
  }

  private async *walk(range: KvRange): AsyncGenerator<[string, V]> {
    const { spec } = this;
    let lower: { op: '>' | '>='; key: string } | undefined = range.gt !== undefined ? { op: '>', key: range.gt } : range.gte !== undefined ? { op: '>=', key: range.gte } : undefined;
    let upper: { op: '<' | '<='; key: string } | undefined = range.lt !== undefined ? { op: '<', key: range.lt } : range.lte !== undefined ? { op: '<=', key: range.lte } : undefined;
    let remaining = range.limit !== undefined && range.limit >= 0 ? range.limit : Infinity;
    const direction = range.reverse ? 'DESC' : 'ASC';
    const order = spec.keys.map((k) => `${k.column} ${direction}`).join(', ');
    while (remaining > 0) {
      const params: unknown[] = [];
      const conds: string[] = [];
      const bound = (b: { op: string; key: string }) => {
        const values = spec.encode(b.key);
        const refs = values.map((v, i) => {
          params.push(v);
          return `$${params.length}::${spec.keys[i]!.type}`;
        });
        conds.push(`(${this.keyList}) ${b.op} (${refs.join(', ')})`);
      };
      if (lower) bound(lower);
      if (upper) bound(upper);
      const take = Math.min(PAGE, remaining);
      params.push(take);
      const res = await this.pool.query<Record<string, unknown>>(
        `SELECT ${this.keyList}, ${spec.value} AS v FROM ${spec.table}${conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.length}`,
        params,
      );
      for (const row of res.rows) yield [spec.decode(row), this.value(row.v)];
      remaining -= res.rows.length;
      if (res.rows.length < take) return;
      const last = spec.decode(res.rows[res.rows.length - 1]!);
      if (range.reverse) upper = { op: '<', key: last };
      else lower = { op: '>', key: last };
    }
  }
}
