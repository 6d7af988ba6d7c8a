import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient } from '../../relay/store/postgres/connect.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../relay/store/postgres/migrations.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/*
 * The PostgreSQL store's schema migrations, against a real PostgreSQL server started
 * for the test (initdb + pg_ctl on a free loopback port).
 */
describe('PostgreSQL schema migrations', () => {
  let server: TestPostgres;
  const clients: pg.Client[] = [];
  async function client(url: string): Promise<pg.Client> {
    const c = newClient(url);
    await c.connect();
    clients.push(c);
    return c;
  }
  async function tables(c: pg.Client): Promise<string[]> {
    const r = await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    return r.rows.map((x) => x.t);
  }

  beforeAll(async () => {
    server = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await server?.stop();
  });

  it('creates the schema on an empty database, and a second run changes nothing', async () => {
    const c = await client(await server.createDatabase('bank_fresh'));
    expect(await migrate(c)).toEqual({ from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
    expect(await tables(c)).toEqual(['accounts', 'audit', 'audit_head', 'bank_schema_migrations', 'meta', 'owners', 'runs', 'sessions', 'transfers', 'users']);
    expect(await migrate(c)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
  });

  it('applies each step exactly once when several relays start at the same moment', async () => {
    const url = await server.createDatabase('bank_race');
    const relays = await Promise.all(Array.from({ length: 4 }, () => client(url)));
    const outcomes = await Promise.all(relays.map((c) => migrate(c)));
    expect(outcomes.flatMap((o) => o.applied).sort()).toEqual(MIGRATIONS.map((m) => m.version));
    const rows = await relays[0]!.query('SELECT version FROM bank_schema_migrations ORDER BY version');
    expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('refuses a database whose schema is newer than this relay, and writes nothing to it', async () => {
    const c = await client(await server.createDatabase('bank_newer'));
    await migrate(c);
    await c.query('INSERT INTO bank_schema_migrations (version, name) VALUES ($1, $2)', [SCHEMA_VERSION + 1, 'from a newer relay']);
    await expect(migrate(c)).rejects.toThrow(`the PostgreSQL schema is at version ${SCHEMA_VERSION + 1}, newer than this relay knows (${SCHEMA_VERSION}); upgrade the relay before starting it on this database`);
    expect((await c.query('SELECT count(*)::int AS n FROM bank_schema_migrations')).rows[0].n).toBe(MIGRATIONS.length + 1);
  });

  it('rolls a failing migration back whole: no half-made tables, no version recorded', async () => {
    const c = await client(await server.createDatabase('bank_broken'));
    const broken = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE half_made (x int); SELECT no_such_function();' }];
    await expect(migrate(c, broken)).rejects.toThrow(/migration \d+ \(broken\) failed and was rolled back: function no_such_function\(\) does not exist/);
    expect(await tables(c)).not.toContain('half_made');
    expect((await c.query('SELECT max(version)::int AS v FROM bank_schema_migrations')).rows[0].v).toBe(SCHEMA_VERSION);
    // The lock was released: the next start migrates normally.
    expect((await migrate(c)).applied).toEqual([]);
  });
});
