import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The relay's layout, checked on its sources: no import cycles (type-only imports count: a
 * cycle of types is still two modules that cannot be understood apart), and each store's
 * storage speaks only inside its own folder, so the rest of the relay deals in domain terms.
 */
const RELAY = fileURLToPath(new URL('../../relay/', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Each relay module's imports of other relay modules (static `import … from './x.js'`, type-only included). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sources(RELAY)) {
    const text = await readFile(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.{1,2}\/[^']+)\.js'/gm)) {
      const target = path.resolve(path.dirname(file), `${m[1]}.ts`);
      if (target.startsWith(RELAY)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** One cycle (as relay-relative paths), or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.get(node) !== undefined) continue;
    const found = visit(node);
    if (found) return found.map((f) => path.relative(RELAY, f));
  }
  return undefined;
}

/** The relay's sources outside `folder` (relay-relative) whose text matches `pattern`, with the first match. */
async function outside(folder: string, pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const file of await sources(RELAY)) {
    const rel = path.relative(RELAY, file);
    if (rel.startsWith(folder)) continue;
    const m = pattern.exec(await readFile(file, 'utf8'));
    if (m) found.push(`${rel}: ${m[0]}`);
  }
  return found;
}

describe('the relay\'s modules', () => {
  it('import one another without cycles', async () => {
    const graph = await importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('leave LevelDB to relay/store/leveldb/: its packages and its "!sublevel!" keys', async () => {
    expect(await outside('store/leveldb/', /from '(?:level|classic-level|abstract-level)'|['"`]![a-z]+!/)).toEqual([]);
  });

  it('leave SQL and the pg driver to relay/store/postgres/ (other modules may name its types)', async () => {
    expect(await outside('store/postgres/', /\b(?:SELECT\s.+\sFROM|INSERT INTO|DELETE FROM|UPDATE\s+\w+\s+SET|CREATE TABLE)\b|^import (?!type)[^;]*from 'pg'/m)).toEqual([]);
  });
});
