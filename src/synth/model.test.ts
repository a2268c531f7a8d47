import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { GetseiError } from '../util/errors.ts';
import { lumpToTypes, siteKinetics, BOLTZMANN_EV_PER_K } from './kinetics.ts';
import {
  BUILTIN_SHELLS, DIFFICULTIES, parseBarrierList, parseEnergyList, parseModelJson, presetModel, resolveModel, withOverrides,
  type KineticModelSpec,
} from './model.ts';

const three: KineticModelSpec = {
  types: [
    { name: 'A', shell: 'Li-metal', energyEv: 0 },
    { name: 'B', shell: 'S4-tetrahedral', energyEv: 0.05 },
    { name: 'C', shell: 'Cl4-tetrahedral', energyEv: 0.1 },
  ],
  barriers: [
    { between: ['A', 'B'], saddleEv: 0.3 },
    { between: ['B', 'C'], saddleEv: 0.3 },
    { between: ['C', 'A'], saddleEv: 0.4 },
  ],
};

test('the three presets resolve to six types on a ring, with the same kinetics', () => {
  for (const d of DIFFICULTIES) {
    const m = resolveModel(presetModel(d));
    assert.equal(m.types.length, 6);
    assert.deepEqual(Array.from(m.stacking), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(m.types.map((t) => t.energyEv), resolveModel(presetModel('subtle')).types.map((t) => t.energyEv));
    assert.deepEqual(Array.from(m.saddleEv), Array.from(resolveModel(presetModel('subtle')).saddleEv));
  }
  const easy = resolveModel(presetModel('easy'));
  const anionSets = easy.types.slice(1).map((t) => [...new Set(t.shell.anions.map((x) => x.species))]);
  assert.ok(anionSets.every((s) => s.length === 1), 'easy: one anion species per type');
  assert.equal(new Set(anionSets.map((s) => s[0])).size, 5, 'easy: a different species for every type');
  const amb = resolveModel(presetModel('ambiguous'));
  assert.equal(amb.types[1].shellName, amb.types[5].shellName);
  assert.equal(amb.types[1].energyEv, amb.types[5].energyEv);
});

test('site rates follow ν·exp(−(saddle − E_from)/kT) and satisfy detailed balance', () => {
  const m = resolveModel(three);
  const T = 400, kT = BOLTZMANN_EV_PER_K * T;
  const s = siteKinetics(m, T);
  assert.ok(Math.abs(s.upPerPs[0] - 10 * Math.exp(-0.3 / kT)) < 1e-15);
  assert.ok(Math.abs(s.downPerPs[0] - 10 * Math.exp(-0.4 / kT)) < 1e-15); // layer 0 (A) down to layer 2 (C), periodic
  for (let l = 0; l < 3; l++) {
    const up = (l + 1) % 3;
    const forward = s.sitePopulation[l] * s.upPerPs[l], backward = s.sitePopulation[up] * s.downPerPs[up];
    assert.ok(Math.abs(forward - backward) < 1e-12 * forward);
  }
  const k = lumpToTypes(m, s);
  assert.ok(Math.abs(k.generator[0 * 3 + 1] - s.upPerPs[0]) < 1e-18);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(k.generator.subarray(3 * i, 3 * i + 3).reduce((a, b) => a + b, 0)) < 1e-15);
});

test('a mirror-symmetric stacking lumps exactly; one whose layers of a type have different neighbours is refused', () => {
  const chain: KineticModelSpec = { ...three, stacking: ['A', 'B', 'C', 'B'], barriers: three.barriers.slice(0, 2) };
  const m = resolveModel(chain);
  const s = siteKinetics(m, 500);
  const k = lumpToTypes(m, s);
  assert.deepEqual(Array.from(k.sitesPerColumn), [1, 2, 1]);
  // B sites (layers 1 and 3) each hop to A once and to C once: Q_BA equals the single-site rate
  assert.ok(Math.abs(k.generator[1 * 3 + 0] - s.downPerPs[1]) < 1e-18);
  assert.ok(Math.abs(k.generator[0 * 3 + 1] - (s.upPerPs[0] + s.downPerPs[0])) < 1e-18, 'A has two B neighbours');
  assert.equal(k.generator[0 * 3 + 2], 0);
  const broken: KineticModelSpec = { ...three, stacking: ['A', 'A', 'B', 'C'], barriers: [...three.barriers, { between: ['A', 'A'], saddleEv: 0.2 }] };
  const mb = resolveModel(broken);
  assert.throws(() => lumpToTypes(mb, siteKinetics(mb, 500)), (e: unknown) => e instanceof GetseiError && /not lumpable/.test(e.message));
});

test('model errors say what is wrong', () => {
  const cases: Array<[KineticModelSpec, RegExp]> = [
    [{ ...three, types: three.types.slice(0, 1) }, /at least 2 site types/],
    [{ ...three, types: [...three.types, { ...three.types[0] }] }, /defined twice/],
    [{ ...three, types: [{ ...three.types[0], shell: 'nope' }, ...three.types.slice(1)] }, /unknown shell "nope"/],
    [{ ...three, types: [{ ...three.types[0], name: 'a b' }, ...three.types.slice(1)] }, /may only contain/],
    [{ ...three, stacking: ['A', 'B'] }, /at least 3 layers/],
    [{ ...three, stacking: ['A', 'B', 'X'] }, /unknown type "X"/],
    [{ ...three, stacking: ['A', 'B', 'A', 'B'] }, /"C" has no layer/],
    [{ ...three, barriers: three.barriers.slice(0, 2) }, /no barrier between them/],
    [{ ...three, barriers: [...three.barriers, { between: ['B', 'A'], saddleEv: 0.5 }] }, /given twice/],
    [{ ...three, barriers: [{ between: ['A', 'B'], saddleEv: 0.01 }, ...three.barriers.slice(1)] }, /lies below a site energy/],
    [{ ...three, stacking: ['A', 'B', 'C', 'B'] }, /no layers of them touch/],
    [{ ...three, attemptFrequencyPerPs: 0 }, /attemptFrequencyPerPs/],
    [{ ...three, latticeSpacingAngstrom: 1 }, /latticeSpacingAngstrom/],
    [{ ...three, shells: { bad: { description: '', heightAngstrom: 0.7, anions: [{ species: 'Xx', corner: 'NE', level: 'above' }] } },
      types: [{ ...three.types[0], shell: 'bad' }, ...three.types.slice(1)] }, /unknown element "Xx"/],
    [{ ...three, shells: { bad: { description: '', heightAngstrom: 0.7, anions: [{ species: 'Li', corner: 'NE', level: 'above' }] } },
      types: [{ ...three.types[0], shell: 'bad' }, ...three.types.slice(1)] }, /may not contain Li/],
    [{ ...three, shells: { bad: { description: '', heightAngstrom: 0.7, anions: [
      { species: 'S', corner: 'NE', level: 'above' }, { species: 'Cl', corner: 'NE', level: 'above' }] } },
      types: [{ ...three.types[0], shell: 'bad' }, ...three.types.slice(1)] }, /two anions at corner NE/],
  ];
  for (const [spec, re] of cases) {
    assert.throws(() => resolveModel(spec, 'm.json'), (e: unknown) => e instanceof GetseiError && /^m\.json: /.test(e.message) && re.test(e.message), String(re));
  }
});

test('model JSON: parsed with defaults, and bad files named in the error', () => {
  const text = JSON.stringify({
    ...three,
    shells: { 'my-shell': { anions: [{ species: 'O', corner: 'NE', level: 'plane' }] } },
    types: [{ name: 'A', shell: 'my-shell', energyEv: 0 }, ...three.types.slice(1)],
  });
  const spec = parseModelJson(text, 'model.json');
  assert.equal(spec.shells?.['my-shell'].heightAngstrom, 0.7);
  assert.equal(resolveModel(spec).types[0].shell.anions[0].species, 'O');
  assert.throws(() => parseModelJson('{', 'model.json'), /^GetseiError: model\.json: not valid JSON/);
  assert.throws(() => parseModelJson('{"types": [], "barriers": [], "extra": 1}', 'model.json'), /model\.json: invalid model/);
  assert.throws(() => parseModelJson('{"types": [{"name": "A", "shell": "x", "energyEv": "0"}], "barriers": []}', 'model.json'),
    /model\.json: invalid model at types\.0\.energyEv/);
});

test('energy and barrier lists: parsed, checked against the model, and refused when malformed', () => {
  assert.deepEqual([...parseEnergyList('metal=0, S4-tet=0.05')], [['metal', 0], ['S4-tet', 0.05]]);
  assert.deepEqual(parseBarrierList('metal:S4-tet=0.3'), [{ between: ['metal', 'S4-tet'], saddleEv: 0.3 }]);
  assert.throws(() => parseEnergyList('metal'), /--energies: "metal" is not NAME=eV/);
  assert.throws(() => parseEnergyList('metal=x'), /is not NAME=eV/);
  assert.throws(() => parseBarrierList('metal-S4=0.3'), /--barriers: "metal-S4=0.3" is not A:B=eV/);
  const preset = presetModel('subtle');
  const changed = withOverrides(preset, new Map([['metal', -0.02]]), parseBarrierList('S4-tet:metal=0.5'));
  assert.equal(changed.types[0].energyEv, -0.02);
  assert.equal(changed.barriers.find((b) => b.between.includes('S4-tet') && b.between.includes('metal'))?.saddleEv, 0.5);
  assert.throws(() => withOverrides(preset, new Map([['nope', 0]]), []), /--energies names unknown type "nope"/);
  assert.throws(() => withOverrides(preset, new Map(), parseBarrierList('metal:S4-sq=0.3')), /no hop between "metal" and "S4-sq"/);
});

test('every built-in shell uses each corner and level at most once', () => {
  for (const [name, shell] of Object.entries(BUILTIN_SHELLS)) {
    const keys = shell.anions.map((x) => `${x.corner}/${x.level}`);
    assert.equal(new Set(keys).size, keys.length, name);
    assert.ok(shell.description.length > 0, name);
  }
});
