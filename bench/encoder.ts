/**
 * Encoder benchmark (issue 5): training and embedding throughput of getsei's GAT encoder against the same model in
 * PyTorch on the CPU (bench/encoder_ref.py), measured in the same run on the same graphs, with the same batch size
 * (256 graphs; two views per graph in training, counted once), the same thread count and the same initial weights.
 * The graphs are synthetic with the sizes of the real Li6PS5Cl graphs (mean 14 nodes, 36 directed edges). The
 * reference is also checked to reproduce getsei's embeddings from the same weights (so both run the same model).
 * The machine is shared, so the measurement alternates between getsei and PyTorch for several rounds and reports
 * the best round of each (the one least disturbed by other load), with every round's numbers below the table.
 * Run: node --import tsx bench/encoder.ts [--threads 2] [--hidden 16] [--steps 30] [--embed-graphs 30000] [--rounds 3]
 * Needs /usr/bin/python3 with Debian's python3-torch and python3-numpy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEncoder, DEFAULT_ENCODER_CONFIG, embed, saveEncoder, trainEncoder } from '../src/contrastive/index.ts';
import { createSyntheticSource } from '../src/contrastive/testing.ts';
import { encodeNpy } from '../src/util/npy.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg('threads', 2), hidden = arg('hidden', DEFAULT_ENCODER_CONFIG.hiddenPerHead);
const steps = arg('steps', 30), embedGraphs = arg('embed-graphs', 30000), rounds = arg('rounds', 3), warm = 3;
const B = 256, count = 40 * B;
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'getsei-bench-enc-'));

const source = createSyntheticSource({ count, seed: 1 });
const all = Int32Array.from({ length: count }, (_, i) => i);
const whole = source.batch(all);
const edgeStart = new Int32Array(count + 1);
for (let e = 0; e < whole.edgeSrc.length; e++) edgeStart[whole.nodeGraph[whole.edgeSrc[e]] + 1]++;
for (let g = 0; g < count; g++) edgeStart[g + 1] += edgeStart[g];
writeFileSync(join(work, 'x.npy'), encodeNpy(whole.x, [whole.nNodes, whole.nFeatures]));
writeFileSync(join(work, 'edge_src.npy'), encodeNpy(whole.edgeSrc, [whole.edgeSrc.length]));
writeFileSync(join(work, 'edge_dst.npy'), encodeNpy(whole.edgeDst, [whole.edgeDst.length]));
writeFileSync(join(work, 'node_start.npy'), encodeNpy(whole.graphNodeStart, [count + 1]));
writeFileSync(join(work, 'edge_start.npy'), encodeNpy(edgeStart, [count + 1]));

const config = { nFeatures: source.nFeatures, hiddenPerHead: hidden };
const initial = createEncoder(config, 0);
await saveEncoder(join(work, 'encoder'), initial, {
  featureNames: Array.from({ length: source.nFeatures }, (_, i) => `f${i}`),
  standardization: { mean: [], std: [] },
});
const reference = await embed(initial, source, { threads: 1, indices: all.subarray(0, B) });
writeFileSync(join(work, 'embeddings.npy'), encodeNpy(reference, [B, initial.config.embeddingDim]));

/** getsei's training and embedding throughput (graphs/s), thread start-up excluded as PyTorch's warm-up is. */
async function measureGetsei(): Promise<{ train: number; embed: number }> {
  const stamps: number[] = [];
  await trainEncoder(source, all, {
    threads, batchSize: B, maxSteps: warm + steps, epochs: 1000, patience: 1000, config: { hiddenPerHead: hidden },
    onProgress: () => stamps.push(performance.now()),
  });
  const train = (steps * B) / ((stamps[warm + steps - 1] - stamps[warm - 1]) / 1000);
  const indices = Int32Array.from({ length: embedGraphs }, (_, i) => i % count);
  let tFirst = 0, firstDone = 0;
  await embed(initial, source, {
    threads, batchSize: B, indices,
    onProgress: (done) => {
      if (done === 2 * threads * B) {
        tFirst = performance.now();
        firstDone = done;
      }
    },
  });
  return { train, embed: (embedGraphs - firstDone) / ((performance.now() - tFirst) / 1000) };
}

interface PyResult { torch: string; maxAbsDiff: number; trainGraphsPerSecond: number; embedGraphsPerSecond: number }
function measurePytorch(): PyResult {
  return JSON.parse(execFileSync('/usr/bin/python3', [
    join(root, 'bench/encoder_ref.py'), work, String(threads), String(steps), String(embedGraphs),
  ], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as PyResult;
}

const ours: { train: number; embed: number }[] = [], theirs: PyResult[] = [];
for (let r = 0; r < rounds; r++) {
  ours.push(await measureGetsei());
  theirs.push(measurePytorch());
}
rmSync(work, { recursive: true, force: true });
const py = theirs[0];
const best = (xs: number[]): number => Math.max(...xs);
const trainRate = best(ours.map((o) => o.train)), embedRate = best(ours.map((o) => o.embed));
const pyTrain = best(theirs.map((p) => p.trainGraphsPerSecond)), pyEmbed = best(theirs.map((p) => p.embedGraphsPerSecond));

const meanNodes = whole.nNodes / count, meanEdges = whole.edgeSrc.length / count;
console.log(`GAT encoder, ${config.hiddenPerHead ?? hidden} features/head × 4 heads × 2 layers → 32-d; batch ${B} graphs; ` +
  `${threads} threads; graphs: ${meanNodes.toFixed(1)} nodes, ${meanEdges.toFixed(1)} directed edges on average`);
console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores (shared); Node ${process.version}; PyTorch ${py.torch}`);
console.log(`PyTorch reproduces getsei's embeddings from the same weights: max |Δ| = ${py.maxAbsDiff.toExponential(2)}`);
console.log(`timings: ${steps} training steps after ${warm} warm-up steps; ${embedGraphs} graphs embedded`);
console.log('');
console.log('| task | getsei graphs/s | PyTorch graphs/s | ratio | floor |');
console.log('|---|---|---|---|---|');
const row = (task: string, ours: number, theirs: number, floor: number): void =>
  console.log(`| ${task} | ${ours.toFixed(0)} | ${theirs.toFixed(0)} | ${(ours / theirs).toFixed(2)}× | ${floor.toFixed(1)}× |`);
row('train (2 views, Adam step)', trainRate, pyTrain, 0.7);
row('embed (no augmentation)', embedRate, pyEmbed, 1.0);
console.log('');
console.log(`best of ${rounds} alternating rounds; every round (getsei / PyTorch, graphs/s):`);
ours.forEach((o, r) => console.log(`  round ${r + 1}: train ${o.train.toFixed(0)} / ${theirs[r].trainGraphsPerSecond.toFixed(0)}, ` +
  `embed ${o.embed.toFixed(0)} / ${theirs[r].embedGraphsPerSecond.toFixed(0)}`));
