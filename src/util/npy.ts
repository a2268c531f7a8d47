/**
 * NumPy .npy format. Writing: version 1.0, little-endian, C order (what numpy.load reads everywhere). Reading: versions
 * 1–3 as numpy writes them — integer, unsigned, float and bool dtypes, either byte order ('<', '>', '=' , '|'), C or
 * Fortran order (`np.save(a.T)` writes Fortran order), any rank; decoded arrays are always C order, native order.
 */
export type NpyArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array
  | BigInt64Array | BigUint64Array;

const DESCR: ReadonlyArray<[string, new (n: number) => NpyArray]> = [
  ['<f4', Float32Array], ['<f8', Float64Array], ['|i1', Int8Array], ['<i2', Int16Array], ['<i4', Int32Array],
  ['|u1', Uint8Array], ['<u2', Uint16Array], ['<u4', Uint32Array], ['<i8', BigInt64Array],
];

function descrOf(data: NpyArray): string {
  for (const [d, ctor] of DESCR) if (data instanceof ctor) return d;
  throw new TypeError('unsupported array type for .npy');
}

/** The .npy header for an array with the dtype of `example` and this shape (the data follows it directly). */
export function npyHeader(example: NpyArray, shape: readonly number[]): Uint8Array {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descrOf(example)}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const preamble = 10;
  const pad = 64 - ((preamble + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(preamble + header.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  return out;
}

/** Encode a typed array with a shape as .npy bytes. */
export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new RangeError(`shape [${shape.join(', ')}] does not match ${data.length} elements`);
  const header = npyHeader(data, shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

export interface DecodedNpy {
  data: NpyArray;
  shape: number[];
  descr: string;
}

export interface NpyHeader {
  /** dtype with '<' for little-endian ('=' native is written '<'), '>' for big-endian, '|' for one-byte types */
  descr: string;
  shape: number[];
  /** byte offset of the data */
  dataOffset: number;
  /** true when the data is stored column-major (Fortran order) */
  fortranOrder: boolean;
}

/** Typed-array constructor and element size for a dtype kind + size (byte order aside); bool reads as uint8. */
const KINDS: Readonly<Record<string, new (b: ArrayBuffer) => NpyArray>> = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, i2: Int16Array, i4: Int32Array, i8: BigInt64Array,
  u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, u8: BigUint64Array, b1: Uint8Array,
};

/** Parse the header of .npy bytes (versions 1–3; only the first few kB are needed). */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new RangeError('not a .npy file (magic bytes missing)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeMatch = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeMatch === undefined) throw new RangeError('malformed .npy header');
  const shape = shapeMatch.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  return { descr: descr.replace(/^=/, '<'), shape, dataOffset: start + headerLen, fortranOrder: fortran === 'True' };
}

/**
 * Decode .npy bytes (versions 1–3, any byte order, C or Fortran order) into a native-order, C-order array.
 * Throws a RangeError naming what is wrong.
 */
export function decodeNpy(bytes: Uint8Array): DecodedNpy {
  const { descr, shape, dataOffset, fortranOrder } = parseNpyHeader(bytes);
  const m = /^([<>|])([fiub])(\d+)$/.exec(descr);
  const ctor = m === null ? undefined : KINDS[`${m[2]}${m[3]}`];
  if (m === null || ctor === undefined) throw new RangeError(`unsupported .npy dtype ${descr}`);
  const elemSize = Number(m[3]);
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataOffset < n * elemSize) throw new RangeError('the .npy file is truncated');
  // Uint8Array.prototype.slice copies (Buffer.prototype.slice would return a view into a shared pool)
  const copy = Uint8Array.prototype.slice.call(bytes, dataOffset, dataOffset + n * elemSize);
  if (m[1] === '>' && elemSize > 1) {
    for (let i = 0; i < copy.length; i += elemSize) copy.subarray(i, i + elemSize).reverse();
  }
  const data = new ctor(copy.buffer);
  return { data: fortranOrder && shape.length > 1 ? fortranToC(data, shape) : data, shape, descr };
}

/** Reorder column-major data (first index fastest) to row-major (last index fastest). */
function fortranToC(data: NpyArray, shape: readonly number[]): NpyArray {
  const out = new (data.constructor as new (n: number) => NpyArray)(data.length);
  const rank = shape.length;
  const fStride = new Array<number>(rank);
  fStride[0] = 1;
  for (let d = 1; d < rank; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let c = 0; c < data.length; c++) {
    (out as unknown as number[])[c] = (data as unknown as number[])[from];
    // advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      from += fStride[d];
      if (index[d] < shape[d]) break;
      from -= fStride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
