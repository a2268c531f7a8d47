/**
 * The time-lagged projection (docs/states.md, issue 10): planted-truth recovery and the automatic state count with
 * projection.method = none (the paper) / tica / vamp at a given projection lag, on getsei synth presets (36 Li every
 * 10 ps, as test/planted.test.ts), and the projection's cost against the encoder stage of the same run.
 * Per preset, seed and variant: ARI with the planted types at the planted count (6); the counts that silhouette and
 * the projection's spectral gap pick over 2–10; and `states.count = "auto"` with the default rule (spectral gap when
 * projected, silhouette in the paper's mode): its count and ARI.
 * Run with
 *   nice node --import tsx bench/projection.ts [--difficulties subtle,remote,easy,ambiguous] [--seeds 0,1]
 *     [--variants tica1,tica5,none] [--frames 300]
 * A variant is a method and a projection lag in frames: tica1 = TICA at lag 1, vamp5, none.
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
const difficulties = arg('difficulties', 'subtle,remote,easy,ambiguous').split(',') as Difficulty[];
const frames = Number(arg('frames', '300'));
const seeds = arg('seeds', '0').split(',').map(Number);
const variants = arg('variants', 'tica1,tica5,none').split(',').map((v) => {
  const m = /^(none|tica|vamp)(\d*)$/.exec(v);
  if (m === null) throw new Error(`--variants: "${v}" is not none, ticaN or vampN`);
  return { name: v, method: m[1] as 'none' | 'tica' | 'vamp', lag: m[2] === '' ? 5 : Number(m[2]) };
});

const dir = mkdtempSync(join(tmpdir(), 'getsei-projection-'));
try {
  process.stdout.write('| preset | seed | variant | ARI (6 states) | count by silhouette | count by spectral gap | auto: count | auto: ARI | CV VAMP-2 (6) | dim | λ₁…λ₆ |\n|---|---|---|---|---|---|---|---|---|---|---|\n');
  const costs: string[] = [];
  for (const difficulty of difficulties) {
    for (const seed of seeds) {
      const g = generateInterphase({ difficulty, repeats: [3, 3], frames, dtPs: 10, seed });
      const data = join(dir, `${difficulty}-${seed}`);
      await writeInterphase(data, g, { siteTypeColumn: false });
      const run = join(dir, `${difficulty}-${seed}-run`);
      for (const v of variants) {
        const summaries: Record<string, { summary: StatesSummary; ari: number }> = {};
        for (const count of [6, 'auto'] as const) {
          const config = parseConfig({
            states: { count, minCount: 2, maxCount: 10, silhouetteSampleSize: 2000, mapSampleSize: 200, compareProjection: false },
            projection: { method: v.method, lag: v.lag }, kinetics: { lag: 1, bootstrap: 0 }, stability: { repeats: 0 }, run: { threads: 1 },
          });
          await runPipeline({ run, files: [join(data, 'trajectory.extxyz')], config, until: 'states' });
          const states = decodeNpy(readFileSync(join(run, 'states.npy'))).data as Int16Array;
          summaries[String(count)] = { summary: JSON.parse(readFileSync(join(run, 'states.json'), 'utf8')) as StatesSummary, ari: adjustedRandIndex(states, g.truth.labels) };
        }
        const six = summaries['6'], auto = summaries.auto;
        const defined = six.summary.scoreTable.filter((r) => r.silhouette !== null);
        const bySil = defined.reduce((a, b) => ((b.silhouette as number) > (a.silhouette as number) ? b : a)).count;
        const p = six.summary.projection;
        const vamp6 = six.summary.scoreTable.find((r) => r.count === 6)?.vamp2;
        process.stdout.write(`| ${difficulty} | ${seed} | ${v.name} | ${six.ari.toFixed(3)} | ${bySil} | ${p?.spectralGap.states ?? '—'} | ${auto.summary.count} (${auto.summary.rule}) | ${auto.ari.toFixed(3)} | ${vamp6?.toFixed(3) ?? 'n/a'} | ${p?.dim ?? 32} | ${p ? p.eigenvalues.slice(0, 6).map((x) => x.toFixed(3)).join(' ') : ''} |\n`);
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
