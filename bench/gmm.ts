/**
 * States benchmark (issue 5, "Performance"): getsei's Gaussian-mixture fit + assignment and silhouette against
 * scikit-learn (bench/gmm_ref.py) on the SAME data in the same run: 6 components, full covariances, d = 32, fit on
 * the same 20 000-row sample (5 restarts, k-means start, max 100 iterations, tol 1e-3, reg_covar 1e-6), then every
 * one of 10⁶ embeddings assigned; silhouette on the same 10 000 rows and labels. Also reports the agreement of the
 * two assignments (ARI) and of the scores.
 * Synthetic embeddings (a seeded 6-component mixture with overlapping anisotropic components) unless
 * --embeddings FILE.npy (float32 [n, 32], e.g. RUN/embeddings.npy) is given.
 * Run: node --import tsx bench/gmm.ts [--rows N] [--embeddings FILE.npy]
 *      (needs /usr/bin/python3 with python3-numpy and python3-sklearn: apt-get install -y python3-sklearn)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { adjustedRandIndex, fitGaussianMixture, predict, silhouette } from '../src/states/index.ts';
import { fitSampleRows } from '../src/states/gmm.ts';
import { createRng, decodeNpy, encodeNpy, sampleIndices } from '../src/util/index.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'getsei-bench-gmm-'));
const COMPONENTS = 6, RESTARTS = 5, MAX_ITER = 100, TOL = 1e-3, REG = 1e-6, FIT_SAMPLE = 20000, SIL_SAMPLE = 10000, SEED = 0;

/** n rows of a seeded 6-component mixture in d dimensions with random anisotropic covariances that overlap. */
function syntheticEmbeddings(n: number, d: number): Float32Array {
  const rng = createRng(2024);
  const weights = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1];
  const means = weights.map(() => Array.from({ length: d }, () => 0.45 * rng.normal()));
  const mix = weights.map(() => Array.from({ length: d * d }, () => rng.normal() / Math.sqrt(d)));
  const X = new Float32Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let u = rng.next(), c = 0;
    while (c < weights.length - 1 && u >= weights[c]) u -= weights[c++];
    for (let a = 0; a < d; a++) z[a] = rng.normal();
    for (let a = 0; a < d; a++) {
      let s = means[c][a];
      for (let b = 0; b < d; b++) s += mix[c][a * d + b] * z[b];
      X[i * d + a] = s;
    }
  }
  return X;
}

function timed<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const t0 = performance.now(), c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
}

try {
  const file = arg('--embeddings');
  let X: Float32Array, n: number, d: number;
  if (file !== undefined) {
    const npy = decodeNpy(readFileSync(file));
    if (!(npy.data instanceof Float32Array) || npy.shape.length !== 2) throw new Error(`${file}: expected a float32 [n, d] array`);
    [n, d] = npy.shape;
    X = npy.data;
  } else {
    n = Number(arg('--rows') ?? 1_000_000);
    d = 32;
    X = syntheticEmbeddings(n, d);
  }
  const fitRows = fitSampleRows(n, FIT_SAMPLE, SEED) ?? Int32Array.from({ length: n }, (_, i) => i);
  const silRows = sampleIndices(createRng(SEED + 1), n, Math.min(n, SIL_SAMPLE));
  writeFileSync(join(work, 'x.npy'), encodeNpy(X, [n, d]));
  writeFileSync(join(work, 'fit_rows.npy'), encodeNpy(fitRows, [fitRows.length]));
  writeFileSync(join(work, 'sil_rows.npy'), encodeNpy(silRows, [silRows.length]));

  const fit = timed(() => fitGaussianMixture(X, n, d, {
    components: COMPONENTS, restarts: RESTARTS, maxIter: MAX_ITER, tol: TOL, regCovar: REG, sampleSize: FIT_SAMPLE, seed: SEED,
  }));
  const assign = timed(() => predict(fit.value, X));
  const labels = assign.value;
  const silX = new Float32Array(silRows.length * d);
  silRows.forEach((r, t) => silX.set(X.subarray(r * d, r * d + d), t * d));
  const silLabels = Int16Array.from(silRows, (r) => labels[r]);
  writeFileSync(join(work, 'sil_labels.npy'), encodeNpy(silLabels, [silLabels.length]));
  const sil = timed(() => silhouette(silX, silRows.length, d, silLabels));

  const ref = JSON.parse(execFileSync('/usr/bin/python3', [
    join(root, 'bench/gmm_ref.py'), work, String(COMPONENTS), String(RESTARTS), String(MAX_ITER), String(TOL), String(REG),
  ]).toString()) as Record<string, number | string | boolean>;
  const skLabels = decodeNpy(readFileSync(join(work, 'sk_labels.npy'))).data as Int16Array;
  const ari = adjustedRandIndex(labels, skLabels);

  const num = (k: string): number => ref[k] as number;
  const row = (stage: string, ts: { seconds: number; cpuSeconds: number }, sk: number, skCpu: number): string =>
    `| ${stage} | ${ts.seconds.toFixed(2)} (${ts.cpuSeconds.toFixed(2)}) | ${sk.toFixed(2)} (${skCpu.toFixed(2)}) | ${(sk / ts.seconds).toFixed(2)}× |`;
  const both = { seconds: fit.seconds + assign.seconds, cpuSeconds: fit.cpuSeconds + assign.cpuSeconds };
  console.log(`GMM benchmark: ${n} × ${d} embeddings (${file ?? 'synthetic 6-component mixture'}), fit sample ${fitRows.length}, ` +
    `${COMPONENTS} components, full covariance, ${RESTARTS} restarts, max ${MAX_ITER} iterations, tol ${TOL}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; scikit-learn ${ref.sklearn}, numpy ${ref.numpy}`);
  console.log('');
  console.log('| stage | getsei s (CPU s) | scikit-learn s (CPU s) | speed-up |');
  console.log('|---|---|---|---|');
  console.log(row(`GMM fit (${fitRows.length} rows)`, fit, num('fitSeconds'), num('fitCpuSeconds')));
  console.log(row(`assign ${n} rows`, assign, num('predictSeconds'), num('predictCpuSeconds')));
  console.log(row('**fit + assign**', both, num('fitSeconds') + num('predictSeconds'), num('fitCpuSeconds') + num('predictCpuSeconds')));
  console.log(row(`silhouette (${silRows.length} rows)`, sil, num('silhouetteSeconds'), num('silhouetteCpuSeconds')));
  console.log('');
  console.log(`mean log-likelihood on the fit sample: getsei ${fit.value.logLikelihood.toFixed(5)} ` +
    `(${fit.value.iterations} iterations, converged ${fit.value.converged}), scikit-learn ${num('logLikelihood').toFixed(5)} ` +
    `(${ref.iterations} iterations, converged ${ref.converged})`);
  console.log(`assignments: ARI(getsei, scikit-learn) = ${ari.toFixed(4)}; silhouette getsei ${sil.value.overall.toFixed(6)}, ` +
    `scikit-learn ${num('silhouette').toFixed(6)} (same rows and labels)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
