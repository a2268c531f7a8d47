import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { countTransitions } from '../markov/index.ts';
import { GetseiError } from '../util/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { decodeNpy, encodeNpy } from '../util/npy.ts';
import { NpyFileWriter, npyFileInfo, readFloat32Rows } from '../util/npy-file.ts';
import type { Config } from './config.ts';
import type { FrameStoreIndex } from './frame-store.ts';
import { acquireRunLock } from './lock.ts';
import { hashJson, readManifest, type Manifest } from './manifest.ts';
import { loadModel } from './model.ts';
import { encoderStageConfig, modelKeyOf, runPipeline, type RunReporter, type RunResult } from './run.ts';
import { readShardRecord, shardTransitionCounts, type ShardRecord } from './shard.ts';
import { isUpToDate, runStage, stageOutputHash } from './stage.ts';
import { runEncoderStage } from './stage-encoder.ts';

/**
 * `getsei merge SHARD… -o RUN` (docs/cluster.md). The shards are folders of `getsei run FILES --shard i/N`, each
 * holding its block of frames (and, once embedded, of embeddings). Merging never copies frames: RUN/frames/index.json
 * lists the shards' stored chunks in frame order, so every later stage reads the shards as one run.
 *  - shards featurised only: train the encoder on RUN (the same seeded 20 % of all frames an unsharded run draws)
 *    and stop; embed each shard with `--encoder RUN/encoder`, then merge again;
 *  - shards embedded: join the embeddings into RUN/embeddings.npy and run states → kinetics → paths → report on RUN,
 *    fitting the states (or assigning with --model). An unsharded run with the same settings gives the same bytes.
 * RUN/merge.json records the shards, the per-shard transition counts at the model lag with their lag overlap
 * (summed, they equal the merged run's counts; checked) and, when the shards assigned states themselves (--model),
 * that their states concatenate to the merged ones (checked).
 */
export interface MergeRequest {
  readonly shards: readonly string[];
  readonly run: string;
  readonly config: Config;
  readonly modelPath?: string;
  readonly reporter?: RunReporter;
  /** recorded for the stages the merged run goes on to run (RunRequest.command) */
  readonly command?: string;
}

export interface MergeResult {
  /** 'trained': the encoder was trained and the shards must now be embedded; 'merged': the pipeline ran to the end */
  readonly outcome: 'trained' | 'merged';
  readonly shards: number;
  readonly nFrames: number;
  readonly pipeline?: RunResult;
  readonly merge?: MergeJson;
}

export interface MergeJson {
  format: 'getsei-merge/1';
  shards: { dir: string; shard: number; firstFrame: number; nFrames: number; transitionCounts: number[][] }[];
  lagFrames: number;
  nStates: number;
  /** Σ shard counts (pairs (t, t + τ) with t in the shard's block) = counts of the merged states: checked */
  countsAdd: true;
  /** the shards assigned their own states (--model) and those concatenate to RUN/states.npy: checked; null when they did not */
  shardStatesConcatenate: true | null;
}

interface LoadedShard {
  dir: string;
  record: ShardRecord;
  manifest: Manifest;
  index: FrameStoreIndex;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const withoutShard = (c: unknown): unknown => {
  const { shard: _shard, ...rest } = (c ?? {}) as Record<string, unknown>;
  void _shard;
  return rest;
};

/** Read and check the shard folders: one of each 0..N−1 of one input, featurised alike, blocks back to back. */
async function loadShards(dirs: readonly string[]): Promise<LoadedShard[]> {
  if (dirs.length === 0) throw new GetseiError('merge needs the shard folders, e.g. `getsei merge run/shards/* -o run`');
  const shards: LoadedShard[] = [];
  for (const dir of dirs.map((d) => resolve(d))) {
    const record = await readShardRecord(dir);
    const manifest = await readManifest(dir);
    if (record === undefined || manifest?.stages.featurize?.status !== 'done') {
      throw new GetseiError(`${dir} is not a featurised shard (no shard.json): make it with \`getsei run FILES -o ${dir} --shard i/N\``);
    }
    const index = JSON.parse(await readFile(join(dir, 'frames', 'index.json'), 'utf8')) as FrameStoreIndex;
    shards.push({ dir, record, manifest, index });
  }
  shards.sort((a, b) => a.record.shard - b.record.shard);
  const N = shards[0].record.of;
  const first = shards[0];
  const have = shards.map((s) => s.record.shard);
  const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !have.includes(i));
  if (shards.some((s) => s.record.of !== N) || shards.length !== N || missing.length > 0) {
    throw new GetseiError(`merge needs every shard 0..${N - 1} of one split exactly once; got shards ${shards.map((s) => `${s.record.shard}/${s.record.of}`).join(', ')}${missing.length ? ` (missing ${missing.join(', ')})` : ''}`);
  }
  let next = 0;
  for (const s of shards) {
    const where = `${s.dir} (shard ${s.record.shard}/${N})`;
    if (JSON.stringify(s.manifest.inputs.map((i) => i.sha256)) !== JSON.stringify(first.manifest.inputs.map((i) => i.sha256))) {
      throw new GetseiError(`${where} was made from other input files than ${first.dir}; shards of one run share their inputs`);
    }
    if (hashJson(withoutShard(s.manifest.config.featurize)) !== hashJson(withoutShard(first.manifest.config.featurize))) {
      throw new GetseiError(`${where} was featurised with other settings than ${first.dir} (frame selection, shell or graph radius); featurise every shard alike`);
    }
    if (s.record.firstFrame !== next || s.record.totalFrames !== first.record.totalFrames || s.index.nFrames !== s.record.nFrames) {
      throw new GetseiError(`${where} holds frames ${s.record.firstFrame}..${s.record.firstFrame + s.record.nFrames - 1}, expected to start at ${next}; featurise the shards again`);
    }
    next += s.record.nFrames;
  }
  return shards;
}

/** Join the shards' frames (by reference) and segments into RUN, recorded as RUN's featurize stage. */
async function joinFrames(run: string, shards: LoadedShard[]): Promise<void> {
  const first = shards[0];
  const inputHash = hashJson(shards.map((s) => [s.dir, s.record.firstFrame, stageOutputHash(s.manifest, 'featurize')]));
  const featurizeConfig = withoutShard(first.manifest.config.featurize);
  const existing = await readManifest(run);
  if (existing && isUpToDate(existing, 'featurize', inputHash, featurizeConfig) && existsSync(join(run, 'frames', 'index.json'))) return;
  if (existsSync(join(run, 'frames', 'index.json'))) {
    const old = JSON.parse(await readFile(join(run, 'frames', 'index.json'), 'utf8')) as FrameStoreIndex & { mergedFrom?: string[] };
    if (old.mergedFrom === undefined) throw new GetseiError(`${run} already holds frames of its own (not a merge of shards); merge into a new folder`);
  }
  await referenceFrames(run, shards.map((s) => ({ dir: s.dir, firstFrame: s.record.firstFrame, manifest: s.manifest, index: s.index })), first.record.totalFrames,
    { inputHash, config: featurizeConfig }, { mergedFrom: shards.map((s) => relative(run, s.dir)) });
}

/** A featurised folder whose stored frames another run folder references, from global frame `firstFrame` on. */
export interface FrameSource {
  readonly dir: string;
  readonly firstFrame: number;
  readonly manifest: Manifest;
  readonly index: FrameStoreIndex;
}

/**
 * Make RUN a featurised run whose frames are those of the sources, back to back, by reference (RUN/frames/index.json
 * names their chunks by relative path; nothing is copied), recorded as RUN's featurize stage with the first source's
 * inputs and frame interval. `note` goes into the index (where the frames came from).
 */
export async function referenceFrames(
  run: string, sources: readonly FrameSource[], nFrames: number, keys: { inputHash: string; config: unknown }, note: Record<string, unknown>,
): Promise<void> {
  const first = sources[0];
  const framesDir = join(run, 'frames');
  const chunks: FrameStoreIndex['chunks'] = [];
  for (const s of sources) {
    for (const c of s.index.chunks) chunks.push({ name: relative(framesDir, join(s.dir, 'frames', c.name)), start: s.firstFrame + c.start, count: c.count });
  }
  const { format: _f, nFrames: _n, chunks: _c, ...header } = first.index;
  void _f; void _n; void _c;
  const segments = new Int32Array(nFrames);
  for (const s of sources) segments.set(decodeNpy(await readFile(join(s.dir, 'segments.npy'))).data as Int32Array, s.firstFrame);
  await runStage(run, 'featurize', keys, async (manifest) => {
    await writeJsonAtomic(join(framesDir, 'index.json'), { format: 'getsei-frames/1', nFrames, chunks, ...header, ...note });
    await writeFileAtomic(join(run, 'segments.npy'), encodeNpy(segments, [nFrames]));
    manifest.inputs = first.manifest.inputs;
    manifest.dtPs = first.manifest.dtPs;
    manifest.nFrames = nFrames;
    manifest.nLi = first.index.li.length;
  });
}

/** Join the shards' embeddings (rows in frame order) into RUN/embeddings.npy and graphs.npy; record the encoder stage. */
async function joinEmbeddings(run: string, shards: LoadedShard[], config: Config, modelPath: string | undefined): Promise<void> {
  const model = modelPath === undefined ? undefined : await loadModel(modelPath);
  const encoderDir = model?.encoderDir ?? join(run, 'encoder');
  if (!existsSync(join(encoderDir, 'model.safetensors'))) {
    throw new GetseiError(`${run}/encoder is missing: merge the featurised shards first (it trains the encoder), then embed them with --encoder ${run}/encoder`);
  }
  const weights = await sha256File(join(encoderDir, 'model.safetensors'));
  for (const s of shards) {
    if (await sha256File(join(s.dir, 'encoder', 'model.safetensors')) !== weights) {
      throw new GetseiError(`${s.dir} was embedded with another encoder than ${encoderDir}; embed every shard with --encoder ${encoderDir}${modelPath ? '' : ' (or --model)'}`);
    }
  }
  const manifest = (await readManifest(run)) as Manifest;
  const modelKey = model === undefined ? undefined : modelKeyOf(model.manifest.files);
  const stageConfig = encoderStageConfig(config, model?.encoderDir, modelKey);
  const inputHash = stageOutputHash(manifest, 'featurize');
  const shardsKey = hashJson(shards.map((s) => stageOutputHash(s.manifest, 'encoder')));
  const joined = (manifest.config.merge as { embeddings?: string } | undefined)?.embeddings;
  if (isUpToDate(manifest, 'encoder', inputHash, stageConfig) && joined === shardsKey && existsSync(join(run, 'embeddings.npy'))) return;
  const nLi = shards[0].index.li.length;
  const nFrames = shards[0].record.totalFrames;
  const D = (await npyFileInfo(join(shards[0].dir, 'embeddings.npy'))).shape[1];
  await runStage(run, 'encoder', { inputHash, config: stageConfig, seed: config.contrastive.seed }, async (m) => {
    if (model !== undefined) {
      await rm(join(run, 'encoder'), { recursive: true, force: true });
      await cp(model.encoderDir, join(run, 'encoder'), { recursive: true });
    }
    const writer = await NpyFileWriter.create(join(run, 'embeddings.npy'), new Float32Array(0), [nFrames * nLi, D]);
    try {
      for (const s of shards) {
        const path = join(s.dir, 'embeddings.npy');
        const info = await npyFileInfo(path);
        if (info.shape[0] !== s.record.nFrames * nLi || info.shape[1] !== D) throw new GetseiError(`${path} does not hold ${s.record.nFrames} frames × ${nLi} Li × ${D}; embed the shard again`);
        const step = 65536;
        for (let r = 0; r < info.shape[0]; r += step) await writer.append(await readFloat32Rows(path, r, Math.min(step, info.shape[0] - r), D, info.dataOffset));
      }
      await writer.finish();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    const li = shards[0].index.li;
    const graphs = new Int32Array(nFrames * nLi * 2);
    for (let g = 0; g < nFrames * nLi; g++) {
      graphs[2 * g] = Math.floor(g / nLi);
      graphs[2 * g + 1] = li[g % nLi];
    }
    await writeFileAtomic(join(run, 'graphs.npy'), encodeNpy(graphs, [nFrames * nLi, 2]));
    m.config.merge = { embeddings: shardsKey };
  });
}

/**
 * Per-shard transition counts at the merged model's lag (shard.ts: own block plus τ frames of overlap), checked to add
 * up to the merged counts; shards that assigned their own states are checked to concatenate to RUN/states.npy.
 */
async function checkShardStates(run: string, shards: LoadedShard[]): Promise<MergeJson> {
  const s = decodeNpy(await readFile(join(run, 'states.npy')));
  const [nLi, nFrames] = s.shape;
  const states = s.data as Int16Array;
  const segments = decodeNpy(await readFile(join(run, 'segments.npy'))).data as Int32Array;
  const kinetics = JSON.parse(await readFile(join(run, 'kinetics.json'), 'utf8')) as { lagFrames: number };
  const lag = kinetics.lagFrames;
  let K = 0;
  for (const v of states) K = Math.max(K, v + 1);
  const own = shards.every((sh) => existsSync(join(sh.dir, 'states.npy')));
  const shardStates = own ? await Promise.all(shards.map(async (sh) => decodeNpy(await readFile(join(sh.dir, 'states.npy'))).data as Int16Array)) : null;
  // state of Li c at global frame f, read from the shard that holds f (the lag overlap comes from the next shards)
  const stateAt = (c: number, f: number): number => {
    if (shardStates === null) return states[c * nFrames + f];
    let k = shards.length - 1;
    while (shards[k].record.firstFrame > f) k--;
    return shardStates[k][c * shards[k].record.nFrames + (f - shards[k].record.firstFrame)];
  };
  if (shardStates !== null) {
    for (let c = 0; c < nLi; c++) {
      for (let f = 0; f < nFrames; f++) {
        if (stateAt(c, f) !== states[c * nFrames + f]) {
          throw new GetseiError(`the states shard assigned to Li ${c} at frame ${f} differ from the merged run's; the shards were assigned with another model than the merge — assign them again with the same --model`);
        }
      }
    }
  }
  const total = new Float64Array(K * K);
  const rows: MergeJson['shards'] = [];
  for (const sh of shards) {
    const a = sh.record.firstFrame, b = Math.min(nFrames, a + sh.record.nFrames + lag);
    const W = b - a;
    const window = new Int16Array(nLi * W);
    for (let c = 0; c < nLi; c++) for (let t = 0; t < W; t++) window[c * W + t] = stateAt(c, a + t);
    const counts = shardTransitionCounts(window, nLi, segments.slice(a, b), lag, K);
    counts.forEach((v, i) => (total[i] += v));
    rows.push({
      dir: relative(run, sh.dir), shard: sh.record.shard, firstFrame: a, nFrames: sh.record.nFrames,
      transitionCounts: Array.from({ length: K }, (_, i) => Array.from(counts.subarray(i * K, (i + 1) * K))),
    });
  }
  const whole = countTransitions({ states, nTrajectories: nLi, nFrames }, lag, { nStates: K, segments }).counts;
  if (whole.some((v, i) => v !== total[i])) {
    throw new GetseiError(`internal check failed: the shards' transition counts at lag ${lag} do not add up to the merged run's counts`);
  }
  return { format: 'getsei-merge/1', shards: rows, lagFrames: lag, nStates: K, countsAdd: true, shardStatesConcatenate: own ? true : null };
}

export async function mergeShards(req: MergeRequest): Promise<MergeResult> {
  const run = resolve(req.run);
  const shards = await loadShards(req.shards);
  const embedded = shards.filter((s) => existsSync(join(s.dir, 'embeddings.npy')));
  if (embedded.length > 0 && embedded.length < shards.length) {
    const not = shards.filter((s) => !embedded.includes(s)).map((s) => s.dir);
    throw new GetseiError(`some shards are embedded and some not (${not.join(', ')}); embed every shard with --encoder ${run}/encoder before merging`);
  }
  await mkdir(run, { recursive: true });
  const release = await acquireRunLock(run);
  try {
    await joinFrames(run, shards);
    if (embedded.length === 0) {
      if (req.modelPath !== undefined) throw new GetseiError(`the shards are not embedded: run each with --model ${req.modelPath} first, then merge`);
      const manifest = (await readManifest(run)) as Manifest;
      const inputHash = stageOutputHash(manifest, 'featurize');
      const trainConfig = encoderStageConfig(req.config, undefined, undefined);
      if (!(isUpToDate(manifest, 'train', inputHash, trainConfig) && existsSync(join(run, 'encoder', 'model.safetensors')))) {
        req.reporter?.stageStart('encoder', undefined, `training the encoder on frames drawn across ${shards.length} shards`);
        const t0 = performance.now();
        const threads = req.config.run.threads > 0 ? req.config.run.threads : undefined;
        await runStage(run, 'train', { inputHash, config: trainConfig, seed: req.config.contrastive.seed }, () =>
          runEncoderStage(run, req.config, {
            threads, embed: false,
            onTrain: (p) => req.reporter?.stageTick('encoder', p.step, p.stepsTotal, `epoch ${p.epoch + 1}, loss ${p.loss.toFixed(3)}`),
          }),
        );
        req.reporter?.stageEnd('encoder', 'done', (performance.now() - t0) / 1000);
      }
      return { outcome: 'trained', shards: shards.length, nFrames: shards[0].record.totalFrames };
    }
    if (req.modelPath === undefined) {
      const manifest = (await readManifest(run)) as Manifest;
      if (!isUpToDate(manifest, 'train', stageOutputHash(manifest, 'featurize'), encoderStageConfig(req.config, undefined, undefined))) {
        throw new GetseiError(
          `${run}/encoder was not trained by merging these shards with these settings (contrastive.*, graph.*); ` +
            'merge the featurised shards again to train it (remove the shards\' embeddings.npy first), then embed them again',
        );
      }
    }
    await joinEmbeddings(run, shards, req.config, req.modelPath);
  } finally {
    await release();
  }
  const pipeline = await runPipeline({ run, files: [], config: req.config, modelPath: req.modelPath, reporter: req.reporter, command: req.command });
  const merge = await checkShardStates(run, shards);
  await writeJsonAtomic(join(run, 'merge.json'), merge);
  return { outcome: 'merged', shards: shards.length, nFrames: shards[0].record.totalFrames, pipeline, merge };
}
