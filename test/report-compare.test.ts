import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { comparedMetrics } from '../src/report/compare.ts';
import { makeFixtureReportInput } from '../src/report/fixture.ts';
import type { ReportInput } from '../src/report/types.ts';

/** The same run with times in frames (no dt): what `getsei run` writes for a file without frame times. */
function inFrames(input: ReportInput): ReportInput {
  const k = input.kinetics!;
  return {
    ...input,
    kinetics: { ...k, timeUnit: 'frames', dt: null, lag: k.lag / k.dt! },
    paths: input.paths && { ...input.paths, timeUnit: 'frames' },
  };
}

test('compare: a frame-unit run is not labelled ps; same units keep the unit in the row label', () => {
  const ps = { name: 'A', input: makeFixtureReportInput({ seed: 1 }) };
  const frames = { name: 'B', input: inFrames(makeFixtureReportInput({ seed: 2 })) };
  const mixed = comparedMetrics([ps, frames]);
  const lag = mixed.find((m) => m.label.startsWith('lag time'))!;
  assert.equal(lag.label, 'lag time τ');
  assert.match(lag.cells[0].text, / ps$/);
  assert.match(lag.cells[1].text, / frames$/);
  const rate = mixed.find((m) => m.label.startsWith('rate A → B'))!;
  assert.match(rate.cells[0].text, / ps⁻¹$/);
  assert.match(rate.cells[1].text, / frame⁻¹$/);
  // a unit-free metric with a parenthesis in its label is untouched
  assert.ok(mixed.some((m) => m.label === 'pathway entropy (nats)'));
  const same = comparedMetrics([ps, { name: 'C', input: makeFixtureReportInput({ seed: 3 }) }]);
  assert.ok(same.some((m) => m.label === 'lag time τ (ps)'));
});
