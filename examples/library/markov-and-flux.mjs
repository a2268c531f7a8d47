// getsei as a library (docs/api.md): read a trajectory, fit a Markov model to discrete states, and compute the
// reactive flux between two of them. Run after `npm run build` (or from an installed package):
//   node examples/library/markov-and-flux.mjs [TRAJECTORY]
import { fileURLToPath } from 'node:url';
import { fitMarkovModel, reactiveFlux, readTrajectory } from 'getsei';

// 1. Trajectory input: frames stream one at a time; read the first three of the bundled XDATCAR.
const file = process.argv[2] ?? fileURLToPath(new URL('../Li6PS5Cl-50p-500K/run1.XDATCAR.gz', import.meta.url));
for await (const frame of readTrajectory([file], { stop: 3 })) {
  console.log(`frame ${frame.step}: ${frame.species.length} atoms, ${frame.file}`);
}

// 2. Discrete state trajectories (here a seeded three-state chain 0 ⇄ 1 ⇄ 2 with 1 short-lived), one row per Li.
const nTrajectories = 4, nFrames = 5000;
const K = [[0.95, 0.05, 0], [0.2, 0.6, 0.2], [0, 0.05, 0.95]];
let seed = 7;
const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const states = new Int16Array(nTrajectories * nFrames);
for (let t = 0; t < nTrajectories; t++) {
  let s = 0;
  for (let f = 0; f < nFrames; f++) {
    states[t * nFrames + f] = s;
    const u = uniform();
    s = u < K[s][0] ? 0 : u < K[s][0] + K[s][1] ? 1 : 2;
  }
}

// 3. The Markov model at lag 1 frame of 0.1 ps (eq. 8), then TPT from state 0 to state 2 (eq. 5).
const model = fitMarkovModel({ states, nTrajectories, nFrames }, { lag: 1, dtPs: 0.1 });
console.log('K =', Array.from(model.transitionMatrix, (x) => x.toFixed(3)).join(' '));
console.log('slowest implied timescale:', model.impliedTimescales[0].toFixed(2), model.timeUnit);
const flux = reactiveFlux(model, [0], [2]);
console.log(`rate 0 → 2: ${flux.rate.toExponential(3)} per ${flux.timeUnit}; committor of state 1: ${flux.forwardCommittor[1].toFixed(3)}`);
