/**
 * A realistic ReportInput for tests and previews, computed (not typed in) from a small reversible 6-state model
 * of Li in an interphase, shaped after the paper's LPSCl/Li case: a Li-metal-like state near the anode, a bulk-
 * electrolyte-like state far from it, anion-rich and Li-rich states in between. Every matrix follows from one
 * generator R (detailed balance by construction, rates ~1e-3 ps⁻¹ as in the paper's Fig. 3b): K(τ) = exp(Rτ),
 * committors and fluxes by transition path theory, pathways by max-bottleneck decomposition. Seeded noise makes the
 * Chapman–Kolmogorov estimate, the embedding map and the structures look measured.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { createRng, type Rng } from '../src/util/rng.ts';
import type { Pathway, ReportInput, RepresentativeEnvironment } from '../src/report/types.ts';
import type { RunFileName, WrittenRunFile } from '../src/schema/index.ts';

const N = 6;
const LAG_PS = 80;
const DT_PS = 0.1;
/** equilibrium populations by state */
const PI = [0.14, 0.12, 0.26, 0.18, 0.16, 0.14];
/** symmetric conductances πᵢRᵢⱼ (1e-4 ps⁻¹): which states exchange Li and how fast */
const CONDUCTANCE: [number, number, number][] = [
  [2, 4, 3.0], [2, 3, 2.6], [3, 0, 2.2], [0, 5, 3.4], [4, 5, 3.1], [3, 4, 1.0], [4, 1, 0.6],
  [1, 5, 2.0], [0, 1, 0.9], [2, 1, 0.35], [3, 5, 0.25], [0, 4, 0.7],
];
const ELEMENTS = ['Li', 'S', 'P', 'Cl'];
/** mean coordination within 4.0 Å by state (rows) and element (columns) */
const COORDINATION = [
  [4.1, 3.2, 0.6, 1.4],
  [7.8, 2.1, 0.4, 0.9],
  [11.2, 0.4, 0.05, 0.1],
  [5.3, 1.4, 0.3, 0.4],
  [8.6, 1.1, 0.5, 0.2],
  [3.6, 3.8, 1.0, 0.9],
];
const MEAN_Z = [24, 17, 5, 12, 15, 33];
const BOX = [15.2, 15.2, 40];
const BOND: Record<string, number> = { Li: 2.9, S: 2.45, P: 3.1, Cl: 2.6 };

function generator(): number[][] {
  const r = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  for (const [i, j, c] of CONDUCTANCE) {
    r[i][j] = (c * 1e-4) / PI[i];
    r[j][i] = (c * 1e-4) / PI[j];
  }
  for (let i = 0; i < N; i++) r[i][i] = -r[i].reduce((a, b) => a + b, 0);
  return r;
}

/** exp(Rt) by uniformisation: Σ Poisson(k; qt) Pᵏ with P = I + R/q (exact to 1e-15 for a generator). */
function expmGenerator(r: number[][], t: number): number[][] {
  const q = Math.max(...r.map((row, i) => -row[i])) * 1.05;
  const p = new Matrix(r).div(q).add(Matrix.eye(N));
  let term = Matrix.eye(N);
  let weight = Math.exp(-q * t);
  let sum = Matrix.eye(N).mul(weight);
  let covered = weight;
  for (let k = 1; 1 - covered > 1e-15 && k < 500; k++) {
    term = term.mmul(p);
    weight *= (q * t) / k;
    covered += weight;
    sum = sum.add(term.clone().mul(weight));
  }
  return sum.to2DArray();
}

function matPow(m: number[][], k: number): number[][] {
  let out = Matrix.eye(m.length);
  const a = new Matrix(m);
  for (let i = 0; i < k; i++) out = out.mmul(a);
  return out.to2DArray();
}

/** Relaxation timescales −τ/ln λ of K(τ), slowest first (λ = 1 left out). */
function timescales(k: number[][], lag: number): number[] {
  const ev = new EigenvalueDecomposition(new Matrix(k)).realEigenvalues.slice().sort((a, b) => b - a);
  return ev.slice(1).map((l) => -lag / Math.log(Math.abs(l)));
}

function committor(k: number[][], source: number, target: number): number[] {
  const inner = Array.from({ length: N }, (_, i) => i).filter((i) => i !== source && i !== target);
  const a = new Matrix(inner.length, inner.length);
  const b = new Matrix(inner.length, 1);
  inner.forEach((i, r) => {
    inner.forEach((j, c) => a.set(r, c, (i === j ? 1 : 0) - k[i][j]));
    b.set(r, 0, k[i][target]);
  });
  const x = solve(a, b);
  const q = new Array<number>(N).fill(0);
  q[target] = 1;
  inner.forEach((i, r) => { q[i] = x.get(r, 0); });
  return q;
}

/** Repeatedly take the widest path (largest bottleneck) and subtract its bottleneck flux. */
function decompose(net: number[][], source: number, target: number, max: number): { states: number[]; flux: number; bottleneck: [number, number] }[] {
  const f = net.map((row) => row.slice());
  const out: { states: number[]; flux: number; bottleneck: [number, number] }[] = [];
  while (out.length < max) {
    let best: number[] | undefined;
    let bestFlux = 0;
    const walk = (path: number[]): void => {
      const last = path[path.length - 1];
      if (last === target) {
        const w = Math.min(...path.slice(1).map((s, i) => f[path[i]][s]));
        if (w > bestFlux) { bestFlux = w; best = path.slice(); }
        return;
      }
      for (let j = 0; j < N; j++) if (f[last][j] > 0 && !path.includes(j)) walk([...path, j]);
    };
    walk([source]);
    if (!best || bestFlux < 1e-15) break;
    const path: number[] = best;
    let bottleneck: [number, number] = [path[0], path[1]];
    for (let i = 0; i + 1 < path.length; i++) {
      if (f[path[i]][path[i + 1]] <= bestFlux * (1 + 1e-12)) bottleneck = [path[i], path[i + 1]];
      f[path[i]][path[i + 1]] -= bestFlux;
    }
    out.push({ states: path, flux: bestFlux, bottleneck });
  }
  return out;
}

function fibonacciSphere(n: number, rng: Rng): [number, number, number][] {
  const out: [number, number, number][] = [];
  const turn = Math.PI * (3 - Math.sqrt(5));
  const offset = rng.next() * 2 * Math.PI;
  for (let i = 0; i < n; i++) {
    const y = 1 - (2 * (i + 0.5)) / n;
    const r = Math.sqrt(1 - y * y);
    const phi = offset + i * turn;
    out.push([Math.cos(phi) * r, y, Math.sin(phi) * r]);
  }
  return out;
}

function environment(state: number, rng: Rng): RepresentativeEnvironment {
  const atoms: [string, number, number, number][] = [['Li', 0, 0, 0]];
  const species: string[] = [];
  ELEMENTS.forEach((el, e) => {
    const n = Math.max(0, Math.round(COORDINATION[state][e] + 0.8 * rng.normal()));
    for (let i = 0; i < n; i++) species.push(el);
  });
  // shuffle the shell so that elements do not sit in bands
  for (let i = species.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [species[i], species[j]] = [species[j], species[i]];
  }
  fibonacciSphere(species.length, rng).forEach(([x, y, z], i) => {
    const d = BOND[species[i]] + 0.12 * rng.normal();
    atoms.push([species[i], x * d, y * d, z * d]);
  });
  const lines = atoms.map(([el, x, y, z]) => `${el} ${x.toFixed(4)} ${y.toFixed(4)} ${z.toFixed(4)}`);
  return {
    state,
    xyz: `${atoms.length}\nProperties=species:S:1:pos:R:3 state=${state} centre=0\n${lines.join('\n')}\n`,
    centerIndex: 0,
    note: `frame ${100 + rng.int(6900)}, Li ${rng.int(240)}`,
  };
}

function frameView(rng: Rng): { xyz: string; stateByAtom: number[] } {
  const atoms: string[] = [];
  const stateByAtom: number[] = [];
  const spacing = 3.8;
  for (let gx = 0; gx < 4; gx++) for (let gy = 0; gy < 4; gy++) for (let gz = 0; gz < 10; gz++) {
    const z = (gz + 0.5) * (BOX[2] / 10);
    const x = gx * spacing + 0.3 * rng.normal();
    const y = gy * spacing + 0.3 * rng.normal();
    // the state most likely at this height, with some mixing
    const weights = MEAN_Z.map((m, s) => PI[s] * Math.exp(-(((z - m) / 5) ** 2)));
    let u = rng.next() * weights.reduce((a, b) => a + b, 0);
    let state = 0;
    while (state < N - 1 && u > weights[state]) u -= weights[state++];
    atoms.push(`Li ${x.toFixed(3)} ${y.toFixed(3)} ${z.toFixed(3)} ${state}`);
    stateByAtom.push(state);
    if (z > 8) {
      const el = rng.next() < 0.6 ? 'S' : rng.next() < 0.5 ? 'P' : 'Cl';
      atoms.push(`${el} ${(x + spacing / 2).toFixed(3)} ${(y + spacing / 2).toFixed(3)} ${(z + 1.2 * rng.normal()).toFixed(3)} -1`);
      stateByAtom.push(-1);
    }
  }
  const lattice = `Lattice="${BOX[0]} 0 0 0 ${BOX[1]} 0 0 0 ${BOX[2]}"`;
  // the layout the states stage writes: a per-atom state column after the positions
  return { xyz: `${atoms.length}\n${lattice} Properties=species:S:1:pos:R:3:state:I:1 pbc="T T T"\n${atoms.join('\n')}\n`, stateByAtom };
}

export interface FixtureOptions {
  seed?: number;
  /** name of the first input file (tests put markup here) */
  inputName?: string;
}

/** A complete ReportInput for a 6-state run; see the module comment for how every part is made. */
export function makeFixtureReportInput(options: FixtureOptions = {}): ReportInput {
  const rng = createRng(options.seed ?? 7);
  const r = generator();
  const k = expmGenerator(r, LAG_PS);
  const escape = r.map((row, i) => -row[i]);
  const maxEscape = Math.max(...escape);
  const mobility = escape.map((e) => e / maxEscape);
  const ranking = Array.from({ length: N }, (_, i) => i).sort((a, b) => mobility[b] - mobility[a]);

  // implied timescales over lags, with the levelling-off of a model that becomes Markovian only at longer lags
  const lags = [5, 10, 20, 40, 60, 80, 100, 150, 200, 300, 400];
  const scan = lags.map((lag) => timescales(expmGenerator(r, lag), lag).map((t) => t * (1 - 0.45 * Math.exp(-lag / 30))));
  const atLag = scan[lags.indexOf(LAG_PS)];
  const eigenvalues = atLag.map((t) => Math.exp(-LAG_PS / t));

  const nTransitions = 2.4e5;
  const countMatrix = k.map((row, i) => row.map((p) => Math.round(nTransitions * PI[i] * p)));

  const steps = [1, 2, 3, 4, 5];
  const predicted = steps.map((s) => matPow(k, s));
  const estimated = steps.map((s) => {
    const exact = expmGenerator(r, s * LAG_PS);
    return exact.map((row) => {
      const noisy = row.map((p) => Math.max(0, p * (1 + 0.04 * rng.normal())));
      const sum = noisy.reduce((a, b) => a + b, 0);
      return noisy.map((p) => p / sum);
    });
  });

  const source = ranking[N - 1];
  const target = ranking[0];
  const qPlus = committor(k, source, target);
  const qMinus = qPlus.map((q) => 1 - q);
  const equilibriumFlux = k.map((row, i) => row.map((p, j) => (i === j ? 0 : PI[i] * p)));
  const grossFlux = k.map((row, i) => row.map((p, j) => (i === j ? 0 : PI[i] * qMinus[i] * p * qPlus[j])));
  const netFlux = grossFlux.map((row, i) => row.map((f, j) => Math.max(0, f - grossFlux[j][i])));
  const totalFlux = netFlux[source].reduce((a, b) => a + b, 0);
  const rate = totalFlux / (LAG_PS * PI.reduce((a, p, i) => a + p * qMinus[i], 0));
  const raw = decompose(netFlux, source, target, 5);
  const pathways: Pathway[] = raw.map((p) => ({ ...p, fraction: p.flux / totalFlux }));
  const shares = pathways.map((p) => p.flux / pathways.reduce((a, q) => a + q.flux, 0));
  const entropy = -shares.reduce((a, s) => a + (s > 0 ? s * Math.log(s) : 0), 0);

  const band = (v: number[], rel: number): { lower: number[]; upper: number[] } => ({
    lower: v.map((x) => x * (1 - rel * (0.7 + 0.6 * rng.next()))),
    upper: v.map((x) => x * (1 + rel * (0.7 + 0.6 * rng.next()))),
  });

  const shellVolumeNm3 = ((4 / 3) * Math.PI * 4 ** 3) / 1000;
  const centres = Array.from({ length: N }, (_, s) => [6 * Math.cos((2 * Math.PI * s) / N), 6 * Math.sin((2 * Math.PI * s) / N)]);
  const points: { x: number; y: number; state: number }[] = [];
  for (let s = 0; s < N; s++) {
    const n = Math.round(1500 * PI[s]);
    for (let i = 0; i < n; i++) {
      points.push({ x: centres[s][0] + 1.6 * rng.normal(), y: centres[s][1] + 1.6 * rng.normal(), state: s });
    }
  }

  const nBins = 20;
  const zCentres = Array.from({ length: nBins }, (_, b) => ((b + 0.5) / nBins) * BOX[2]);
  const density = zCentres.map((z) => MEAN_Z.map((m, s) => PI[s] * Math.exp(-(((z - m) / 5) ** 2)) + 1e-4));
  const fractions = Array.from({ length: N }, (_, s) => density.map((d) => d[s] / d.reduce((a, b) => a + b, 0)));

  const frame = frameView(rng);
  const inputs = [1, 2, 3, 4, 5, 6].map((i) => {
    const path = i === 1 && options.inputName !== undefined ? options.inputName : `examples/Li6PS5Cl-50p-500K/run${i}.XDATCAR.gz`;
    return { path, bytes: 2_400_000 + 1000 * i, sha256: createHash('sha256').update(path).digest('hex') };
  });

  return {
    title: 'Li6PS5Cl/Li fixture (6 states)',
    states: {
      count: N,
      labels: Array.from({ length: N }, (_, i) => `S${i}`),
      populations: PI.map((p) => p * (1 + 0.03 * rng.normal())),
      silhouette: { overall: 0.29, perState: [0.31, 0.22, 0.41, 0.18, 0.26, 0.36] },
      scoreTable: [2, 3, 4, 5, 6, 7, 8, 9, 10].map((c) => ({
        count: c,
        bic: -2.1e5 + 9000 * Math.abs(c - 6.5) ** 1.5 + 400 * rng.normal(),
        silhouette: 0.29 - 0.011 * (c - 6) ** 2 + 0.005 * rng.normal(),
      })),
      descriptors: {
        shellAngstrom: 4,
        elements: ELEMENTS,
        coordination: COORDINATION,
        liDensity: COORDINATION.map((row) => row[0] / shellVolumeNm3),
        liDensityUnit: 'Li nm⁻³',
        meanNeighbourDistanceAngstrom: COORDINATION.map((row) => 2.6 + 0.06 * row[0] + 0.02 * rng.normal()),
        angleMeanDeg: COORDINATION.map((row) => 58 + 3 * row[1] + rng.normal()),
        angleStdDeg: COORDINATION.map(() => 28 + 3 * rng.next()),
        angleMinDeg: COORDINATION.map(() => 32 + 5 * rng.next()),
        angleMaxDeg: COORDINATION.map(() => 172 + 6 * rng.next()),
        angleMedianDeg: COORDINATION.map((row) => 60 + 2.5 * row[1] + rng.normal()),
        meanZFraction: MEAN_Z.map((z) => (z + 0.5 * rng.normal()) / BOX[2]),
      },
      embeddingMap: { method: 't-SNE', points },
      representatives: Array.from({ length: N }, (_, s) => Array.from({ length: 5 }, () => environment(s, rng))).flat(),
    },
    kinetics: {
      timeUnit: 'ps',
      lag: LAG_PS,
      dt: DT_PS,
      activeSet: Array.from({ length: N }, (_, i) => i),
      countMatrix,
      transitionMatrix: k,
      stationary: PI,
      eigenvalues: [1, ...eigenvalues],
      impliedTimescales: atLag,
      impliedTimescalesScan: { lags, timescales: scan },
      rateMatrix: r,
      rateMatrixDiagnostics: { valid: true, method: 'principal matrix logarithm', reconstructionError: 3.1e-14, messages: [] },
      escapeRates: escape,
      mobility,
      mobilityNormalisation: 'total escape rate divided by the largest',
      mobilityRanking: ranking,
      ckTest: {
        steps,
        predicted,
        estimated,
      },
      bootstrap: {
        samples: 100,
        level: 0.95,
        stationary: band(PI, 0.05),
        escapeRates: band(escape, 0.08),
        mobility: band(mobility, 0.08),
        rate: { lower: rate * 0.9, upper: rate * 1.12 },
        totalFlux: { lower: totalFlux * 0.9, upper: totalFlux * 1.1 },
        pathwayFlux: band(pathways.map((p) => p.flux), 0.12),
      },
    },
    paths: {
      source: [source],
      target: [target],
      forwardCommittor: qPlus,
      backwardCommittor: qMinus,
      equilibriumFlux,
      grossFlux,
      netFlux,
      totalFlux,
      rate,
      mfpt: 1 / rate,
      pathways,
      pathwayDiversity: { entropy, effectiveNumber: Math.exp(entropy) },
    },
    zProfile: { zCentres, zUnit: 'Å', fractions, counts: density.map((d) => Math.round(9000 * d.reduce((a, b) => a + b, 0))) },
    frameView: { frame: 6999, timePs: 699.9, xyz: frame.xyz, stateByAtom: frame.stateByAtom },
    transport: fixtureTransport(),
    kineticQuality: {
      projection: { method: 'tica', lagFrames: 5, dim: 4, inputDim: 32, timescalesFrames: [310, 120, 64, 21], spectralGap: { processes: 5, states: 6, gap: 0.31 } },
      comparison: {
        count: N, lagFrames: 5,
        rows: [
          { states: 'projected', method: 'tica', vamp2: 2.33, vamp2Std: 0.03, vampE: 2.21 },
          { states: 'paper', method: 'none', vamp2: 1.33, vamp2Std: 0.04, vampE: 1.29 },
        ],
      },
      vampByCount: [2, 3, 4, 5, 6, 7, 8, 9, 10].map((c) => ({ count: c, vamp2: 1 + 1.3 * (1 - Math.exp(-(c - 1) / 2)), vamp2Std: 0.03 })),
      ckVerdicts: Array.from({ length: N }, (_, i) => ({ state: i, verdict: i === 3 ? 'inconsistent' : 'consistent' })),
      ckConfidence: 0.95,
      pcca: { nSets: 2, rule: 'auto: 1 + processes slower than the lag', sets: [[0, 1, 2], [3, 4, 5]], crispness: 0.91, lumped: false },
      coreSets: { minDwellFrames: 3, fractionInCores: 0.82 },
    },
    stability: {
      repeats: 3,
      meanAri: 0.86,
      perStateStability: [0.88, 0.79, 0.95, 0.74, 0.83, 0.91],
      unstableStates: [],
      mobilityKendallTau: 0.87,
      rawBaseline: { silhouette: 0.17, ari: 0.48 },
      conclusions: [
        { claim: 'the most mobile state is the same in every repeat', holds: true },
        { claim: 'the leading pathway is the same in every repeat', holds: true },
        { claim: 'the number of slow processes is the same in every repeat', holds: false, detail: '5, 5 and 4' },
      ],
    },
    provenance: {
      runFolder: 'runs/fixture',
      getsei: '0.1.0',
      node: process.version,
      created: '2026-01-01T00:00:00.000Z',
      command: 'getsei run examples/Li6PS5Cl-50p-500K/run*.XDATCAR.gz -o runs/fixture --lag 80ps',
      inputs,
      config: { states: { count: 6, seed: 7 }, kinetics: { lag: '80ps', estimator: 'edmd' }, paths: { source: 'auto', target: 'auto', pathways: 5 } },
      timings: [
        { stage: 'featurize', seconds: 41.2, status: 'done' },
        { stage: 'encoder', seconds: 96.5, status: 'done' },
        { stage: 'states', seconds: 12.8, status: 'done' },
        { stage: 'kinetics', seconds: 0.9, status: 'done' },
        { stage: 'paths', seconds: 0.1, status: 'done' },
      ],
      seeds: { encoder: 7, states: 7 },
    },
    warnings: [],
  };
}

/** A transport part: MSD = 0.6 τ + 0.4 Å² (D* = 0.1 Å²/ps), a D(z) dip at the interface, six states. */
function fixtureTransport(): NonNullable<ReportInput['transport']> {
  const timePs = Array.from({ length: 101 }, (_, i) => i * 0.5);
  const d = (value: number, rel: number): { value: number; lower: number; upper: number } => ({ value, lower: value * (1 - rel), upper: value * (1 + rel) });
  return {
    msd: { timePs, li: timePs.map((t) => (t === 0 ? 0 : 0.6 * t + 0.4)) },
    fitWindow: { startPs: 5, endPs: 25 }, tracerFit: { meanTimePs: 15, meanMsdA2: 9.4 },
    tracerDiffusion: d(0.1, 0.15), chargeDiffusion: d(0.14, 0.9), havenRatio: { value: 0.71, lower: 0.3, upper: null },
    conductivity: { value: 1.2, lower: 0, upper: 3.1 }, temperatureK: 500,
    profile: {
      axis: 'c', binAngstrom: 4, zCentresAngstrom: [2, 6, 10, 14, 18],
      diffusion: [d(0.12, 0.2), d(0.1, 0.2), d(0.03, 0.4), null, d(0.11, 0.2)], samples: [900, 880, 310, 0, 870],
    },
    perState: {
      diffusion: [0.02, 0.05, 0.09, 0.04, 0.12, 0.07].map((v) => d(v, 0.25)),
      residence: [3.1, 1.2, 0.6, 2.4, 0.4, 0.9].map((m) => ({ meanPs: m, medianPs: m * 0.7, timePerExitPs: m * 1.3, complete: 400 })),
      fitWindow: { startPs: 0.2, endPs: 2 },
      mobilityCheck: { rho: 0.83, n: 6, pValue: 0.0292, states: [0, 1, 2, 3, 4, 5] },
    },
  };
}

/**
 * Write the fixture as a run folder in the writers' layout — each file typed as what its writer may write
 * (WrittenRunFile, src/schema/) — so the loader and the CLI are tested on files shaped like a real run's. Fields the
 * report does not draw get plausible fillers; lengths in Å along z become fractions of the cell, as the states stage
 * writes them.
 */
export async function writeFixtureRun(dir: string, input: ReportInput = makeFixtureReportInput()): Promise<void> {
  await mkdir(join(dir, 'representatives'), { recursive: true });
  const json = (name: RunFileName, value: unknown): Promise<void> => writeFile(join(dir, name), JSON.stringify(value));
  const s = input.states;
  const q = input.kineticQuality;
  if (s) {
    const reps = await Promise.all((s.representatives ?? []).map(async (r, i) => {
      const file = `representatives/S${r.state}-${i}.xyz`;
      await writeFile(join(dir, file), r.xyz);
      return { state: r.state, file, frame: i, atom: r.centerIndex ?? 0 };
    }));
    await writeFile(join(dir, 'frame-view.extxyz'), input.frameView?.xyz ?? '');
    const d = s.descriptors;
    const zOf = (z: number): number => (input.zProfile?.zUnit === 'Å' ? z / BOX[2] : z);
    const vamp = new Map((q?.vampByCount ?? []).map((v) => [v.count, v]));
    const states: WrittenRunFile<'states.json'> = {
      format: 'getsei-states/1', count: s.count, rule: 'bic', silhouette: s.silhouette?.overall ?? null,
      silhouettePerState: s.silhouette?.perState ?? s.populations.map(() => null),
      scoreTable: (s.scoreTable ?? []).map((r) => ({
        count: r.count, bic: r.bic, aic: r.bic, logLikelihood: -r.bic / 2, silhouette: r.silhouette, converged: true,
        vamp2: vamp.get(r.count)?.vamp2 ?? null, vamp2Std: vamp.get(r.count)?.vamp2Std ?? null,
      })),
      projection: q?.projection ? { ...q.projection, spectralGap: q.projection.spectralGap ?? { processes: 0, states: 1, gap: 0 } } : null,
      kineticComparison: q?.comparison ?? null,
      populations: s.populations,
      descriptors: s.populations.map((population, st) => ({
        state: st, count: 100, population, std: {},
        mean: d ? {
          ...Object.fromEntries(d.elements.map((el, e) => [`count_${el}`, d.coordination[st][e]])),
          mean_distance: d.meanNeighbourDistanceAngstrom?.[st] ?? null, li_density: d.liDensity ? d.liDensity[st] / 1000 : null,
          adf_mean: d.angleMeanDeg?.[st] ?? null, adf_std: d.angleStdDeg?.[st] ?? null, adf_min: d.angleMinDeg?.[st] ?? null,
          adf_max: d.angleMaxDeg?.[st] ?? null, adf_median: d.angleMedianDeg?.[st] ?? null,
          z_fraction: d.meanZFraction?.[st] ?? null,
        } : {},
      })),
      shellAngstrom: d?.shellAngstrom ?? 4,
      zProfile: {
        zCentres: (input.zProfile?.zCentres ?? []).map(zOf), zUnit: 'fraction', fractions: input.zProfile?.fractions ?? [], counts: input.zProfile?.counts ?? [],
      },
      frameView: { frame: input.frameView?.frame ?? 0, file: 'frame-view.extxyz', stateByAtom: input.frameView?.stateByAtom ?? [] },
      representatives: reps,
      map: {
        method: s.embeddingMap?.method === 't-SNE' ? 'tsne' : (s.embeddingMap?.method ?? 'tsne'),
        x: (s.embeddingMap?.points ?? []).map((p) => p.x), y: (s.embeddingMap?.points ?? []).map((p) => p.y),
        state: (s.embeddingMap?.points ?? []).map((p) => p.state), graph: (s.embeddingMap?.points ?? []).map((_, i) => i),
      },
      mixture: { weights: s.populations, means: s.populations.map(() => [0]), covarianceType: 'full' },
      warnings: [],
    };
    await json('states.json', states);
  }
  const k = input.kinetics;
  const header = k && { estimator: 'mle', lag: k.lag, lagFrames: Math.round(k.lag / (k.dt ?? 1)), dt: k.dt ?? null, timeUnit: k.timeUnit, rateUnit: `1/${k.timeUnit === 'ps' ? 'ps' : 'frame'}` };
  const b = k?.bootstrap;
  const paths = input.paths;
  const bootstrap = b ? {
    nSamples: b.samples, nSucceeded: b.samples, confidence: b.level, stationary: b.stationary, totalEscapeRates: b.escapeRates, mobility: b.mobility,
    tpt: {
      ...(b.rate ? { rate: b.rate } : {}), ...(b.totalFlux ? { totalFlux: b.totalFlux } : {}),
      pathways: b.pathwayFlux ? (paths?.pathways ?? []).map((w, i) => ({ states: w.states, flux: { lower: b.pathwayFlux!.lower[i], upper: b.pathwayFlux!.upper[i] } })) : [],
    },
  } : null;
  if (k && header) {
    const n = k.activeSet.length;
    const eig = (k.eigenvalues ?? []).map((e) => (typeof e === 'number' ? { re: e, im: 0 } : e));
    const kinetics: WrittenRunFile<'kinetics.json'> = {
      format: 'getsei-kinetics', version: 1, ...header, nStates: n, activeSet: k.activeSet,
      countMatrix: k.countMatrix ?? k.transitionMatrix, transitionMatrix: k.transitionMatrix, stationary: k.stationary, eigenvalues: eig,
      impliedTimescales: {
        atLag: k.impliedTimescales ?? [], resolvedAtLag: (k.impliedTimescales ?? []).map((t) => t > k.lag),
        processesSlowerThanModelLag: (k.impliedTimescales ?? []).filter((t) => t > k.lag).length,
        lags: k.impliedTimescalesScan?.lags ?? [], lagFrames: (k.impliedTimescalesScan?.lags ?? []).map((l) => Math.round(l / (k.dt ?? 1))),
        timescales: k.impliedTimescalesScan?.timescales ?? [],
      },
      rateMatrix: k.rateMatrix ?? [],
      rateMatrixDiagnostics: {
        method: 'qog', source: k.rateMatrixDiagnostics?.valid === false ? 'first-order' : 'logm', description: k.rateMatrixDiagnostics?.method ?? 'principal logarithm ln K / τ',
        isGenerator: k.rateMatrixDiagnostics?.valid ?? true, obstruction: null, reconstructionError: k.rateMatrixDiagnostics?.reconstructionError ?? 0,
        warnings: k.rateMatrixDiagnostics?.messages ?? [],
      },
      escapeRates: k.rateMatrix ?? [], totalEscapeRates: k.escapeRates ?? [], mobility: k.mobility ?? [],
      mobilityNormalisation: k.mobilityNormalisation === 'total escape rate divided by the largest' ? 'max' : (k.mobilityNormalisation ?? 'max'),
      mobilityRanking: k.mobilityRanking ?? [],
      ckTest: {
        steps: k.ckTest?.steps ?? [], predicted: k.ckTest?.predicted ?? [], estimated: k.ckTest?.estimated ?? [],
        verdicts: q?.ckVerdicts ? { confidence: q.ckConfidence ?? 0.95, perState: k.activeSet.map((id) => q.ckVerdicts?.find((v) => v.state === id)?.verdict ?? 'untested') } : null,
      },
      bootstrap,
      warnings: [],
      lagChoice: k.lagChoice === undefined ? null : { explanation: k.lagChoice },
      coreSets: q?.coreSets ? { rule: 'minimum-dwell', ...q.coreSets } : null,
      pcca: q?.pcca ?? null,
    };
    await json('kinetics.json', kinetics);
  }
  if (paths && header) {
    const written: WrittenRunFile<'paths.json'> = {
      format: 'getsei-paths', ...header, activeSet: paths.activeSet ?? k.activeSet, source: paths.source, target: paths.target,
      stationary: k.stationary, forwardCommittor: paths.forwardCommittor, backwardCommittor: paths.backwardCommittor,
      equilibriumFlux: paths.equilibriumFlux, grossFlux: paths.grossFlux, netFlux: paths.netFlux,
      totalFlux: paths.totalFlux, rate: paths.rate, mfpt: paths.mfpt ?? null,
      pathways: paths.pathways.map((w) => ({ states: w.states, flux: w.flux, fraction: w.fraction, bottleneck: { from: w.bottleneck[0], to: w.bottleneck[1] } })),
      pathwayDiversity: paths.pathwayDiversity ?? { entropy: 0, effectiveNumber: 1 },
      bootstrap,
    };
    await json('paths.json', written);
  }
  const st = input.stability;
  if (st) {
    const stability: WrittenRunFile<'stability.json'> = {
      format: 'getsei-stability', version: 1, repeats: st.repeats, seeds: Array.from({ length: st.repeats }, (_, i) => i),
      ariMatrix: [], meanAri: st.meanAri, perStateStability: st.perStateStability ?? [], unstableStates: st.unstableStates ?? [],
      mobilityKendallTau: st.mobilityKendallTau ?? null, rawBaseline: st.rawBaseline ?? { silhouette: 0, ari: 0 }, conclusions: st.conclusions ?? [], warnings: [],
    };
    await json('stability.json', stability);
  }
  const t = input.transport;
  if (t) {
    const estimate = (e: { value: number; lower: number | null; upper: number | null } | null | undefined): { value: number; lower: number | null; upper: number | null; unit: string } | null => (e ? { ...e, unit: 'A2/ps' } : null);
    const zero = { value: 0, lower: null, upper: null, unit: 'A2/ps' };
    const transport: WrittenRunFile<'transport.json'> = {
      format: 'getsei-transport/1', nLi: 1, nFrames: t.msd.timePs.length, dtPs: t.msd.timePs[1] ?? 1,
      msd: { ...t.msd, x: t.msd.li, y: t.msd.li, z: t.msd.li, charge: t.msd.li },
      fitWindow: t.fitWindow, tracerFit: t.tracerFit ?? { meanTimePs: 0, meanMsdA2: 0 },
      tracerDiffusion: estimate(t.tracerDiffusion) ?? zero, chargeDiffusion: estimate(t.chargeDiffusion) ?? zero, havenRatio: estimate(t.havenRatio) ?? zero,
      conductivity: estimate(t.conductivity), temperatureK: t.temperatureK ?? null, volumeA3: 1000,
      profile: t.profile ? { ...t.profile, diffusion: t.profile.diffusion.map(estimate) } : null,
      perState: t.perState ? { ...t.perState, diffusion: t.perState.diffusion.map(estimate), residence: { perState: t.perState.residence }, mobilityCheck: t.perState.mobilityCheck ?? null } : null,
    };
    await json('transport.json', transport);
  }
  const p = input.provenance;
  if (p) {
    const manifest: WrittenRunFile<'manifest.json'> = {
      format: 'getsei-run/1', getsei: p.getsei ?? '0', node: p.node ?? process.version, created: p.created ?? '', updated: p.created ?? '', inputs: p.inputs ?? [],
      dtPs: input.kinetics?.dt ?? null, config: (p.config ?? {}) as Record<string, unknown>,
      stages: Object.fromEntries((p.timings ?? []).map((t) => [t.stage, {
        status: 'done' as const, inputHash: '0', configHash: '0', startedAt: p.created ?? '', seconds: t.seconds, seed: p.seeds?.[t.stage],
      }])),
    };
    await json('manifest.json', manifest);
  }
}
