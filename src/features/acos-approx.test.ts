import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ACOS_APPROX_ERROR_DEGREES, AcosKernel } from './acos-approx.ts';

const reference = (c: number): number => (Math.acos(c) * 180) / Math.PI;

/** The largest |kernel − Math.acos| in degrees over the cosines, run in blocks of `block`. */
function worstDeviation(kernel: AcosKernel, cosines: Float64Array, block: number): number {
  kernel.reserve(block);
  let worst = 0;
  for (let at = 0; at < cosines.length; at += block) {
    const n = Math.min(block, cosines.length - at);
    kernel.cosines.set(cosines.subarray(at, at + n));
    kernel.run(n);
    for (let u = 0; u < n; u++) worst = Math.max(worst, Math.abs(kernel.angles[u] - reference(kernel.cosines[u])));
  }
  return worst;
}

test('arc-cosine kernel: within its bound of Math.acos, with a 50-fold margin, over [−1, 1]', () => {
  const n = 1_000_000;
  const cosines = new Float64Array(3 * n + 7);
  for (let i = 0; i < n; i++) {
    cosines[3 * i] = -1 + (2 * i) / (n - 1); // uniform in the cosine
    cosines[3 * i + 1] = Math.cos((Math.PI * i) / (n - 1)); // uniform in the angle (dense near ±1)
    cosines[3 * i + 2] = (i % 2 === 0 ? 0.5 : -0.5) + (i - n / 2) * 1e-11; // across the region boundary at |c| = ½
  }
  cosines.set([1, -1, 0, 0.5, -0.5, Number.MIN_VALUE, -Number.MIN_VALUE], 3 * n);
  const worst = worstDeviation(new AcosKernel(), cosines, 4099);
  assert.ok(worst <= ACOS_APPROX_ERROR_DEGREES / 50, `largest deviation ${worst}° (bound ${ACOS_APPROX_ERROR_DEGREES}°)`);
});

test('arc-cosine kernel: odd counts, growth past its first memory page, and NaN passed through', () => {
  const kernel = new AcosKernel();
  kernel.reserve(1);
  kernel.cosines[0] = 0.3;
  kernel.cosines[1] = Number.NaN; // the partner lane of an odd count: computed, never read
  kernel.run(1);
  assert.ok(Math.abs(kernel.angles[0] - reference(0.3)) <= ACOS_APPROX_ERROR_DEGREES);
  const n = 100_001; // 1.6 MB of cosines and angles: the memory grows
  kernel.reserve(n);
  for (let u = 0; u < n; u++) kernel.cosines[u] = Math.cos(u);
  kernel.cosines[n - 1] = Number.NaN;
  kernel.run(n);
  for (let u = 0; u < n - 1; u++) assert.ok(Math.abs(kernel.angles[u] - reference(kernel.cosines[u])) <= ACOS_APPROX_ERROR_DEGREES, `cosine ${kernel.cosines[u]}`);
  assert.ok(Number.isNaN(kernel.angles[n - 1]));
});
