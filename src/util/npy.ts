/**
 * NumPy .npy format, version 1.0 (little-endian, C order): enough for numpy.load to read getsei's arrays and for
 * getsei to read arrays written by numpy (integer and float dtypes, any rank).
 */
export type NpyArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array
  | BigInt64Array;

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
  descr: string;
  shape: number[];
  /** byte offset of the data */
  dataOffset: number;
}

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
  if (fortran === 'True') throw new RangeError('Fortran-ordered .npy arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeMatch.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  return { descr: descr.replace(/^=/, '<'), shape, dataOffset: start + headerLen };
}

/** Decode .npy bytes (versions 1–3, little-endian, C order). Throws a RangeError naming what is wrong. */
export function decodeNpy(bytes: Uint8Array): DecodedNpy {
  const { descr, shape, dataOffset } = parseNpyHeader(bytes);
  const entry = DESCR.find(([d]) => d === descr || (d.startsWith('|') && `<${d.slice(1)}` === descr));
  if (entry === undefined) throw new RangeError(`unsupported .npy dtype ${descr}`);
  const ctor = entry[1];
  const n = shape.reduce((a, b) => a * b, 1);
  const elemSize = (new ctor(0) as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (bytes.length - dataOffset < n * elemSize) throw new RangeError('the .npy file is truncated');
  // Uint8Array.prototype.slice copies (Buffer.prototype.slice would return a view into a shared pool)
  const copy = Uint8Array.prototype.slice.call(bytes, dataOffset, dataOffset + n * elemSize);
  const data = new (ctor as unknown as new (b: ArrayBuffer) => NpyArray)(copy.buffer);
  return { data, shape, descr };
}
