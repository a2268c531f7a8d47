import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetseiError, writeFileAtomic, writeJsonAtomic } from '../util/index.ts';
import { type EncoderConfig, resolveEncoderConfig } from './config.ts';
import type { Encoder } from './encoder.ts';
import { layoutOf } from './engine.ts';
import type { TrainedEncoder } from './train.ts';

/** What a caller stores next to the weights so that another trajectory is featurised the same way. */
export interface EncoderExtras {
  /** names of the node features the encoder reads, one per input feature, in order */
  readonly featureNames: readonly string[];
  /** the training-set standardisation of the features (applied before the graphs reach the encoder) */
  readonly standardization: { readonly names?: readonly string[]; readonly mean: readonly number[]; readonly std: readonly number[] };
  /** any other JSON settings the graphs depend on (cutoffs, element order, …) */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface LoadedEncoder {
  readonly encoder: Encoder;
  readonly extras: EncoderExtras;
  /** how it was trained, when it was saved from a training run */
  readonly training: Readonly<Record<string, unknown>> | null;
}

export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
const FORMAT = 'getsei-encoder';
const VERSION = 1;

export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Serialise float32 tensors as safetensors: an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets}} (+ string-valued "__metadata__"), padded with spaces to a multiple of 8
 * bytes, then the raw little-endian data in header order.
 */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  const headerBytes = (): number => Buffer.byteLength(json, 'utf8');
  while ((8 + headerBytes()) % 8 !== 0) json += ' ';
  const hb = headerBytes();
  const out = new Uint8Array(8 + hb + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hb), true);
  out.set(Buffer.from(json, 'utf8'), 8);
  let at = 8 + hb;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

/** Parse a safetensors file of F32 tensors; every range and shape is checked against the file (`file` names it in errors). */
export function decodeSafetensors(
  bytes: Uint8Array, file: string,
): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  const bad = (what: string): never => {
    throw new GetseiError(`${file}: ${what}. The weights file is damaged or not a getsei encoder; train the encoder again`);
  };
  if (bytes.length < 8) bad('shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hb = Number(view.getBigUint64(0, true));
  if (hb > bytes.length - 8) bad(`header length ${hb} exceeds the file size ${bytes.length}`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, hb).toString('utf8'));
  } catch {
    bad('the header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('the header is not a JSON object');
  const dataStart = 8 + hb, dataLength = bytes.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32') bad(`tensor ${name} has dtype ${String(e.dtype)}, expected F32`);
    const shape = e.shape, off = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`tensor ${name} has a bad shape`);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) bad(`tensor ${name} has bad data_offsets`);
    const [begin, end] = off as number[];
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end > dataLength || end - begin !== 4 * size) bad(`tensor ${name}: data_offsets [${begin}, ${end}] do not fit shape [${String(shape)}] in the file`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    tensors.set(name, { name, shape: shape as number[], data });
  }
  return { tensors, metadata };
}

/**
 * Write the encoder to `dir`: model.safetensors (weights with PyG-style names) and config.json (architecture,
 * feature names and standardisation, training settings and loss curve when trained here). Both files are written
 * atomically.
 */
export async function saveEncoder(dir: string, encoder: Encoder | TrainedEncoder, extras: EncoderExtras): Promise<void> {
  const { config, params } = encoder;
  if (extras.featureNames.length !== config.nFeatures) {
    throw new GetseiError(`saveEncoder: ${extras.featureNames.length} feature names for an encoder of ${config.nFeatures} features`);
  }
  if (extras.standardization.mean.length !== extras.standardization.std.length) {
    throw new GetseiError('saveEncoder: the standardisation mean and std differ in length');
  }
  const layout = layoutOf(config);
  const tensors = layout.params.map((p) => ({ name: p.name, shape: p.shape, data: params.subarray(p.offset, p.offset + p.size) }));
  await writeFileAtomic(join(dir, WEIGHTS_FILE), encodeSafetensors(tensors, { format: FORMAT }));
  const trained = 'settings' in encoder ? encoder : null;
  await writeJsonAtomic(join(dir, CONFIG_FILE), {
    format: FORMAT,
    version: VERSION,
    architecture: config,
    featureNames: extras.featureNames,
    standardization: extras.standardization,
    metadata: extras.metadata ?? {},
    training: trained && {
      settings: trained.settings,
      epochsRun: trained.epochsRun,
      stepsRun: trained.stepsRun,
      stoppedEarly: trained.stoppedEarly,
      bestEpoch: trained.bestEpoch,
      epochLoss: Array.from(trained.lossCurve.epochs),
      stepLoss: Array.from(trained.lossCurve.steps),
      graphsPerSecond: trained.graphsPerSecond,
    },
  });
}

/** Read an encoder written by `saveEncoder`; every field is checked, and a problem names the file and the fix. */
export async function loadEncoder(dir: string): Promise<LoadedEncoder> {
  const configPath = join(dir, CONFIG_FILE), weightsPath = join(dir, WEIGHTS_FILE);
  const read = async (path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch {
      throw new GetseiError(
        `${path}: cannot be read. Pass the encoder folder of a training run (it holds ${CONFIG_FILE} and ${WEIGHTS_FILE})`,
      );
    }
  };
  const bad = (what: string): never => {
    throw new GetseiError(`${configPath}: ${what}. The encoder folder is damaged or from another program; train the encoder again`);
  };
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse((await read(configPath)).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof GetseiError) throw e;
    bad('not valid JSON');
  }
  if (doc.format !== FORMAT) bad(`format is ${JSON.stringify(doc.format)}, expected "${FORMAT}"`);
  if (doc.version !== VERSION) bad(`version ${String(doc.version)} is not supported (this getsei reads version ${VERSION})`);
  let config: EncoderConfig;
  try {
    config = resolveEncoderConfig(doc.architecture as EncoderConfig);
  } catch (e) {
    return bad(`bad architecture (${(e as Error).message})`);
  }
  const names = doc.featureNames, st = doc.standardization as EncoderExtras['standardization'] | undefined;
  if (!Array.isArray(names) || names.length !== config.nFeatures || !names.every((n) => typeof n === 'string')) {
    bad(`featureNames must list the ${config.nFeatures} node features`);
  }
  if (!st || !Array.isArray(st.mean) || !Array.isArray(st.std) || st.mean.length !== st.std.length) {
    bad('standardization must hold mean and std arrays of equal length');
  }
  const { tensors } = decodeSafetensors(await read(weightsPath), weightsPath);
  const layout = layoutOf(config);
  const params = new Float32Array(layout.nParams);
  for (const p of layout.params) {
    const t = tensors.get(p.name);
    if (!t) throw new GetseiError(`${weightsPath}: tensor ${p.name} is missing for the architecture in ${CONFIG_FILE}`);
    if (t.shape.join('x') !== p.shape.join('x')) {
      throw new GetseiError(`${weightsPath}: tensor ${p.name} has shape [${t.shape.join(', ')}], the architecture needs [${p.shape.join(', ')}]`);
    }
    if (!t.data.every(Number.isFinite)) throw new GetseiError(`${weightsPath}: tensor ${p.name} holds non-finite values`);
    params.set(t.data, p.offset);
  }
  return Object.freeze({
    encoder: Object.freeze({ config, params }),
    extras: Object.freeze({
      featureNames: names as string[],
      standardization: st as EncoderExtras['standardization'],
      metadata: (doc.metadata ?? {}) as Record<string, unknown>,
    }),
    training: (doc.training ?? null) as Record<string, unknown> | null,
  });
}
