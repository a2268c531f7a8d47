import { GetseiError } from '../util/index.ts';

/** Architecture of the GAT encoder (Veličković et al. 2017, with PyG GATConv semantics). */
export interface EncoderConfig {
  /** node features per graph node (set by the graph source) */
  readonly nFeatures: number;
  /** GAT layers (paper: 2) */
  readonly layers: number;
  /** attention heads per layer (paper: 4) */
  readonly heads: number;
  /** features per head (not given in the paper; default chosen by measured quality and speed, docs/encoder.md) */
  readonly hiddenPerHead: number;
  /** how the last layer combines its heads: concatenate (PyG default) or average */
  readonly lastLayerHeads: 'concat' | 'mean';
  /** LeakyReLU slope on the attention logits (Veličković et al.: 0.2) */
  readonly negativeSlope: number;
  /** graph readout: mean over the graph's nodes, or that mean concatenated with the centre Li's features */
  readonly readout: 'mean' | 'mean+centre';
  /** size of the projected embedding that is clustered (paper: 32) */
  readonly embeddingDim: number;
}

export const DEFAULT_ENCODER_CONFIG: Omit<EncoderConfig, 'nFeatures'> = {
  layers: 2,
  heads: 4,
  hiddenPerHead: 16,
  lastLayerHeads: 'concat',
  negativeSlope: 0.2,
  readout: 'mean',
  embeddingDim: 32,
};

/** Fill defaults and check every field; throws GetseiError naming the bad field. */
export function resolveEncoderConfig(partial: Partial<EncoderConfig> & { nFeatures: number }): EncoderConfig {
  const c: EncoderConfig = { ...DEFAULT_ENCODER_CONFIG, ...partial };
  const positiveInt = (name: keyof EncoderConfig, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new GetseiError(`encoder config: ${name} must be a positive integer, got ${String(v)}`);
    }
  };
  positiveInt('nFeatures', c.nFeatures);
  positiveInt('layers', c.layers);
  positiveInt('heads', c.heads);
  positiveInt('hiddenPerHead', c.hiddenPerHead);
  positiveInt('embeddingDim', c.embeddingDim);
  if (c.lastLayerHeads !== 'concat' && c.lastLayerHeads !== 'mean') {
    throw new GetseiError(`encoder config: lastLayerHeads must be "concat" or "mean", got ${String(c.lastLayerHeads)}`);
  }
  if (c.readout !== 'mean' && c.readout !== 'mean+centre') {
    throw new GetseiError(`encoder config: readout must be "mean" or "mean+centre", got ${String(c.readout)}`);
  }
  if (!(typeof c.negativeSlope === 'number' && c.negativeSlope > 0 && c.negativeSlope < 1)) {
    throw new GetseiError(`encoder config: negativeSlope must lie in (0, 1), got ${String(c.negativeSlope)}`);
  }
  return Object.freeze(c);
}

/** One named parameter tensor inside the flat parameter vector. */
export interface ParamSpec {
  /** PyTorch Geometric-style name, e.g. "conv1.lin.weight" */
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  /** 'glorot' weights (as PyG GATConv) or 'zeros' (biases) */
  readonly init: 'glorot' | 'zeros';
}

export interface LayerDims {
  readonly inDim: number;
  /** heads × hiddenPerHead: width of the transformed node features and of the aggregation */
  readonly hc: number;
  /** width after head combination (hc when concatenated, hiddenPerHead when averaged) */
  readonly outDim: number;
  readonly concat: boolean;
}

/** Layer widths and the flat parameter layout; every array in the model is sized from this. */
export interface ModelLayout {
  readonly layers: readonly LayerDims[];
  readonly readoutDim: number;
  readonly params: readonly ParamSpec[];
  readonly nParams: number;
}

export function modelLayout(c: EncoderConfig): ModelLayout {
  const specs: ParamSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], init: 'glorot' | 'zeros'): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, offset, size, init });
    offset += size;
  };
  const layers: LayerDims[] = [];
  const hc = c.heads * c.hiddenPerHead;
  let inDim = c.nFeatures;
  for (let l = 0; l < c.layers; l++) {
    const concat = l < c.layers - 1 || c.lastLayerHeads === 'concat';
    const outDim = concat ? hc : c.hiddenPerHead;
    layers.push({ inDim, hc, outDim, concat });
    add(`conv${l + 1}.lin.weight`, [hc, inDim], 'glorot');
    add(`conv${l + 1}.att_src`, [1, c.heads, c.hiddenPerHead], 'glorot');
    add(`conv${l + 1}.att_dst`, [1, c.heads, c.hiddenPerHead], 'glorot');
    add(`conv${l + 1}.bias`, [outDim], 'zeros');
    inDim = outDim;
  }
  const readoutDim = c.readout === 'mean+centre' ? 2 * inDim : inDim;
  add('proj.weight', [c.embeddingDim, readoutDim], 'glorot');
  add('proj.bias', [c.embeddingDim], 'zeros');
  return { layers, readoutDim, params: specs, nParams: offset };
}
