import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { adjustedRandIndex, contingencyTable, hungarianMatch, kendallTau, matchStates } from './agreement.ts';

/** ARI by explicit pair counting (O(n²)), scikit-learn's pair-confusion formula. */
function bruteForceAri(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const sa = a[i] === a[j], sb = b[i] === b[j];
      if (sa && sb) tp++;
      else if (!sa && sb) fp++;
      else if (sa && !sb) fn++;
      else tn++;
    }
  }
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

test('contingency table counts co-occurrences and leaves out negative labels', () => {
  const t = contingencyTable([0, 0, 1, 2, -1, 2], [1, 1, 0, 0, 0, -1]);
  assert.equal(t.rows, 3);
  assert.equal(t.cols, 2);
  assert.deepEqual(Array.from(t.counts), [0, 2, 1, 0, 1, 0]);
  assert.equal(t.total, 4);
  assert.throws(() => contingencyTable([0, 1], [0]), /different lengths/);
  assert.throws(() => contingencyTable([0, 1.5], [0, 1]), /label 1 is 1.5/);
});

test('adjusted Rand index: the scikit-learn documentation examples, computed by hand', () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1]), 1);
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  // Σ C(n_ij, 2) = 1, rows 1, columns 2, 6 pairs: (1 − 1/3) / (3/2 − 1/3) = 4/7
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]) - 4 / 7) < 1e-15);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 4 / 7) < 1e-15);
  assert.equal(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3]), 0);
  // (0 − 2/3) / (2 − 2/3) = −1/2
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]) + 0.5) < 1e-15);
  // trivial identical partitions
  assert.equal(adjustedRandIndex([3, 3, 3], [0, 0, 0]), 1);
  assert.equal(adjustedRandIndex([0, 1, 2], [2, 0, 1]), 1);
  assert.throws(() => adjustedRandIndex([-1, -1], [0, 0]), /at least one sample/);
});

test('adjusted Rand index equals explicit pair counting on random labelings', () => {
  const rng = createRng(4);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + rng.int(80);
    const ka = 1 + rng.int(5), kb = 1 + rng.int(5);
    const a = Int16Array.from({ length: n }, () => rng.int(ka));
    const b = Int16Array.from({ length: n }, () => rng.int(kb));
    // make b follow a on most samples in half of the trials
    if (trial % 2 === 0) for (let i = 0; i < n; i++) if (rng.next() < 0.7) b[i] = a[i] % kb;
    assert.ok(Math.abs(adjustedRandIndex(a, b) - bruteForceAri(a, b)) < 1e-12, `trial ${trial}`);
  }
});

test('Hungarian assignment equals brute force over all permutations (square and rectangular)', () => {
  const rng = createRng(8);
  for (const [rows, cols] of [[1, 1], [2, 2], [4, 4], [6, 6], [3, 5], [5, 3], [1, 4], [6, 2]]) {
    for (let trial = 0; trial < 5; trial++) {
      const cost = Float64Array.from({ length: rows * cols }, () => Math.round(rng.next() * 20) - 5);
      const { rowToCol, cost: total } = hungarianMatch(cost, rows, cols);
      // brute force: every injective map of the smaller side into the larger
      const small = Math.min(rows, cols), large = Math.max(rows, cols);
      let best = Infinity;
      for (const perm of permutations(large)) {
        let s = 0;
        for (let t = 0; t < small; t++) s += rows <= cols ? cost[t * cols + perm[t]] : cost[perm[t] * cols + t];
        best = Math.min(best, s);
      }
      assert.equal(total, best, `${rows}×${cols} trial ${trial}`);
      const used = new Set<number>();
      let recomputed = 0, matched = 0;
      rowToCol.forEach((c, r) => {
        if (c < 0) return;
        assert.ok(!used.has(c));
        used.add(c);
        recomputed += cost[r * cols + c];
        matched++;
      });
      assert.equal(matched, small);
      assert.equal(recomputed, total);
    }
  }
  assert.deepEqual(hungarianMatch([], 0, 0).rowToCol, new Int32Array(0));
  assert.throws(() => hungarianMatch([1, 2, 3], 2, 2), /3 entries, not 2 × 2/);
  assert.throws(() => hungarianMatch([1, Number.NaN, 3, 4], 2, 2), /entry 1 is NaN/);
});

test('matchStates recovers a renaming and reports Jaccard overlaps', () => {
  const a = [0, 0, 0, 1, 1, 2, 2, 2, 2];
  const renamed = a.map((s) => [2, 0, 1][s]);
  const m = matchStates(a, renamed);
  assert.deepEqual(Array.from(m.aToB), [2, 0, 1]);
  assert.deepEqual(Array.from(m.jaccard), [1, 1, 1]);
  assert.equal(m.meanJaccard, 1);
  assert.equal(m.agreement, 1);
  // one sample of state 0 moved to b's state 1: J(0) = 2/3, J(1) = 2/3 (|{3,4}| / |{2,3,4}|), J(2) = 1
  const b = [0, 0, 1, 1, 1, 2, 2, 2, 2];
  const m2 = matchStates(a, b);
  assert.deepEqual(Array.from(m2.aToB), [0, 1, 2]);
  assert.ok(Math.abs(m2.jaccard[0] - 2 / 3) < 1e-15 && Math.abs(m2.jaccard[1] - 2 / 3) < 1e-15 && m2.jaccard[2] === 1);
  assert.ok(Math.abs(m2.agreement - 8 / 9) < 1e-15);
  // b merges states 1 and 2 of a: one state of a stays unmatched with Jaccard 0
  const merged = [0, 0, 0, 1, 1, 1, 1, 1, 1];
  const m3 = matchStates(a, merged);
  assert.equal(m3.aToB[0], 0);
  assert.equal(m3.aToB[2], 1); // the larger part of the merged state
  assert.equal(m3.aToB[1], -1);
  assert.equal(m3.jaccard[1], 0);
  assert.ok(Math.abs(m3.jaccard[2] - 4 / 6) < 1e-15);
  // declared state counts keep empty states in the table
  assert.equal(matchStates([0, 0], [0, 0], { statesA: 3, statesB: 3 }).jaccard.length, 3);
});

/** τ-b by direct pair counting. */
function bruteForceTau(x: number[], y: number[]): number | null {
  let c = 0, dd = 0, tx = 0, ty = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const sx = Math.sign(x[i] - x[j]), sy = Math.sign(y[i] - y[j]);
      if (sx === 0 && sy === 0) continue;
      if (sx === 0) tx++;
      else if (sy === 0) ty++;
      else if (sx === sy) c++;
      else dd++;
    }
  }
  const den = Math.sqrt((c + dd + tx) * (c + dd + ty));
  return den === 0 ? null : (c - dd) / den;
}

test('Kendall τ-b equals direct pair counting, with ties', () => {
  assert.equal(kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // scipy.stats.kendalltau documentation example: −0.47140452079103173
  assert.ok(Math.abs((kendallTau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) as number) + 0.47140452079103173) < 1e-15);
  assert.equal(kendallTau([1, 1, 1], [1, 2, 3]), null);
  assert.equal(kendallTau([1], [1]), null);
  const rng = createRng(12);
  for (let trial = 0; trial < 30; trial++) {
    const n = 2 + rng.int(60);
    const levels = 1 + rng.int(8);
    const x = Array.from({ length: n }, () => rng.int(levels));
    const y = Array.from({ length: n }, (_, i) => (rng.next() < 0.5 ? x[i] : rng.int(levels)));
    const got = kendallTau(x, y), want = bruteForceTau(x, y);
    if (want === null) assert.equal(got, null);
    else assert.ok(Math.abs((got as number) - want) < 1e-12, `trial ${trial}: ${got} vs ${want}`);
  }
  assert.throws(() => kendallTau([1, 2], [1]), /different lengths/);
  assert.throws(() => kendallTau([1, Number.NaN], [1, 2]), /entry 1/);
});
