import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readKineticQuality } from './kinetic-quality.ts';
import { reportHtml } from './report-page.ts';

const states = {
  projection: { method: 'tica', lagFrames: 5, dim: 3, inputDim: 32, timescalesFrames: [30.1, 12.2, 5.5], spectralGap: { processes: 2, states: 3, gap: 0.41, ratioToNextGap: 2 } },
  kineticComparison: {
    count: 3, lagFrames: 5, folds: 5, liSample: 20,
    rows: [
      { states: 'projected', method: 'tica', vamp2: 2.345, vamp2Std: 0.05, vampE: 2.2 },
      { states: 'paper', method: 'none', vamp2: 1.456, vamp2Std: 0.04, vampE: 1.4 },
    ],
  },
  scoreTable: [{ count: 2, vamp2: 1.7, vamp2Std: 0.1 }, { count: 3, vamp2: 2.345, vamp2Std: 0.05 }],
};
const kinetics = {
  activeSet: [0, 2],
  ckTest: { verdicts: { confidence: 0.95, perState: ['consistent', 'inconsistent'] } },
  pcca: { nSets: 2, rule: 'given', sets: [[0], [2]], crispness: 0.93, lumped: false },
  coreSets: { minDwellFrames: 3, fractionInCores: 0.712 },
};

test('readKineticQuality reads projection, VAMP comparison, CK verdicts by state id, PCCA+ and cores', () => {
  const problems: string[] = [];
  const q = readKineticQuality(states, kinetics, problems);
  assert.deepEqual(problems, []);
  assert.ok(q);
  assert.equal(q.projection?.dim, 3);
  assert.deepEqual(q.comparison?.rows.map((r) => r.states), ['projected', 'paper']);
  assert.deepEqual(q.vampByCount?.map((r) => r.count), [2, 3]);
  assert.deepEqual(q.ckVerdicts, [{ state: 0, verdict: 'consistent' }, { state: 2, verdict: 'inconsistent' }]);
  assert.deepEqual(q.pcca?.sets, [[0], [2]]);
  assert.equal(q.coreSets?.fractionInCores, 0.712);
  const html = reportHtml({ kineticQuality: q }, []);
  for (const text of ['Kinetic quality of the states', 'TICA space', '2 slow processes: 3 metastable states', '2.345', '1.456', 'inconsistent', 'crispness 0.93', '71.2 %']) {
    assert.ok(html.includes(text), `the page shows "${text}"`);
  }
});

test('readKineticQuality names a field of the wrong shape and leaves it out; nothing to say gives undefined', () => {
  const problems: string[] = [];
  const q = readKineticQuality({ kineticComparison: { count: 3, lagFrames: 5, rows: [{ states: 'other', vamp2: 1 }] } }, { activeSet: [0], ckTest: { verdicts: { perState: ['consistent', 'consistent'] } } }, problems);
  assert.equal(q, undefined);
  assert.deepEqual(problems, [
    'states.json: kineticComparison has an unexpected shape; left out of the report',
    'kinetics.json: ckTest.verdicts has an unexpected shape; left out of the report',
  ]);
  assert.equal(readKineticQuality({ projection: null }, { pcca: null, coreSets: null }, problems), undefined);
  const html = reportHtml({}, []);
  assert.ok(html.includes('id="kinetic-quality"') && html.includes('no projection, VAMP scores'));
});
