// Start-up cost of `authhook external` (Apache runs it once per check), beside the baselines,
// measured in the same run with interleaved rounds:
//   node --import tsx bench/external/run.ts [runs]        (default 40 runs each)
// hyperfine is not needed; each figure is the wall time of spawnSync with the stdin Apache sends.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const BIN = here('../../bin/authhook.js');
const SCRIPT = here('./auth.ts');
const runs = Number(process.argv[2] ?? 40);
const warmCache = mkdtempSync(join(tmpdir(), 'authhook-bench-warm-'));
const coldRoot = mkdtempSync(join(tmpdir(), 'authhook-bench-cold-'));
let coldCount = 0;

interface Candidate {
  readonly name: string;
  command(): { file: string; args: string[] };
  readonly expect: number;
}

const node = process.execPath;
const candidates: Candidate[] = [
  { name: "/bin/sh -c 'exit 0'", command: () => ({ file: '/bin/sh', args: ['-c', 'exit 0'] }), expect: 0 },
  { name: "node -e 'process.exit(0)'", command: () => ({ file: node, args: ['-e', 'process.exit(0)'] }), expect: 0 },
  { name: 'node plain-check.mjs (hand-written JS checker)', command: () => ({ file: node, args: [here('./plain-check.mjs')] }), expect: 0 },
  { name: 'authhook external, warm cache', command: () => ({ file: node, args: [BIN, 'external', '--script', SCRIPT, '--cache-dir', warmCache] }), expect: 0 },
  {
    name: 'authhook external, cold cache (compiles)',
    command: () => ({ file: node, args: [BIN, 'external', '--script', SCRIPT, '--cache-dir', join(coldRoot, String(coldCount++))] }),
    expect: 0,
  },
  { name: 'node --import tsx tsx-check.ts', command: () => ({ file: node, args: ['--import', 'tsx', here('./tsx-check.ts')] }), expect: 0 },
];

function once(c: Candidate): number {
  const { file, args } = c.command();
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { input: 'alice\nsecret\n', stdio: ['pipe', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== c.expect) throw new Error(`${c.name}: exit ${r.status}\n${r.stderr}`);
  return ms;
}

const times = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
for (const c of candidates) once(c); // fills the warm cache and the OS file cache
for (let i = 0; i < runs; i++) for (const c of candidates) times.get(c.name)!.push(once(c));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const base = median(times.get("node -e 'process.exit(0)'")!);
console.log(`runs: ${runs} each, interleaved; node ${process.version}`);
console.log('median ms   mean ms   min ms   × node -e   command');
for (const c of candidates) {
  const xs = times.get(c.name)!;
  const m = median(xs);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`${m.toFixed(1).padStart(9)} ${mean.toFixed(1).padStart(9)} ${Math.min(...xs).toFixed(1).padStart(8)} ${(m / base).toFixed(2).padStart(10)}   ${c.name}`);
}
rmSync(warmCache, { recursive: true, force: true });
rmSync(coldRoot, { recursive: true, force: true });
