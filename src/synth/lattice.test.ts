import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { symbolOf } from '../structure/index.ts';
import { generateInterphase } from './generate.ts';
import { layerGap } from './lattice.ts';
import { BUILTIN_SHELLS, DIFFICULTIES, presetModel, resolveModel } from './model.ts';

const CUT = 4.0, MARGIN = 0.5, EDGE = 3.0, EDGE_MARGIN = 0.4, DMIN = 1.6;

const clearOfCutoffs = (d: number, shell = true): boolean =>
  (d <= EDGE - EDGE_MARGIN || d >= EDGE + EDGE_MARGIN) && (!shell || d <= CUT - MARGIN || d >= CUT + MARGIN);

/** Minimum-image distance in an orthorhombic box, written here independently of src/synth/pairs.ts. */
function dist(box: readonly number[], p: Float64Array, i: number, q: Float64Array, j: number): number {
  let s = 0;
  for (let c = 0; c < 3; c++) {
    let d = p[3 * i + c] - q[3 * j + c];
    d -= box[c] * Math.round(d / box[c]);
    s += d * d;
  }
  return Math.sqrt(s);
}

for (const [difficulty, layout] of [...DIFFICULTIES.map((d) => [d, 'clusters'] as const), ['subtle', 'dense'] as const]) {
  test(`${difficulty}, ${layout}: every site has its type's promised shell within 4.0 Å, with a margin, and no two atoms are closer than 1.6 Å`, () => {
    const g = generateInterphase({ difficulty, layout, repeats: [2, 2], frames: 1 });
    const s = g.structure;
    const model = resolveModel(presetModel(difficulty));
    const a = s.latticeSpacingAngstrom;
    const nSites = s.sitePositions.length / 3, nHost = s.hostSpecies.length;
    for (let site = 0; site < nSites; site++) {
      const type = model.types[s.layerType[site % s.nLayers]];
      const promised: Record<string, number> = {};
      for (const x of type.shell.anions.filter((y) => !y.level.startsWith('outer'))) promised[x.species] = (promised[x.species] ?? 0) + 1;
      const found: Record<string, number> = {};
      for (let h = 0; h < nHost; h++) {
        const d = dist(s.box, s.sitePositions, site, s.hostPositions, h);
        assert.ok(d >= DMIN, `host ${h} at ${d} Å from site ${site}`);
        assert.ok(clearOfCutoffs(d), `host at ${d.toFixed(3)} Å is within the margin of a cutoff`);
        if (d > CUT) continue;
        const sym = symbolOf(s.hostSpecies[h]);
        found[sym] = (found[sym] ?? 0) + 1;
        const off = type.shell.heightAngstrom;
        const expected = [Math.hypot(a / Math.SQRT2, off), a / Math.SQRT2];
        assert.ok(expected.some((e) => Math.abs(d - e) < 1e-9), `first-shell distance ${d}`);
      }
      assert.deepEqual(found, promised, `site ${site} of type ${type.name}`);
      const column = Math.floor(site / s.nLayers);
      for (let o = 0; o < nSites; o++) {
        const other = Math.floor(o / s.nLayers);
        if (other === column) continue; // same column: one Li, never on two sites at once
        if (s.columnChannel[other] === s.columnChannel[column] && o % s.nLayers !== site % s.nLayers) continue; // a cluster is in one layer
        const d = dist(s.box, s.sitePositions, site, s.sitePositions, o);
        assert.ok(d >= DMIN && clearOfCutoffs(d), `site–site ${d}`);
      }
    }
    for (let h = 0; h < nHost; h++) {
      for (let k = h + 1; k < nHost; k++) {
        const d = dist(s.box, s.hostPositions, h, s.hostPositions, k);
        assert.ok(d >= DMIN && clearOfCutoffs(d, false), `host–host ${d}`);
      }
    }
  });
}

test('layers are isolated: every atom closer than 4.5 Å to a host atom belongs to the host atom\'s own layer', () => {
  const g = generateInterphase({ repeats: [2, 2], frames: 1 });
  const s = g.structure;
  const layerOfZ = (z: number): number => {
    let best = 0;
    for (let l = 1; l < s.nLayers; l++) {
      const d = (x: number): number => Math.abs(x - s.box[2] * Math.round(x / s.box[2]));
      if (d(z - s.layerZ[l]) < d(z - s.layerZ[best])) best = l;
    }
    return best;
  };
  const nSites = s.sitePositions.length / 3, nHost = s.hostSpecies.length;
  for (let h = 0; h < nHost; h++) {
    const lh = layerOfZ(s.hostPositions[3 * h + 2]);
    for (let k = 0; k < nHost; k++) {
      if (k !== h && dist(s.box, s.hostPositions, h, s.hostPositions, k) < CUT + MARGIN - 1e-9) assert.equal(layerOfZ(s.hostPositions[3 * k + 2]), lh);
    }
    for (let o = 0; o < nSites; o++) {
      if (dist(s.box, s.hostPositions, h, s.sitePositions, o) < CUT + MARGIN - 1e-9) assert.equal(o % s.nLayers, lh);
    }
  }
});

test('what each difficulty promises: easy separates by species, subtle shares S/Cl, ambiguous has one identical pair', () => {
  const shells = (d: (typeof DIFFICULTIES)[number]) => generateInterphase({ difficulty: d, repeats: [2, 2], frames: 1 }).truth;
  const easy = shells('easy');
  const species = easy.types.slice(1).map((t) => Object.keys(t.shellSignature.composition));
  assert.ok(species.every((x) => x.length === 1) && new Set(species.flat()).size === 5);
  assert.deepEqual(easy.indistinguishableGroups, []);

  const subtle = shells('subtle');
  assert.deepEqual(subtle.types[0].shellSignature.composition, {}, 'the Li-metal-like type has only Li around it');
  for (const t of subtle.types) {
    assert.equal(t.shellSignature.liPartnersWithinCutoff, 2, 'two cluster partners, always there');
    assert.equal(t.shellSignature.liSitesWithinCutoff, 0, 'no Li that comes and goes');
  }
  const dense = generateInterphase({ layout: 'dense', repeats: [2, 2], frames: 1 }).truth;
  for (const t of dense.types) {
    assert.equal(t.shellSignature.liPartnersWithinCutoff, 0);
    assert.equal(t.shellSignature.liSitesWithinCutoff, 4, 'dense: four in-plane sites, occupied or not');
  }
  for (const t of subtle.types) for (const el of Object.keys(t.shellSignature.composition)) assert.ok(el === 'S' || el === 'Cl');
  const cn = new Set(subtle.types.slice(1).map((t) => t.shellSignature.coordinationNumber));
  assert.ok(cn.has(3) && cn.has(4), 'coordination numbers differ');
  const tet = subtle.types.find((t) => t.shell === 'S4-tetrahedral'), sq = subtle.types.find((t) => t.shell === 'S4-square-planar');
  assert.ok(tet && sq);
  assert.deepEqual(tet.shellSignature.composition, sq.shellSignature.composition);
  assert.ok(Math.abs(Math.max(...sq.shellSignature.anglesDeg) - 180) < 1e-9 && Math.max(...tet.shellSignature.anglesDeg) < 160, 'geometry differs');
  const compositions = subtle.types.slice(1).map((t) => JSON.stringify(t.shellSignature.composition));
  assert.ok(compositions.includes('{"S":4}') && compositions.includes('{"Cl":1,"S":3}') && compositions.includes('{"Cl":2,"S":2}'));
  assert.deepEqual(subtle.indistinguishableGroups, []);

  const amb = shells('ambiguous');
  assert.deepEqual(amb.indistinguishableGroups, [[1, 5]]);
  const rounded = (x: object): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? +v.toFixed(9) : v));
  assert.equal(rounded(amb.types[1].shellSignature), rounded(amb.types[5].shellSignature));
  assert.notEqual(amb.types[1].escapeRatePerPs, amb.types[5].escapeRatePerPs, 'kinetically distinct');

  // remote: X1 and Y1 have the same 4 Å shell, and differ only by the element 3.45 Å beyond one shell anion
  const remote = generateInterphase({ difficulty: 'remote', repeats: [2, 2], frames: 1 });
  const rt = remote.truth;
  assert.equal(rounded(rt.types[1].shellSignature), rounded(rt.types[5].shellSignature));
  assert.deepEqual(rt.indistinguishableGroups, [], 'told apart beyond the shell, so not indistinguishable');
  const s = remote.structure;
  // host atoms 4.7–4.8 Å from a site (neighbouring layers are ≥ 4.5 Å away, but their atoms are in no shell of it)
  const beyond = (layer: number): string[] => {
    const out: string[] = [];
    const site = layer; // column 0
    for (let h = 0; h < s.hostSpecies.length; h++) {
      const d = dist(s.box, s.sitePositions, site, s.hostPositions, h);
      if (d > 4.7 && d < 4.8) out.push(`${symbolOf(s.hostSpecies[h])}@${d.toFixed(2)}`);
    }
    return out.sort();
  };
  const layerOf = (t: number): number => Array.from(s.layerType).indexOf(t);
  assert.deepEqual(beyond(layerOf(1)), ['S@4.75'], 'one S 4.75 Å from an S4-tet+S site');
  assert.deepEqual(beyond(layerOf(5)), ['Cl@4.75'], 'one Cl 4.75 Å from an S4-tet+Cl site');
});

test('layer spacing is the smallest that keeps foreign atoms 4.5 Å away, rounded up to 0.01 Å', () => {
  const a = 3.5, r = CUT + MARGIN;
  const metal = BUILTIN_SHELLS['Li-metal'], tet = BUILTIN_SHELLS['S4-tetrahedral'], sq = BUILTIN_SHELLS['S4-square-planar'];
  const h = tet.heightAngstrom;
  // metal site below a tetrahedral layer: the lower anions (h below, a/√2 to the side) set the gap
  assert.equal(layerGap(metal, tet, a, r), Math.ceil((h + Math.sqrt(r * r - (a * a) / 2)) * 100) / 100);
  // a tetrahedral layer below a square-planar one: anions stacked on the same plaquette set it (h + 4.5)
  assert.equal(layerGap(tet, sq, a, r), Math.ceil((h + r) * 100 - 1e-9) / 100);
  // two metal layers: only sites of other columns (a to the side) matter, so sqrt(r² − a²)
  assert.equal(layerGap(metal, metal, a, r), Math.ceil(Math.sqrt(r * r - a * a) * 100) / 100);
});
