import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { generateInterphase, writeInterphase } from '../../src/synth/index.ts';
import { createRng } from '../../src/util/rng.ts';

/**
 * Issue 16, faults: `getsei run` SIGKILLed at many moments — in every stage, at seeded delays after the stage starts,
 * and the instant a temporary (being-written) file appears — then resumed until it completes. The finished folder
 * must equal an uninterrupted run with the same seed: every .npy byte for byte, every JSON and CSV number, with
 * nothing half-written left behind (no temporary files, no partial frame store, no lock).
 */
const dir = mkdtempSync(join(tmpdir(), 'getsei-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

const CONFIG = `
[contrastive]
epochs = 1
batchSize = 64
[states]
count = 3
restarts = 1
fitSampleSize = 600
silhouetteSampleSize = 200
mapSampleSize = 100
[kinetics]
lag = 2
bootstrap = 3
[stability]
repeats = 2
`;

/** Fields that measure the machine, not the result (they differ between two uninterrupted runs too). */
const VOLATILE_KEYS = new Set(['graphsPerSecond']);
/** Files that record when and how fast, not what: the manifest (timestamps), timings, the report page, repeat keys. */
const VOLATILE_FILES = new Set(['manifest.json', 'tables/timings.csv', 'report.html', 'stability/repeat-1/key.json']);

function startRun(trajectory: string, run: string, config: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', main, 'run', trajectory, '-o', run, '-c', config, '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  return { code: child.exitCode, signal: child.signalCode, stderr };
}

function stageRecord(run: string, stage: string): { status: string; startedAt: string } | undefined {
  try {
    return (JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string; startedAt: string }> }).stages[stage];
  } catch {
    return undefined; // not there yet (the manifest itself is written atomically, so never half-read)
  }
}

function allFiles(root: string, at = root): string[] {
  return readdirSync(at, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(root, join(at, e.name)) : [relative(root, join(at, e.name))]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Trigger = { stage: string; delayMs: number } | { tempFile: true };

/** Start a run and SIGKILL it when the trigger fires; returns where it was (the running stage) or 'finished'. */
async function killAt(trajectory: string, run: string, config: string, trigger: Trigger): Promise<string> {
  const before = 'stage' in trigger ? stageRecord(run, trigger.stage)?.startedAt : undefined;
  const child = startRun(trajectory, run, config);
  const exited = finish(child);
  let fired = false;
  while (child.exitCode === null && child.signalCode === null) {
    if ('stage' in trigger) {
      const r = stageRecord(run, trigger.stage);
      fired = r?.status === 'running' && r.startedAt !== before;
    } else {
      fired = allFiles(run).some((f) => /\.(npy|safetensors)\.tmp-\d+-/.test(f) || f.includes('.partial/'));
    }
    if (fired) break;
    await sleep(5);
  }
  if (fired && 'stage' in trigger) await sleep(trigger.delayMs);
  const running = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string }> };
  child.kill('SIGKILL');
  const r = await exited;
  if (r.signal !== 'SIGKILL') {
    assert.equal(r.code, 0, r.stderr);
    return 'finished';
  }
  return Object.entries(running.stages).find(([, s]) => s.status === 'running')?.[0] ?? 'between stages';
}

function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !VOLATILE_KEYS.has(k)).map(([k, v]) => [k, comparable(v)]));
  }
  return value;
}

test('getsei run SIGKILLed at many moments, then resumed, ends byte-identical to an uninterrupted run', { timeout: 180_000 }, async () => {
  const synth = generateInterphase({ frames: 60, repeats: [2, 2], seed: 3 });
  await writeInterphase(join(dir, 'synth'), synth, {});
  const trajectory = join(dir, 'synth', 'trajectory.extxyz');
  const config = join(dir, 'getsei.toml');
  writeFileSync(config, CONFIG);
  const reference = join(dir, 'reference');
  const interrupted = join(dir, 'interrupted');

  // the uninterrupted run goes alongside the interrupted ones (one thread each)
  const referenceDone = finish(startRun(trajectory, reference, config));

  const rng = createRng(16);
  const triggers: Trigger[] = [];
  // a seeded delay into each long stage, at once into the short ones, and twice the instant an array is being written
  for (const stage of ['featurize', 'transport', 'encoder', 'states', 'kinetics', 'paths', 'stability', 'report']) {
    const long = stage === 'featurize' || stage === 'encoder' || stage === 'states' || stage === 'stability' || stage === 'report';
    triggers.push({ stage, delayMs: long ? Math.round(500 * rng.next()) : 0 });
    if (stage === 'featurize' || stage === 'encoder') triggers.push({ tempFile: true });
  }
  const killedIn: string[] = [];
  for (const t of triggers) killedIn.push(await killAt(trajectory, interrupted, config, t));
  const last = await finish(startRun(trajectory, interrupted, config));
  assert.equal(last.code, 0, last.stderr);
  const ref = await referenceDone;
  assert.equal(ref.code, 0, ref.stderr);

  // the kills landed inside the long stages (others may finish before the kill arrives)
  for (const s of ['featurize', 'encoder', 'states', 'stability', 'report']) assert.ok(killedIn.includes(s), `killed in ${s}: ${killedIn.join(', ')}`);

  const files = allFiles(reference).sort();
  assert.deepEqual(allFiles(interrupted).sort(), files, 'the same files, and no temporary or partial ones left');
  assert.ok(!files.some((f) => f.includes('.tmp-') || f.includes('.partial') || f === '.lock'));
  let compared = 0;
  for (const f of files) {
    if (VOLATILE_FILES.has(f)) continue;
    const a = readFileSync(join(reference, f));
    const b = readFileSync(join(interrupted, f));
    if (f.endsWith('.json')) assert.deepEqual(comparable(JSON.parse(b.toString())), comparable(JSON.parse(a.toString())), f);
    else assert.ok(a.equals(b), `${f} differs from the uninterrupted run`);
    compared++;
  }
  assert.ok(compared > 40, `compared ${compared} files`);
  process.stdout.write(`# killed ${killedIn.length} times, in: ${killedIn.join(', ')}; compared ${compared} files\n`);
});
