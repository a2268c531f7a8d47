import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCell } from '../structure/index.ts';
import { createRng } from '../util/rng.ts';
import {
  analyseTransport, averageRanks, fitLocalDiffusion, LocalMsdAccumulator, profileAxis, residenceTimes, slabLabels, spearman, spearmanTest,
  type LabelMode, type LocalMsdResult, type TransportFrame,
} from './index.ts';

/** The per-label MSD by brute force over every atom, origin and lag, straight from the definition. */
function bruteForce(pos: Float64Array[], labels: Int32Array[], seg: number[], nLabels: number, maxLag: number, mode: LabelMode): { msd: number[][]; counts: number[][] } {
  const n = labels[0].length;
  const sum = Array.from({ length: nLabels }, () => new Array<number>(maxLag + 1).fill(0));
  const cnt = Array.from({ length: nLabels }, () => new Array<number>(maxLag + 1).fill(0));
  for (let t = 0; t < pos.length; t++) {
    for (let lag = 1; lag <= maxLag && t + lag < pos.length; lag++) {
      if (seg[t + lag] !== seg[t]) continue;
      for (let i = 0; i < n; i++) {
        const l = labels[t][i];
        if (l < 0) continue;
        if (mode === 'resident') {
          let stays = true;
          for (let u = t; u <= t + lag; u++) if (labels[u][i] !== l) stays = false;
          if (!stays) continue;
        }
        let d2 = 0;
        for (let k = 0; k < 3; k++) d2 += (pos[t + lag][3 * i + k] - pos[t][3 * i + k]) ** 2;
        sum[l][lag] += d2;
        cnt[l][lag] += 1;
      }
    }
  }
  return { msd: sum.map((s, l) => s.map((v, lag) => (cnt[l][lag] > 0 ? v / cnt[l][lag] : Number.NaN))), counts: cnt };
}

test('per-label MSD (resident and origin) equals brute force over two trajectories with undefined frames', () => {
  const rng = createRng(3);
  const n = 4, nLabels = 3, maxLag = 6;
  const pos: Float64Array[] = [], labels: Int32Array[] = [], seg: number[] = [];
  const p = new Float64Array(3 * n);
  const lab = new Int32Array(n);
  for (let f = 0; f < 70; f++) {
    for (let k = 0; k < p.length; k++) p[k] += rng.normal();
    for (let i = 0; i < n; i++) if (rng.next() < 0.25) lab[i] = Math.floor(rng.next() * (nLabels + 1)) - 1;
    pos.push(Float64Array.from(p)); labels.push(Int32Array.from(lab)); seg.push(f < 40 ? 0 : 1);
  }
  for (const mode of ['resident', 'origin'] as const) {
    const acc = new LocalMsdAccumulator(n, nLabels, maxLag, mode);
    pos.forEach((x, f) => acc.push(x, labels[f], f === 40));
    const r = acc.result();
    const b = bruteForce(pos, labels, seg, nLabels, maxLag, mode);
    for (let l = 0; l < nLabels; l++) {
      for (let lag = 1; lag <= maxLag; lag++) {
        assert.equal(r.counts[l][lag], b.counts[l][lag], `${mode} label ${l} lag ${lag} counts`);
        if (b.counts[l][lag] > 0) assert.ok(Math.abs(r.msd[l][lag] - b.msd[l][lag]) < 1e-9 * b.msd[l][lag], `${mode} label ${l} lag ${lag}`);
        else assert.ok(Number.isNaN(r.msd[l][lag]));
      }
    }
    if (mode === 'resident') {
      // the residences the bootstrap resamples add up to the totals, lag by lag
      const g = r.groups as NonNullable<LocalMsdResult['groups']>;
      assert.ok(g.residences.every((x) => x > 0));
      for (let l = 0; l < nLabels; l++) {
        for (let lag = 1; lag <= maxLag; lag++) {
          let sum = 0, count = 0;
          for (let k = 0; k < g.nGroups; k++) { sum += g.sum[(l * g.nGroups + k) * (maxLag + 1) + lag]; count += g.count[(l * g.nGroups + k) * (maxLag + 1) + lag]; }
          assert.equal(count, b.counts[l][lag]);
          if (count > 0) assert.ok(Math.abs(sum / count - b.msd[l][lag]) < 1e-9 * b.msd[l][lag]);
        }
      }
    } else assert.equal(r.groups, null);
  }
});

test('resident MSD by hand: a Li at constant speed, 10 frames in state 0 then 10 in state 1', () => {
  const acc = new LocalMsdAccumulator(1, 2, 5, 'resident');
  for (let f = 0; f < 20; f++) acc.push(Float64Array.from([0.5 * f, 0, 0]), [f < 10 ? 0 : 1]);
  const r = acc.result();
  for (let lag = 1; lag <= 5; lag++) {
    assert.equal(r.counts[0][lag], 10 - lag);
    assert.equal(r.counts[1][lag], 10 - lag);
    assert.ok(Math.abs(r.msd[0][lag] - 0.25 * lag * lag) < 1e-12);
  }
  // MSD = v² τ² is a parabola: the OLS slope over lags 1…5 of 0.25 k² (dt 1) is 0.25 · 6 = 1.5, D = 0.25
  const d = fitLocalDiffusion(r, 0, { dtPs: 1, startFrame: 1, endFrame: 5, nBootstrap: 20, seed: 0 });
  assert.ok(d && Math.abs(d.value - 0.25) < 1e-12);
  assert.equal(fitLocalDiffusion(new LocalMsdAccumulator(1, 2, 5, 'resident').result(), 0, { dtPs: 1, startFrame: 1, endFrame: 5, nBootstrap: 5, seed: 0 }), null);
});

test('per-state D of seeded random walks: the true D inside the 95 % bootstrap interval in ≥ 85 of 100 walks', () => {
  // measured: 93 / 100 here, 276 / 300 over seeds 500–799 (the global D* with 24 Li: 92 / 100)
  const D = 0.05, dt = 0.1, sigma = Math.sqrt(2 * D * dt), n = 24;
  let covered = 0;
  for (let seed = 0; seed < 100; seed++) {
    const rng = createRng(500 + seed);
    const acc = new LocalMsdAccumulator(n, 2, 10, 'resident');
    const p = new Float64Array(3 * n);
    const lab = new Int32Array(n);
    for (let f = 0; f < 200; f++) {
      if (f > 0) for (let k = 0; k < p.length; k++) p[k] += sigma * rng.normal();
      // labels switch rarely and independently of the motion
      for (let i = 0; i < n; i++) if (rng.next() < 0.02) lab[i] = 1 - lab[i];
      acc.push(p, lab);
    }
    const d = fitLocalDiffusion(acc.result(), 0, { dtPs: dt, startFrame: 1, endFrame: 10, nBootstrap: 200, seed });
    if (d && d.lower <= D && D <= d.upper) covered++;
  }
  assert.ok(covered >= 85, `covered ${covered} / 100`);
});

test('residence times by hand: complete and censored runs, segments and undefined frames', () => {
  // frames 0–7 are segment 0, 8–9 segment 1 (an independent trajectory)
  // Li 0: 0 0 0 1 1 0 0 0 | 0 2   Li 1: 1 1 −1 1 1 1 2 2 | 2 2
  const states = Int16Array.from([0, 0, 0, 1, 1, 0, 0, 0, 0, 2, 1, 1, -1, 1, 1, 1, 2, 2, 2, 2]);
  const segments = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  const r = residenceTimes(states, 2, 10, 3, segments, 0.5, 4);
  const [s0, s1, s2] = r.perState;
  // state 0: runs 0–2 (starts the trajectory), 5–7 (cut by the segment end), 8 (starts segment 1): all censored;
  // 7 frames, exits at frames 2→3 and 8→9
  assert.deepEqual([s0.complete, s0.censored, s0.frames, s0.meanPs, s0.timePerExitPs], [0, 3, 7, null, 1.75]);
  // state 1: Li 0 frames 3–4 is the one complete run (2 frames = 1 ps); Li 1's runs touch the start and a −1
  assert.deepEqual([s1.complete, s1.censored, s1.frames, s1.meanPs, s1.medianPs, s1.timePerExitPs], [1, 2, 7, 1, 1, 1.75]);
  // state 2: never left
  assert.deepEqual([s2.complete, s2.censored, s2.frames, s2.timePerExitPs], [0, 3, 5, null]);
  assert.equal(r.binPs, 0.5);
  assert.deepEqual(s1.histogram, [0, 1]);
});

test('Spearman ρ: the textbook formula without ties, average ranks with ties, exact permutation p-value', () => {
  const a = [1.2, 3.4, 0.5, 2.2, 9.1, 4.0];
  const b = [10, 30, 20, 15, 60, 50];
  const ra = averageRanks(a), rb = averageRanks(b);
  const d2 = ra.reduce((s, r, i) => s + (r - rb[i]) ** 2, 0);
  const n = a.length;
  assert.ok(Math.abs(spearman(a, b) - (1 - (6 * d2) / (n * (n * n - 1)))) < 1e-12);
  assert.deepEqual(averageRanks([5, 1, 5, 2]), [3.5, 1, 3.5, 2]);
  // ties: ranks of [1,2,2,3] are [1,2.5,2.5,4]; with [1,2,3,4]: ρ = cov / (sd sd) = 0.9486832980505138
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 0.9486832980505138) < 1e-12);
  // a perfect ordering of 4: only 1 of the 24 orderings reaches ρ = 1
  const t = spearmanTest([1, 2, 3, 4], [0.1, 0.2, 0.5, 0.9]);
  assert.equal(t.rho, 1);
  assert.equal(t.pValue, 1 / 24);
  assert.equal(spearmanTest([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9]).pValue, null);
});

test('slabs: fractional coordinate along the chosen axis, wrapped; the axis closest to the normal', () => {
  const cell = makeCell([8, 0, 0, 0, 9, 0, 0, 0, 10]);
  assert.equal(profileAxis(cell), 2);
  assert.equal(profileAxis(cell, [1, 0, 0]), 0);
  assert.equal(profileAxis(cell, [0.1, 0.99, 0.1]), 1);
  // monoclinic: c tilted in x; the normal (0,0,1) is perpendicular to the a–b planes: axis c
  assert.equal(profileAxis(makeCell([8, 0, 0, 0, 9, 0, 3, 0, 10]), [0, 0, 1]), 2);
  const out = slabLabels(Float64Array.from([0, 0, 2.5, 0, 0, -1, 0, 0, 10, 0, 0, 9.99]), cell, 2, 4, new Int32Array(4));
  assert.deepEqual(Array.from(out), [1, 3, 0, 3]);
});

test('analyse: D(z) by slab, other elements, per-state MSD and the rank check, against hand values', async () => {
  // 4 Li at fixed z in slabs 0–3 of a 20 Å box along c, each moving along x at its own speed v_i = 0.1 (i+1) Å/ps;
  // one S moving along y at 0.3 Å/ps. Li i is in state i % 2 for frames < 30, then state 1 − i % 2.
  const l = 20, dt = 0.1, nFrames = 60;
  const cell = makeCell([l, 0, 0, 0, l, 0, 0, 0, l]);
  const species = Uint8Array.from([3, 3, 3, 3, 16]);
  const wrap = (x: number): number => x - l * Math.floor(x / l);
  const frames: TransportFrame[] = Array.from({ length: nFrames }, (_, f) => {
    const pos = new Float64Array(15);
    for (let i = 0; i < 4; i++) { pos[3 * i] = wrap(1 + 0.1 * (i + 1) * f * dt); pos[3 * i + 1] = 3; pos[3 * i + 2] = 2.5 + 5 * i; }
    pos[12] = 1; pos[13] = wrap(2 + 0.3 * f * dt); pos[14] = 1;
    return { frame: { index: f, species, positions: pos, cell }, newTrajectory: false };
  });
  const labels = new Int16Array(4 * nFrames);
  for (let i = 0; i < 4; i++) for (let f = 0; f < nFrames; f++) labels[i * nFrames + f] = f < 30 ? i % 2 : 1 - (i % 2);
  const r = await analyseTransport(frames, {
    dtPs: dt, nFrames, nBootstrap: 30, elements: ['S'], stateMaxLagPs: 1, profileMaxLagPs: 1, profileBins: 4,
    states: { labels, nStates: 2, nFrames, segments: new Int32Array(nFrames) },
    mobility: { activeSet: [0, 1], mobility: [0.2, 1] },
  });
  const tau = (lag: number): number => lag * dt;
  // S: MSD = (0.3 τ)²
  for (let lag = 1; lag < 60; lag++) assert.ok(Math.abs(r.elements.S.msd[lag] - 0.09 * tau(lag) ** 2) < 1e-9);
  assert.equal(r.elements.S.nAtoms, 1);
  const p = r.profile;
  assert.ok(p);
  assert.equal(p.axis, 'c');
  assert.ok(Math.abs(p.binAngstrom - 5) < 1e-12);
  assert.deepEqual(p.zCentresAngstrom, [2.5, 7.5, 12.5, 17.5]);
  // slab i holds Li i only: MSD = v_i² τ², and D = slope/6 of a parabola over lags 1…10: v² dt² (1+10)/6 / dt... by OLS
  const olsParabola = (v: number, i0: number, i1: number): number => {
    const xs: number[] = [], ys: number[] = [];
    for (let k = i0; k <= i1; k++) { xs.push(k * dt); ys.push(v * v * (k * dt) ** 2); }
    const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
    let sxy = 0, sxx = 0;
    xs.forEach((x, j) => { sxy += (x - mx) * (ys[j] - my); sxx += (x - mx) ** 2; });
    return sxy / sxx / 6;
  };
  assert.deepEqual([p.fitWindow.startFrame, p.fitWindow.endFrame], [1, 10]);
  for (let i = 0; i < 4; i++) {
    const v = 0.1 * (i + 1);
    for (let lag = 1; lag <= 10; lag++) assert.ok(Math.abs((p.msd[i][lag] as number) - v * v * tau(lag) ** 2) < 1e-9);
    assert.ok(Math.abs((p.diffusion[i]?.value as number) - olsParabola(v, 1, 10)) < 1e-9);
    assert.equal(p.samples[i], 59);
  }
  // every displacement is counted in exactly one slab: equal counts here, so the slabs' mean MSD is the whole MSD
  for (let lag = 1; lag <= 10; lag++) assert.ok(Math.abs(p.msd.reduce((a: number, m) => a + (m[lag] as number), 0) / 4 - r.msd.li[lag]) < 1e-9);
  const s = r.perState;
  assert.ok(s);
  // state 0 holds Li 0, 2 (frames < 30) and Li 1, 3 (frames ≥ 30): resident MSD at a lag is the mean of v² τ²
  for (let lag = 1; lag <= 10; lag++) {
    const v2 = [0.01, 0.04, 0.09, 0.16];
    assert.equal(s.counts[0][lag], 4 * (30 - lag));
    assert.ok(Math.abs((s.msd[0][lag] as number) - ((v2[0] + v2[1] + v2[2] + v2[3]) / 4) * tau(lag) ** 2) < 1e-9);
  }
  // both states see the same Li for the same time: equal D, so ρ over two states is ±1 or undefined
  assert.equal(s.residence.perState[0].censored, 4);
  assert.ok(s.mobilityCheck);
  assert.deepEqual(s.mobilityCheck.states, [0, 1]);
});
