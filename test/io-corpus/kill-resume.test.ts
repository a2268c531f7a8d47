import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
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
epochs = 2
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
/** Files that record when and how fast, not what: the manifests (timestamps; the model's also hashes the encoder's
 * training record, which holds its speed), timings, the report page, repeat keys. */
const VOLATILE_FILES = new Set(['manifest.json', 'tables/timings.csv', 'report.html', 'stability/repeat-1/key.json', 'model/manifest.json']);

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

const trajectory = join(dir, 'synth', 'trajectory.extxyz');
const config = join(dir, 'getsei.toml');
const reference = join(dir, 'reference');
let referenceDone: Promise<{ code: number | null; stderr: string }> | undefined;
let ready: Promise<void> | undefined;

/** The synthetic case, and the uninterrupted run that goes alongside the interrupted ones (one thread each). */
function setUp(): Promise<void> {
  ready ??= (async () => {
    await writeInterphase(join(dir, 'synth'), generateInterphase({ frames: 60, repeats: [2, 2], seed: 3, dtPs: 10 }), {});
    writeFileSync(config, CONFIG);
    referenceDone = finish(startRun(trajectory, reference, config));
  })();
  return ready;
}

/** The finished folder equals the reference: every .npy and CSV byte for byte, every JSON number; nothing extra. */
async function assertSameAsReference(run: string): Promise<number> {
  const ref = await (referenceDone as NonNullable<typeof referenceDone>);
  assert.equal(ref.code, 0, ref.stderr);
  const files = allFiles(reference).sort();
  assert.deepEqual(allFiles(run).sort(), files, 'the same files, and no temporary or partial ones left');
  assert.ok(!files.some((f) => f.includes('.tmp-') || f.includes('.partial') || f === '.lock'));
  let compared = 0;
  for (const f of files) {
    if (VOLATILE_FILES.has(f)) continue;
    const a = readFileSync(join(reference, f));
    const b = readFileSync(join(run, f));
    if (f.endsWith('.json')) assert.deepEqual(comparable(JSON.parse(b.toString())), comparable(JSON.parse(a.toString())), f);
    else assert.ok(a.equals(b), `${f} differs from the uninterrupted run`);
    compared++;
  }
  assert.ok(compared > 40, `compared ${compared} files`);
  return compared;
}

describe('faults during getsei run (the two chains run side by side)', { concurrency: 2 }, () => {
it('getsei run SIGKILLed at many moments, then resumed, ends byte-identical to an uninterrupted run', { timeout: 180_000 }, async () => {
  await setUp();
  const interrupted = join(dir, 'interrupted');

  const rng = createRng(16);
  const triggers: Trigger[] = [];
  // a seeded delay into each long stage, at once into a short one, and twice the instant an array is being written
  for (const stage of ['featurize', 'encoder', 'states', 'kinetics', 'stability', 'report']) {
    // on a quiet machine the stages of this small case can finish in well under half a second: kill within the
    // first 100 ms of each (the temporary-file triggers catch the moments in the middle of a write)
    const longest = stage === 'kinetics' ? 0 : 100;
    triggers.push({ stage, delayMs: Math.round(longest * rng.next()) });
    if (stage === 'featurize' || stage === 'encoder') triggers.push({ tempFile: true });
  }
  const killedIn: string[] = [];
  for (const t of triggers) killedIn.push(await killAt(trajectory, interrupted, config, t));
  const last = await finish(startRun(trajectory, interrupted, config));
  assert.equal(last.code, 0, last.stderr);
  // the kills landed inside the long stages (others may finish before the kill arrives)
  for (const s of ['featurize', 'encoder', 'states', 'stability', 'report']) assert.ok(killedIn.includes(s), `killed in ${s}: ${killedIn.join(', ')}`);
  const compared = await assertSameAsReference(interrupted);
  process.stdout.write(`# killed ${killedIn.length} times, in: ${killedIn.join(', ')}; compared ${compared} files\n`);
});

it('Ctrl-C (SIGINT) stops getsei run within 1 s in every long stage, says how to resume, leaves nothing half-written', { timeout: 180_000 }, async () => {
  await setUp();
  const run = join(dir, 'ctrl-c');
  const rng = createRng(2);
  const stops: string[] = [];
  // the delay after a stage starts is a seeded fraction of half that stage's length in the uninterrupted run
  // (which ran on the same machine at the same load): a fixed delay could outlast a short stage, and the signal
  // would then land in the next one
  const ref = await (referenceDone as NonNullable<typeof referenceDone>);
  assert.equal(ref.code, 0, ref.stderr);
  const referenceStages = (JSON.parse(readFileSync(join(reference, 'manifest.json'), 'utf8')) as { stages: Record<string, { seconds?: number }> }).stages;
  for (const stage of ['featurize', 'encoder', 'states', 'stability']) {
    const before = stageRecord(run, stage)?.startedAt;
    const child = startRun(trajectory, run, config);
    const exited = finish(child);
    while (child.exitCode === null) {
      const r = stageRecord(run, stage);
      if (r?.status === 'running' && r.startedAt !== before) break;
      await sleep(5);
    }
    assert.equal(child.exitCode, null, `${stage} ran to the end before it could be interrupted`);
    const stageMs = 1000 * (referenceStages[stage]?.seconds ?? 0);
    await sleep(Math.round(Math.min(300, stageMs / 2) * rng.next()));
    const t0 = performance.now();
    child.kill('SIGINT');
    const r = await exited;
    const ms = performance.now() - t0;
    assert.equal(r.code, 130, `exit status 130 after Ctrl-C in ${stage}; stderr: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines.at(-1) as string, new RegExp(`^getsei: interrupted during the ${stage} stage; finished stages are kept and nothing half-written was left in ${run}\\. Resume with: getsei run ${trajectory} -o ${run} -c ${config} --threads 1$`));
    assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace');
    // 1 s on a machine that is not oversubscribed; with more runnable processes than cores every step of stopping
    // (signal delivery, thread teardown) waits its turn, so the bound scales with the load (the output says which)
    const load = loadavg()[0] / availableParallelism();
    const limitMs = 1000 * Math.max(1, load);
    assert.ok(ms < limitMs, `stopped ${ms.toFixed(0)} ms after Ctrl-C in ${stage} (limit ${limitMs.toFixed(0)} ms at load ${load.toFixed(1)} per core)`);
    const left = allFiles(run);
    assert.ok(!left.some((f) => f.includes('.tmp-') || f.includes('.partial') || f === '.lock'), left.join(', '));
    const record = stageRecord(run, stage) as { status: string; error?: string };
    assert.equal(record.status, 'interrupted');
    stops.push(`${stage} ${ms.toFixed(0)} ms (${record.error === undefined ? 'thread terminated' : 'at a checkpoint'}; load ${load.toFixed(1)}/core)`);
  }
  const last = await finish(startRun(trajectory, run, config));
  assert.equal(last.code, 0, last.stderr);
  await assertSameAsReference(run);
  process.stdout.write(`# Ctrl-C: ${stops.join('; ')}\n`);
});
});
