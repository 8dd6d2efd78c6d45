// The backend's import structure: `node scripts/structure.mjs` prints it, `--check` (in npm run
// lint) fails on a broken rule. dependency-cruiser reads every import of backend/src (type-only
// ones too) and checks the file rules of .dependency-cruiser.mjs (no loop between files, the
// layers); this script adds the rule it cannot say, no loop between feature folders (a feature
// may use another, never both ways, however indirectly), and the figures: files, folders, the
// longest import chain (in files and in folders).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const run = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'),
    'backend/src',
    '--config',
    '.dependency-cruiser.mjs',
    '--output-type',
    'json',
  ],
  { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
);
if (!run.stdout) {
  process.stderr.write(run.stderr || 'dependency-cruiser printed nothing\n');
  process.exit(2);
}
const result = JSON.parse(run.stdout);

const SRC = 'backend/src/';
const inSrc = (s) => s.startsWith(SRC);
const short = (s) => s.slice(SRC.length);
const modules = result.modules.filter((m) => inSrc(m.source));
const edges = new Map(modules.map((m) => [m.source, m.dependencies.map((d) => d.resolved).filter(inSrc)]));
/** A file's folder as a unit of the structure: modules/<feature>, or the first folder under src. */
const unit = (file) => {
  const parts = short(file).split('/');
  if (parts[0] === 'modules') return `modules/${parts[1]}`;
  return parts.length > 1 ? parts[0] : '(roots)';
};

/** Tarjan's strongly connected components. */
function components(nodes, next) {
  let index = 0;
  const ids = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  const visit = (v) => {
    ids.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!ids.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), ids.get(w)));
    }
    if (low.get(v) === ids.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      out.push(c);
    }
  };
  for (const v of nodes) if (!ids.has(v)) visit(v);
  return out;
}

/** The longest path through the graph of components (a loop counts as one step). */
function longestChain(nodes, next) {
  const comps = components(nodes, next);
  const of = new Map();
  comps.forEach((c, i) => c.forEach((v) => of.set(v, i)));
  const memo = new Map();
  const depth = (i) => {
    if (memo.has(i)) return memo.get(i);
    let best = [comps[i][0]];
    for (const v of comps[i])
      for (const w of next(v)) {
        const j = of.get(w);
        if (j === i) continue;
        const tail = depth(j);
        if (tail.length + 1 > best.length) best = [v, ...tail];
      }
    memo.set(i, best);
    return best;
  };
  return comps.map((_, i) => depth(i)).reduce((a, b) => (b.length > a.length ? b : a), []);
}

const unitEdges = new Map();
for (const [from, tos] of edges)
  for (const to of tos) {
    const a = unit(from);
    const b = unit(to);
    if (a === b) continue;
    if (!unitEdges.has(a)) unitEdges.set(a, new Map());
    unitEdges.get(a).set(b, `${short(from)} → ${short(to)}`);
  }
const units = [...new Set(modules.map((m) => unit(m.source)))].sort();
const nextUnits = (u) => [...(unitEdges.get(u)?.keys() ?? [])];
const unitLoops = components(units, nextUnits).filter((c) => c.length > 1);

const violations = (result.summary.violations ?? []).map((v) =>
  v.cycle
    ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name ?? c)].map(short).join(' → ')}`
    : `${v.rule.name}: ${short(v.from)} → ${v.to}`,
);
for (const loop of unitLoops) {
  const set = new Set(loop);
  const why = loop.flatMap((a) => [...(unitEdges.get(a) ?? [])].filter(([b]) => set.has(b)).map(([, e]) => e));
  violations.push(`no-loop-between-features: ${loop.sort().join(' ↔ ')} (${why.join('; ')})`);
}

const fileChain = longestChain([...edges.keys()], (v) => edges.get(v) ?? []);
const unitChain = longestChain(units, nextUnits);
console.log(
  `backend/src: ${modules.length} files in ${new Set(modules.map((m) => dirname(m.source))).size} folders ` +
    `(${units.filter((u) => u.startsWith('modules/')).length} feature folders); ` +
    `loops between files: ${(result.summary.violations ?? []).filter((v) => v.rule.name === 'no-circular').length}, between folders: ${unitLoops.length}`,
);
console.log(`longest import chain: ${fileChain.length} files (${fileChain.map(short).join(' → ')})`);
console.log(`longest chain of folders: ${unitChain.length} (${unitChain.join(' → ')})`);
for (const v of violations) console.log(`  ${check ? 'error' : 'note'} ${v}`);
if (check && violations.length > 0) process.exit(1);
