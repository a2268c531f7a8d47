import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { readTrajectory } from '../io/index.ts';
import { decodeNpy } from '../util/npy.ts';
import { GetseiError } from '../util/errors.ts';
import { generateInterphase, type SynthOptions } from './generate.ts';
import { writeInterphase } from './write.ts';
import { transitionMatrixAt } from './truth.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'getsei-synth-'));
}

async function writeAll(options: SynthOptions, gzip = false): Promise<Buffer[]> {
  const dir = tempDir();
  try {
    const files = await writeInterphase(dir, generateInterphase(options), { gzip });
    return [readFileSync(files.trajectory), readFileSync(files.truth), readFileSync(files.states)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the same seed gives byte-identical files (plain and gzip); another seed gives different ones', async () => {
  const opts: SynthOptions = { repeats: [2, 2], frames: 20, seed: 7 };
  const a = await writeAll(opts), b = await writeAll(opts), c = await writeAll({ ...opts, seed: 8 });
  for (let k = 0; k < 3; k++) assert.ok(a[k].equals(b[k]), `file ${k} differs between two runs with one seed`);
  assert.ok(!a[0].equals(c[0]) && !a[2].equals(c[2]));
  const gz1 = await writeAll(opts, true), gz2 = await writeAll(opts, true);
  assert.ok(gz1[0].equals(gz2[0]));
  assert.ok(gunzipSync(gz1[0]).equals(a[0]));
});

test('labels depend only on the seed and the kinetics, not on the vibrations', () => {
  const base = { repeats: [2, 2] as const, frames: 50, seed: 3 };
  const still = generateInterphase({ ...base, thermalAmplitudeAngstrom: 0 }).truth.labels;
  const shaking = generateInterphase({ ...base, thermalAmplitudeAngstrom: 0.4 }).truth.labels;
  assert.deepEqual(still, shaking);
  assert.notDeepEqual(still, generateInterphase({ ...base, seed: 4 }).truth.labels);
});

for (const layout of ['clusters', 'dense'] as const) test(`${layout}: frames have Li on their planted sites, site_type as planted, Gaussian vibration of the set size, no pair closer than 1.6 Å`, () => {
  const amplitude = 0.5, sigma = amplitude / Math.sqrt(3); // the largest allowed; RMS over 3 components
  const g = generateInterphase({ layout, repeats: layout === 'dense' ? [2, 2] : [1, 1], frames: 40, seed: 5, thermalAmplitudeAngstrom: amplitude, dtPs: 0.5 });
  const s = g.structure, t = g.truth;
  const n = g.species.length, nLi = t.nLi;
  const box = s.box;
  const wrapD = (d: number, L: number): number => d - L * Math.round(d / L);
  let sum2 = 0, count = 0, minD = Infinity;
  const first: Float64Array[] = [];
  for (const f of g.frames()) {
    first.push(f.positions);
    assert.equal(f.timePs, f.index * 0.5);
    for (let r = 0; r < nLi; r++) {
      const type = t.labels[r * t.nFrames + f.index];
      assert.equal(f.siteType[r], type);
      const layer = s.layerType.indexOf(type);
      assert.ok(layer >= 0);
      const dz = wrapD(f.positions[3 * r + 2] - s.layerZ[layer], box[2]);
      assert.ok(Math.abs(dz) <= 4 * sigma + 1e-9, `Li ${r} is ${dz} Å off its layer`);
    }
    for (let i = nLi; i < n; i++) {
      assert.equal(f.siteType[i], -1);
      for (let c = 0; c < 3; c++) {
        const d = wrapD(f.positions[3 * i + c] - s.hostPositions[3 * (i - nLi) + c], box[c]);
        sum2 += d * d;
        count++;
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let d2 = 0;
        for (let c = 0; c < 3; c++) d2 += wrapD(f.positions[3 * i + c] - f.positions[3 * j + c], box[c]) ** 2;
        minD = Math.min(minD, d2);
      }
    }
  }
  assert.ok(Math.sqrt(minD) >= 1.6, `closest pair ${Math.sqrt(minD)} Å`);
  const rms = Math.sqrt(sum2 / count);
  assert.ok(Math.abs(rms - sigma) < 0.02 * sigma, `host displacement per component ${rms} Å, asked for ${sigma}`);
  let k = 0;
  for (const f of g.frames()) assert.deepEqual(f.positions, first[k++], 'frames() yields the same frames again');
});

/** The planted labels of one Li per channel: channels are the independent samples (a cluster's Li move together). */
function channelLabels(truth: ReturnType<typeof generateInterphase>['truth']): { labels: Int16Array; nLi: number } {
  const first = new Map<number, number>();
  truth.liChannel.forEach((c, r) => {
    if (!first.has(c)) first.set(c, r);
  });
  const rows = [...first.values()];
  const labels = new Int16Array(rows.length * truth.nFrames);
  rows.forEach((r, k) => labels.set(truth.labels.subarray(r * truth.nFrames, (r + 1) * truth.nFrames), k * truth.nFrames));
  for (let r = 0; r < truth.nLi; r++) {
    const k = rows.indexOf(first.get(truth.liChannel[r]) as number);
    assert.deepEqual(truth.labels.subarray(r * truth.nFrames, (r + 1) * truth.nFrames), labels.subarray(k * truth.nFrames, (k + 1) * truth.nFrames));
  }
  return { labels, nLi: rows.length };
}

test('long-run type occupancy matches the exact stationary populations within sampling error', () => {
  const g = generateInterphase({ repeats: [10, 10], frames: 3000, dtPs: 20, seed: 21, thermalAmplitudeAngstrom: 0 });
  const { nFrames, stationary } = g.truth;
  const { labels, nLi } = channelLabels(g.truth);
  assert.equal(nLi, 100);
  const nTypes = stationary.length;
  const perLi = new Float64Array(nLi * nTypes);
  for (let r = 0; r < nLi; r++) for (let f = 0; f < nFrames; f++) perLi[r * nTypes + labels[r * nFrames + f]] += 1 / nFrames;
  for (let a = 0; a < nTypes; a++) {
    let m = 0, m2 = 0;
    for (let r = 0; r < nLi; r++) {
      m += perLi[r * nTypes + a] / nLi;
      m2 += perLi[r * nTypes + a] ** 2 / nLi;
    }
    const se = Math.sqrt((m2 - m * m) / (nLi - 1));
    assert.ok(Math.abs(m - stationary[a]) < 5 * se, `type ${a}: ${m} vs π = ${stationary[a]} (SE ${se})`);
  }
});

test('row-normalised transition counts of the planted labels at lag τ match exp(Qτ) within sampling error', () => {
  const g = generateInterphase({ repeats: [10, 10], frames: 3000, dtPs: 10, seed: 22, thermalAmplitudeAngstrom: 0 });
  const { nFrames, stationary } = g.truth;
  const { labels, nLi } = channelLabels(g.truth);
  const n = stationary.length;
  const batches = 20, perBatch = nLi / batches;
  for (const lagFrames of [1, 4, 20]) {
    const exact = transitionMatrixAt(g.truth.spectrum, lagFrames * g.truth.dtPs);
    const counts = new Float64Array(batches * n * n);
    for (let r = 0; r < nLi; r++) {
      const b = Math.floor(r / perBatch);
      for (let f = 0; f + lagFrames < nFrames; f++) counts[b * n * n + labels[r * nFrames + f] * n + labels[r * nFrames + f + lagFrames]]++;
    }
    for (let i = 0; i < n; i++) {
      const est = new Float64Array(batches * n);
      const pooled = new Float64Array(n);
      for (let b = 0; b < batches; b++) {
        const row = counts.subarray(b * n * n + i * n, b * n * n + i * n + n);
        const total = row.reduce((x, y) => x + y, 0);
        for (let j = 0; j < n; j++) {
          est[b * n + j] = row[j] / total;
          pooled[j] += row[j];
        }
      }
      const rowTotal = pooled.reduce((x, y) => x + y, 0);
      for (let j = 0; j < n; j++) {
        let m = 0, m2 = 0;
        for (let b = 0; b < batches; b++) {
          m += est[b * n + j] / batches;
          m2 += est[b * n + j] ** 2 / batches;
        }
        const se = Math.sqrt(Math.max(0, m2 - m * m) / (batches - 1));
        const diff = Math.abs(pooled[j] / rowTotal - exact[i * n + j]);
        assert.ok(diff < 5 * se + 3 / rowTotal, `lag ${lagFrames}: T[${i}][${j}] = ${pooled[j] / rowTotal} vs exact ${exact[i * n + j]} (SE ${se})`);
      }
    }
  }
});

/** A tiny extended-XYZ reader, enough to check what the writer wrote. */
function parseExtxyz(text: string): Array<{ lattice: number[]; props: string; time: number; symbols: string[]; pos: number[]; siteType: number[] }> {
  const lines = text.split('\n');
  const frames = [];
  let k = 0;
  while (k < lines.length && lines[k].trim() !== '') {
    const n = Number(lines[k]);
    const comment = lines[k + 1];
    const lattice = (/Lattice="([^"]+)"/.exec(comment)?.[1] ?? '').split(/\s+/).map(Number);
    const props = /Properties=(\S+)/.exec(comment)?.[1] ?? '';
    const time = Number(/ time=(\S+)/.exec(comment)?.[1]);
    const symbols: string[] = [], pos: number[] = [], siteType: number[] = [];
    for (let i = 0; i < n; i++) {
      const f = lines[k + 2 + i].trim().split(/\s+/);
      symbols.push(f[0]);
      pos.push(Number(f[1]), Number(f[2]), Number(f[3]));
      if (f.length > 4) siteType.push(Number(f[4]));
    }
    frames.push({ lattice, props, time, symbols, pos, siteType });
    k += n + 2;
  }
  return frames;
}

test('the trajectory parses: as extended XYZ by a small reader and by getsei\'s own io; the site_type column can be left out', async () => {
  const dir = tempDir();
  try {
    const g = generateInterphase({ repeats: [2, 2], frames: 6, dtPs: 0.25, seed: 9 });
    const files = await writeInterphase(dir, g);
    const parsed = parseExtxyz(readFileSync(files.trajectory, 'utf8'));
    assert.equal(parsed.length, 6);
    const frames = [...g.frames()];
    for (const [f, p] of parsed.entries()) {
      assert.equal(p.props, 'species:S:1:pos:R:3:site_type:I:1');
      assert.deepEqual(p.lattice, [g.structure.box[0], 0, 0, 0, g.structure.box[1], 0, 0, 0, g.structure.box[2]]);
      assert.equal(p.time, f * 0.25);
      assert.equal(p.symbols.filter((x) => x === 'Li').length, g.truth.nLi);
      for (let i = 0; i < p.pos.length; i++) assert.ok(Math.abs(p.pos[i] - frames[f].positions[i]) <= 5e-9);
      assert.deepEqual(p.siteType, Array.from(frames[f].siteType));
    }
    let k = 0;
    for await (const fr of readTrajectory([files.trajectory])) {
      assert.deepEqual(Array.from(fr.species), Array.from(g.species));
      assert.ok(Math.abs((fr.timePs ?? -1) - k * 0.25) < 1e-12);
      for (let i = 0; i < fr.positions.length; i++) assert.ok(Math.abs(fr.positions[i] - frames[k].positions[i]) <= 5e-9);
      k++;
    }
    assert.equal(k, 6);
    const npy = decodeNpy(readFileSync(files.states));
    assert.deepEqual(npy.shape, [g.truth.nLi, 6]);
    assert.deepEqual(Array.from(npy.data as Int16Array), Array.from(g.truth.labels));
    const truth = JSON.parse(readFileSync(files.truth, 'utf8')) as {
      labels: { rows: number[][] }; generatorPerPs: number[][]; types: Array<{ name: string }>; lags: Array<{ lagPs: number }>;
    };
    assert.deepEqual(truth.labels.rows[3], Array.from(g.truth.labels.subarray(18, 24)));
    assert.equal(truth.types.length, 6);
    assert.deepEqual(truth.lags.map((l) => l.lagPs), [0.25, 0.5, 1.25], 'default lags: dt × 1, 2, 5, … up to the run length');

    const bare = await writeInterphase(join(dir, 'bare'), g, { siteTypeColumn: false });
    const p0 = parseExtxyz(readFileSync(bare.trajectory, 'utf8'))[0];
    assert.equal(p0.props, 'species:S:1:pos:R:3');
    assert.equal(p0.siteType.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sizes: about 3 000 and 30 000 atoms generate (few frames)', () => {
  for (const target of [3000, 30000]) {
    const g = generateInterphase({ targetAtoms: target, frames: 2 });
    assert.ok(Math.abs(g.species.length - target) < 0.03 * target, `${g.species.length} atoms for a target of ${target}`);
    let frames = 0;
    for (const f of g.frames()) {
      assert.equal(f.positions.length, 3 * g.species.length);
      frames++;
    }
    assert.equal(frames, 2);
  }
});

test('bad options are refused with a message that says what to change', () => {
  const cases: Array<[SynthOptions, RegExp]> = [
    [{ frames: 0 }, /frames must be a positive integer/],
    [{ dtPs: -1 }, /dt must be a positive number/],
    [{ temperatureK: 0 }, /temperature must be a positive/],
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ thermalAmplitudeAngstrom: 0.6 }, /thermal amplitude must lie in/],
    [{ repeats: [0, 4] }, /repeats must be two positive integers/],
    [{ layout: 'dense', repeats: [1, 2] }, /is too small for the .* Å checks; use more repeats/],
    [{ layout: 'sparse' as never }, /unknown Li layout "sparse"/],
    [{ source: ['nope'] }, /the source names unknown type "nope"/],
    [{ source: ['metal'], target: ['metal'] }, /must not share a type/],
    [{ lagsPs: [0] }, /lags must be positive/],
    [{ difficulty: 'hard' as never }, /unknown difficulty "hard"/],
    [{ shellMarginAngstrom: 1.2 }, /within 1.2 Å of the 4 Å shell cutoff/],
    [{ minDistanceAngstrom: 2.5 }, /closer than the minimum distance 2.5 Å/],
    [{ edgeMarginAngstrom: 0.6 }, /within 0.6 Å of the 3 Å graph-edge cutoff/],
  ];
  for (const [opts, re] of cases) {
    assert.throws(() => generateInterphase({ repeats: [2, 2], frames: 2, ...opts }), (e: unknown) => e instanceof GetseiError && re.test(e.message), String(re));
  }
});
