/**
 * The time-lagged projection (docs/states.md, issue 10): its cost against the encoder stage of the same run, and
 * planted-truth recovery with projection.method = none (the paper) / tica / vamp on getsei synth presets
 * (36 Li every 10 ps, as test/planted.test.ts): ARI with the planted types at the planted count (6), and with
 * states.count = "auto" the count chosen by silhouette and the count of largest cross-validated VAMP-2.
 * Run with
 *   nice node --import tsx bench/projection.ts [--difficulties subtle,easy] [--frames 300] [--seeds 0]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/pipeline/config.ts';
import { readManifest } from '../src/pipeline/manifest.ts';
import { runPipeline } from '../src/pipeline/run.ts';
import { projectEmbeddings, readSegments } from '../src/pipeline/stage-projection.ts';
import type { StatesSummary } from '../src/pipeline/stage-states.ts';
import { adjustedRandIndex } from '../src/states/index.ts';
import { generateInterphase, writeInterphase, type Difficulty } from '../src/synth/index.ts';
import { decodeNpy } from '../src/util/npy.ts';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const difficulties = arg('difficulties', 'subtle,easy,ambiguous').split(',') as Difficulty[];
const frames = Number(arg('frames', '300'));
const seeds = arg('seeds', '0').split(',').map(Number);
const methods = ['none', 'tica', 'vamp'] as const;

const dir = mkdtempSync(join(tmpdir(), 'getsei-projection-'));
try {
  process.stdout.write('| preset | seed | method | ARI (6 states) | auto: silhouette count | auto: max VAMP-2 count | VAMP-2 (6) | dim | λ₁…λ₅ |\n|---|---|---|---|---|---|---|---|---|\n');
  const costs: string[] = [];
  for (const difficulty of difficulties) {
    for (const seed of seeds) {
      const g = generateInterphase({ difficulty, repeats: [3, 3], frames, dtPs: 10, seed });
      const data = join(dir, `${difficulty}-${seed}`);
      await writeInterphase(data, g, { siteTypeColumn: false });
      const run = join(dir, `${difficulty}-${seed}-run`);
      for (const method of methods) {
        const config = parseConfig({
          states: { count: 6, minCount: 2, maxCount: 10, silhouetteSampleSize: 2000, mapSampleSize: 200 },
          projection: { method }, kinetics: { lag: 1, bootstrap: 0 }, stability: { repeats: 0 }, run: { threads: 1 },
        });
        await runPipeline({ run, files: [join(data, 'trajectory.extxyz')], config, until: 'states' });
        const states = decodeNpy(readFileSync(join(run, 'states.npy'))).data as Int16Array;
        const summary = JSON.parse(readFileSync(join(run, 'states.json'), 'utf8')) as StatesSummary;
        const ari = adjustedRandIndex(states, g.truth.labels);
        const defined = summary.scoreTable.filter((r) => r.silhouette !== null);
        const bySil = defined.reduce((a, b) => ((b.silhouette as number) > (a.silhouette as number) ? b : a)).count;
        const byVamp = summary.scoreTable.reduce((a, b) => ((b.vamp2 ?? -1) > (a.vamp2 ?? -1) ? b : a)).count;
        const six = summary.scoreTable.find((r) => r.count === 6);
        const p = summary.projection;
        process.stdout.write(`| ${difficulty} | ${seed} | ${method} | ${ari.toFixed(3)} | ${bySil} | ${byVamp} | ${six?.vamp2?.toFixed(3) ?? 'n/a'} | ${p?.dim ?? 32} | ${p ? p.eigenvalues.slice(0, 5).map((v) => v.toFixed(3)).join(' ') : ''} |\n`);
      }
      // cost: the projection (covariances + write of projected.npy) against the encoder stage of the same run
      const manifest = await readManifest(run);
      const encoderS = manifest?.stages.encoder?.seconds ?? NaN;
      const { nFrames, li } = (JSON.parse(readFileSync(join(run, 'frames', 'index.json'), 'utf8')) as { nFrames: number; li: number[] });
      const t0 = performance.now();
      await projectEmbeddings(run, await readSegments(run, nFrames), li.length, nFrames, { method: 'tica', lag: 5, kineticVariance: 0.95, kineticMap: true, epsilon: 1e-6 });
      const projS = (performance.now() - t0) / 1000;
      costs.push(`| ${difficulty} | ${li.length} Li × ${nFrames} frames | ${encoderS.toFixed(1)} s | ${projS.toFixed(2)} s | ${(100 * projS / encoderS).toFixed(1)} % |`);
    }
  }
  process.stdout.write('\n| preset | size | encoder stage | TICA projection | ratio |\n|---|---|---|---|---|\n' + costs.join('\n') + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
