/**
 * The states stage alone against scikit-learn on the same rows (issue 15), taken in turn so a shared machine's load
 * hits both alike: getsei's `runStatesStage` with its defaults at the settings (6 states, fit on 50 000 rows,
 * 3 restarts, silhouette on 10 000, seed 0, 2 threads) on a copy of a run folder that has its embeddings, then
 * bench/states_ref.py (GaussianMixture n_init = 3 + predict + silhouette_score) on that folder's embeddings.npy.
 * Prints each pair with the load average, the sha256 of states.npy, and the median ratio.
 * --baseline DIR: also time the states stage of another checkout's sources (e.g. `git archive main | tar -x -C DIR`,
 * node_modules linked) first in each round, so before and after come from the same run.
 * Run: node --import tsx bench/states-stage.ts RUN [--repeats 3] [--threads 2] [--baseline DIR] [--config '{"states":{...}}']
 * (RUN: e.g. a `getsei run` of the bundled example with bench/pipeline.ts's settings, kept with --keep DIR)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/pipeline/config.ts';
import { runStatesStage } from '../src/pipeline/stage-states.ts';

type StatesStage = typeof runStatesStage;

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const run = process.argv[2];
if (run === undefined || run.startsWith('--')) throw new Error('usage: bench/states-stage.ts RUN [--repeats N] [--threads T] [--config JSON]');
const repeats = Number(arg('repeats', '3'));
const baselineDir = arg('baseline', '');
const baseline = baselineDir === '' ? null : {
  stage: (await import(join(baselineDir, 'src/pipeline/stage-states.ts')) as { runStatesStage: StatesStage }).runStatesStage,
  parse: (await import(join(baselineDir, 'src/pipeline/config.ts')) as { parseConfig: typeof parseConfig }).parseConfig,
};
const threads = Number(arg('threads', '2'));
const extra = JSON.parse(arg('config', '{}')) as { states?: Record<string, unknown> };
const SETTINGS = { states: 6, fitSample: 50000, restarts: 3, silhouetteSample: 10000, seed: 0 };
const settings = {
  ...extra,
  states: { count: SETTINGS.states, fitSampleSize: SETTINGS.fitSample, restarts: SETTINGS.restarts, silhouetteSampleSize: SETTINGS.silhouetteSample, seed: SETTINGS.seed, ...extra.states },
  kinetics: { lag: 10, bootstrap: 0 }, stability: { repeats: 0 }, run: { threads },
};
// each side with its own defaults (the baseline's may differ)
const config = parseConfig(settings);
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'getsei-bench-states-'));
const ratios: number[] = [];
try {
  for (let r = 0; r < repeats; r++) {
    const copy = join(work, 'run');
    const timeStage = async (stage: StatesStage, cfg: ReturnType<typeof parseConfig>): Promise<{ seconds: number; load: [number, number]; sha: string }> => {
      rmSync(copy, { recursive: true, force: true });
      cpSync(run, copy, { recursive: true });
      const l0 = loadavg()[0];
      const t0 = performance.now();
      await stage(copy, cfg);
      const seconds = (performance.now() - t0) / 1000;
      return { seconds, load: [l0, loadavg()[0]], sha: createHash('sha256').update(readFileSync(join(copy, 'states.npy'))).digest('hex').slice(0, 16) };
    };
    if (baseline !== null) {
      const b = await timeStage(baseline.stage, baseline.parse(settings));
      console.log(`${r + 1}/${repeats}: baseline states ${b.seconds.toFixed(2)} s (load ${b.load[0].toFixed(2)} → ${b.load[1].toFixed(2)}, states.npy ${b.sha})`);
    }
    const { seconds: getsei, load: [l0, l1], sha } = await timeStage(runStatesStage, config);
    const sk = JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'bench/states_ref.py'), join(run, 'embeddings.npy'), '--states', String(SETTINGS.states),
      '--sample', String(SETTINGS.fitSample), '--n-init', String(SETTINGS.restarts), '--silhouette', String(SETTINGS.silhouetteSample),
      '--seed', String(SETTINGS.seed), '--threads', String(threads)]).toString()) as { total: number };
    const l2 = loadavg()[0];
    ratios.push(sk.total / getsei);
    console.log(`${r + 1}/${repeats}: getsei states ${getsei.toFixed(2)} s (load ${l0.toFixed(2)} → ${l1.toFixed(2)}, states.npy ${sha}), ` +
      `scikit-learn ${sk.total.toFixed(2)} s (load → ${l2.toFixed(2)}), ${(sk.total / getsei).toFixed(2)}×`);
  }
  ratios.sort((a, b) => a - b);
  console.log(`median ratio (scikit-learn / getsei) ${ratios[ratios.length >> 1].toFixed(2)}×`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
