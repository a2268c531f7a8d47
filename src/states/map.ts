/**
 * The 2-D map of the embedding space (the paper's Fig. 2b): a seeded sample of labelled rows laid out by exact
 * t-SNE (default, as the paper) or UMAP (umap-js, driven by getsei's seeded random source), returned with the
 * rows and states of the sampled points so the report can colour them.
 */
import { UMAP } from 'umap-js';
import { GetseiError, createRng, sampleIndices } from '../util/index.ts';
import type { Labels } from './agreement.ts';
import { tsneWithDiagnostics, type TsneOptions } from './tsne.ts';
import { checkInteger, checkRows, gatherRows, type Rows } from './validate.ts';

export interface UmapOptions {
  /** default 15 */
  nNeighbors?: number;
  /** default 0.1 */
  minDist?: number;
  /** optimisation epochs; default umap-js's choice (500 below 10 000 rows) */
  nEpochs?: number;
  /** default 0 */
  seed?: number;
}

/** A 2-D UMAP layout of the n rows of X, [n × 2] row-major. Same input and seed → same layout. */
export function umap(X: Rows, n: number, d: number, options: UmapOptions = {}): Float32Array {
  checkRows(X, n, d, 'UMAP input');
  const nNeighbors = options.nNeighbors ?? 15;
  checkInteger('UMAP nNeighbors', nNeighbors, 2);
  if (n <= nNeighbors) throw new GetseiError(`UMAP needs more rows than nNeighbors (${nNeighbors}); got ${n}`);
  const rng = createRng(options.seed ?? 0);
  const rows = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d)));
  const u = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: options.minDist ?? 0.1,
    ...(options.nEpochs === undefined ? {} : { nEpochs: options.nEpochs }),
    random: () => rng.next(),
  });
  const Y = u.fit(rows);
  const out = new Float32Array(2 * n);
  Y.forEach((p, i) => {
    out[2 * i] = p[0];
    out[2 * i + 1] = p[1];
  });
  return out;
}

export interface EmbeddingMapOptions {
  /** 'tsne' (default, as the paper) or 'umap' */
  method?: 'tsne' | 'umap';
  /** labelled rows to lay out (seeded draw); default 2000 */
  sampleSize?: number;
  /** default 0 */
  seed?: number;
  tsne?: Omit<TsneOptions, 'seed'>;
  umap?: Omit<UmapOptions, 'seed'>;
}

export interface EmbeddingMap {
  readonly method: 'tsne' | 'umap';
  /** the rows of X laid out (ascending) */
  readonly rows: Int32Array;
  /** their states */
  readonly states: Int16Array;
  /** [rows.length × 2] */
  readonly coordinates: Float32Array;
  /** t-SNE's final KL(P‖Q); null for UMAP */
  readonly klDivergence: number | null;
}

/** Lay out a seeded sample of the labelled rows (label ≥ 0) of X in 2-D. */
export function embeddingMap(X: Rows, n: number, d: number, labels: Labels, options: EmbeddingMapOptions = {}): EmbeddingMap {
  checkRows(X, n, d, 'embeddings');
  if (labels.length < n) throw new GetseiError(`expected ${n} state labels but got ${labels.length}`);
  const method = options.method ?? 'tsne';
  if (method !== 'tsne' && method !== 'umap') throw new GetseiError(`the map method must be 'tsne' or 'umap' (got '${method}')`);
  const sampleSize = options.sampleSize ?? 2000;
  checkInteger('the map sample size', sampleSize, 2);
  const seed = options.seed ?? 0;
  const labelled: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] >= 0) labelled.push(i);
  const pick = sampleIndices(createRng(seed), labelled.length, Math.min(sampleSize, labelled.length));
  const rows = pick.map((t) => labelled[t]);
  const sub = gatherRows(X, d, rows);
  const states = Int16Array.from(rows, (r) => labels[r]);
  return { method, rows, states, ...layoutMap(sub, rows.length, d, { method, seed, tsne: options.tsne, umap: options.umap }) };
}

/**
 * The rows `embeddingMap` lays out: a seeded draw from the labelled rows. When every row is labelled (as after
 * `predict`) this depends on n alone, so the layout can start before the states are known (off the critical path).
 */
export function mapSampleRows(n: number, sampleSize: number, seed: number): Int32Array {
  checkInteger('the map sample size', sampleSize, 2);
  return sampleIndices(createRng(seed), n, Math.min(sampleSize, n));
}

export interface MapLayoutOptions {
  method: 'tsne' | 'umap';
  seed: number;
  tsne?: Omit<TsneOptions, 'seed'>;
  umap?: Omit<UmapOptions, 'seed'>;
}

export interface MapLayout {
  /** [n × 2] */
  readonly coordinates: Float32Array;
  /** t-SNE's final KL(P‖Q); null for UMAP */
  readonly klDivergence: number | null;
}

/** The 2-D layout of all n rows of X by the method (what `embeddingMap` does after drawing its sample). */
export function layoutMap(X: Rows, n: number, d: number, options: MapLayoutOptions): MapLayout {
  if (options.method === 'umap') return { coordinates: umap(X, n, d, { ...options.umap, seed: options.seed }), klDivergence: null };
  const t = tsneWithDiagnostics(X, n, d, { ...options.tsne, seed: options.seed });
  return { coordinates: t.coordinates, klDivergence: t.klDivergence };
}
