import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { adamStep, createAdam } from './adam.ts';

test('Adam: the first step moves every parameter by lr against the sign of its gradient; later steps follow the moments', () => {
  const p = Float32Array.of(1, -2, 0.5);
  const s = createAdam(3);
  // bias-corrected m/√v = g/|g| on the first step, whatever the scale of g
  adamStep(s, p, Float64Array.of(3, -1e-3, 0), 0.1);
  assert.ok(Math.abs(p[0] - 0.9) < 1e-6 && Math.abs(p[1] + 1.9) < 2e-5 && p[2] === 0.5); // ε = 1e-8 matters at |g| = 1e-3
  // second step with the same gradient: m̂ = g, v̂ = g², so the move is again lr (ε aside)
  adamStep(s, p, Float64Array.of(3, -1e-3, 0), 0.1);
  assert.ok(Math.abs(p[0] - 0.8) < 1e-6 && Math.abs(p[1] + 1.8) < 4e-5);
  // a gradient that flips sign on step 3: both moments written out from their definitions
  const b1 = 0.9, b2 = 0.999;
  const m = (1 - b1) * 3 * b1 * b1 + (1 - b1) * 3 * b1 + (1 - b1) * -3;
  const v = (1 - b2) * 9 * (b2 * b2 + b2 + 1);
  const expected = 0.8 - (0.1 * (m / (1 - b1 ** 3))) / (Math.sqrt(v / (1 - b2 ** 3)) + 1e-8);
  adamStep(s, p, Float64Array.of(-3, 0, 0), 0.1);
  assert.ok(Math.abs(p[0] - expected) < 1e-6, `${p[0]} vs ${expected}`);
  assert.equal(s.step, 3);
});
