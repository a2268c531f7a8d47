/**
 * GROMACS XTC trajectories (also written by MDAnalysis, mdtraj, OpenMM): XDR (big-endian) frames of
 *
 *   int magic (1995), int natoms, int step, float time (ps), float box[3][3] (nm, rows = box vectors),
 *   int natoms again, then the coordinates: ≤ 9 atoms as 3·natoms plain floats; otherwise the compressed block of
 *   GROMACS' xdr3dfcoord: float precision, int minint[3], int maxint[3], int smallidx, int byte count, that many
 *   bytes padded to a multiple of 4.
 *
 * The compressed block stores each coordinate as the integer round(x · precision) offset by minint. An atom is a
 * mixed-radix number of three digits (sizes maxint − minint + 1) in `bitsize` bits (or three separate bit fields
 * when a size exceeds 2²⁴); then one flag bit says whether a run follows: 5 bits give the run length (atoms × 3)
 * and a change of the small-number index. The run's atoms are small differences (digits of size magicints[smallidx])
 * to the atom before; the first two atoms of a run are swapped (the writer swaps them to compress water better).
 *
 * Positions are converted from nm to Å (×10) in double precision (integer / precision × 10), so they are the
 * coordinates the file stores, to the file's precision (usually 0.001 nm = 0.01 Å).
 * The file is read frame after frame with a 1 MiB window; frames outside the selection are stepped over by their
 * byte count without being decoded.
 */
import type { Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { BinaryFile } from './binary-file.ts';
import { cellOrFail, sameMatrix } from './common.ts';
import { needSpeciesHint } from './species.ts';
import type { BinaryTrajectoryReader, RawFrame, ReaderContext } from './types.ts';

const MAGIC = 1995;
const NM_TO_ANGSTROM = 10;
/** Frame start up to and including the second atom count: magic, natoms, step, time, box, natoms. */
const HEADER_BYTES = 4 * 4 + 36 + 4;
/** precision, minint[3], maxint[3], smallidx, byte count */
const COMPRESSED_HEADER_BYTES = 4 * 9;

const CUT_HINT = 'the file was cut off (e.g. copied while the run was writing it): copy it again, or read only the complete frames with --stop';
const DAMAGED_HINT = `the file is damaged here: ${CUT_HINT}`;

/** Sizes of the small differences, about 2^(1/3) apart from index 9 on (the table of GROMACS' xdr3dfcoord). */
const MAGIC_INTS = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 10, 12, 16, 20, 25, 32, 40, 50, 64, 80, 101, 128, 161, 203, 256, 322, 406, 512, 645, 812,
  1024, 1290, 1625, 2048, 2580, 3250, 4096, 5060, 6501, 8192, 10321, 13003, 16384, 20642, 26007, 32768, 41285, 52015,
  65536, 82570, 104031, 131072, 165140, 208063, 262144, 330280, 416127, 524287, 660561, 832255, 1048576, 1321122,
  1664510, 2097152, 2642245, 3329021, 4194304, 5284491, 6658042, 8388607, 10568983, 13316085, 16777216,
];
const FIRST_IDX = 9;

/** Bits needed for the numbers 0 … size−1 (GROMACS sizeofint: the smallest b with 2^b > size − 1, at most 32). */
function bitsOfSize(size: number): number {
  let bits = 0;
  let num = 1;
  while (size >= num && bits < 32) {
    bits++;
    num *= 2;
  }
  return bits;
}

/** Bits of the product of three sizes (the mixed-radix number of one atom): the bit length of ∏ sizes. */
function bitsOfProduct(sizes: readonly number[]): number {
  const product = BigInt(sizes[0]) * BigInt(sizes[1]) * BigInt(sizes[2]);
  return product.toString(2).length;
}

/** Reads bit fields most significant bit first from the compressed bytes, refusing to run past their end. */
class BitReader {
  private bit = 0;
  private readonly endBit: number;
  constructor(private readonly bytes: Uint8Array, private readonly loc: InputLocation) {
    this.endBit = bytes.length * 8;
  }

  /** The next `n` bits (0 ≤ n ≤ 32) as an unsigned number. */
  bits(n: number): number {
    if (this.bit + n > this.endBit) throw new InputError(this.loc, 'the compressed coordinates end before the last atom', DAMAGED_HINT);
    let out = 0;
    let bit = this.bit;
    let left = n;
    while (left > 0) {
      const byte = this.bytes[bit >>> 3];
      const offset = bit & 7;
      const take = Math.min(8 - offset, left);
      const chunk = (byte >>> (8 - offset - take)) & ((1 << take) - 1);
      out = out * (1 << take) + chunk;
      bit += take;
      left -= take;
    }
    this.bit = bit;
    return out;
  }

  /** The next `n` bits for 0 < n ≤ 24: one read of four bytes, the hot path of the decompression. */
  take(n: number): number {
    const bit = this.bit;
    if (bit + n > this.endBit) throw new InputError(this.loc, 'the compressed coordinates end before the last atom', DAMAGED_HINT);
    const b = this.bytes, p = bit >>> 3, len = b.length;
    const word = ((b[p] << 24) | ((p + 1 < len ? b[p + 1] : 0) << 16) | ((p + 2 < len ? b[p + 2] : 0) << 8) | (p + 3 < len ? b[p + 3] : 0)) >>> 0;
    this.bit = bit + n;
    return ((word << (bit & 7)) >>> 0) >>> (32 - n);
  }
}

/**
 * Decode three digits of sizes `sizes` from a `nbits`-bit mixed-radix number into out[o…o+2]. The number comes as
 * bytes, least significant first (GROMACS receiveints); digit 2 is the least significant.
 */
function receiveInts(reader: BitReader, nbits: number, sizes: readonly number[], out: Int32Array, o: number, scratch: Uint32Array): void {
  if (nbits <= 52) {
    // below 2^52 the number is exact in a double and floor(num / size) is exact: two divisions, not long division.
    // Its bytes come least significant first, each as 8 bits of the stream: read up to 24 bits at once and split.
    let num = 0;
    let weight = 1;
    let left = nbits;
    for (; left > 24; left -= 24, weight *= 16777216) {
      const w = reader.take(24);
      num += ((w >>> 16) + ((w >>> 8) & 255) * 256 + (w & 255) * 65536) * weight;
    }
    const w = reader.take(left);
    let shift = left;
    for (; shift > 8; weight *= 256) {
      shift -= 8;
      num += ((w >>> shift) & 255) * weight;
    }
    num += (w & ((1 << shift) - 1)) * weight;
    const s1 = sizes[1], s2 = sizes[2];
    const q = Math.floor(num / s2);
    const q2 = Math.floor(q / s1);
    out[o + 2] = num - q * s2;
    out[o + 1] = q - q2 * s1;
    out[o] = q2;
    return;
  }
  let nBytes = 0;
  let left = nbits;
  while (left > 8) {
    scratch[nBytes++] = reader.bits(8);
    left -= 8;
  }
  if (left > 0) scratch[nBytes++] = reader.bits(left);
  for (let d = 2; d >= 1; d--) {
    const size = sizes[d];
    let rem = 0;
    for (let j = nBytes - 1; j >= 0; j--) {
      const num = rem * 256 + scratch[j];
      const q = Math.floor(num / size);
      scratch[j] = q;
      rem = num - q * size;
    }
    out[o + d] = rem;
  }
  out[o] = scratch[0] + scratch[1] * 256 + scratch[2] * 65536 + scratch[3] * 16777216;
}

/** Decompress one frame's coordinates (integers in units of 1/precision nm) into ints. */
function decompress(bytes: Uint8Array, n: number, minint: Int32Array, maxint: Int32Array, smallidxStart: number, loc: InputLocation, ints: Int32Array): void {
  const sizeint = [0, 1, 2].map((k) => maxint[k] - minint[k] + 1);
  if (sizeint.some((s) => !(s >= 1 && s <= 2 ** 32))) {
    throw new InputError(loc, `the coordinate range is invalid (minint ${[...minint].join(' ')}, maxint ${[...maxint].join(' ')})`, DAMAGED_HINT);
  }
  const large = sizeint.some((s) => s > 0xffffff);
  const bitsizeint = sizeint.map(bitsOfSize);
  const bitsize = large ? 0 : bitsOfProduct(sizeint);
  let smallidx = smallidxStart;
  const badIndex = (): InputError => new InputError(loc, `the small-number index ${smallidx} is outside ${FIRST_IDX}–${MAGIC_INTS.length - 1}`, DAMAGED_HINT);
  if (smallidx < FIRST_IDX || smallidx >= MAGIC_INTS.length) throw badIndex();
  let smaller = Math.floor(MAGIC_INTS[Math.max(FIRST_IDX, smallidx - 1)] / 2);
  let smallnum = Math.floor(MAGIC_INTS[smallidx] / 2);
  const sizesmall = [MAGIC_INTS[smallidx], MAGIC_INTS[smallidx], MAGIC_INTS[smallidx]];
  const reader = new BitReader(bytes, loc);
  const scratch = new Uint32Array(32);
  const cur = new Int32Array(3);
  const prev = new Int32Array(3);
  let i = 0;
  let out = 0;
  let run = 0;
  while (i < n) {
    if (large) {
      for (let k = 0; k < 3; k++) cur[k] = reader.bits(bitsizeint[k]);
    } else {
      receiveInts(reader, bitsize, sizeint, cur, 0, scratch);
    }
    i++;
    for (let k = 0; k < 3; k++) {
      cur[k] += minint[k];
      prev[k] = cur[k];
    }
    let isSmaller = 0;
    if (reader.take(1) === 1) {
      run = reader.take(5);
      isSmaller = (run % 3) - 1;
      run -= run % 3;
    }
    if (run > 0) {
      if (i + run / 3 > n) throw new InputError(loc, `a run of ${run / 3} atoms after atom ${i - 1} goes past the ${n} atoms of the frame`, DAMAGED_HINT);
      for (let k = 0; k < run; k += 3) {
        receiveInts(reader, smallidx, sizesmall, cur, 0, scratch);
        i++;
        for (let c = 0; c < 3; c++) cur[c] += prev[c] - smallnum;
        if (k === 0) {
          // the writer swapped the first two atoms of the run: the small difference belongs first
          for (let c = 0; c < 3; c++) {
            const t = cur[c];
            cur[c] = prev[c];
            prev[c] = t;
          }
          ints[out++] = prev[0];
          ints[out++] = prev[1];
          ints[out++] = prev[2];
        } else {
          prev.set(cur);
        }
        ints[out++] = cur[0];
        ints[out++] = cur[1];
        ints[out++] = cur[2];
      }
    } else {
      ints[out++] = cur[0];
      ints[out++] = cur[1];
      ints[out++] = cur[2];
    }
    smallidx += isSmaller;
    if (smallidx < FIRST_IDX || smallidx >= MAGIC_INTS.length) throw badIndex();
    if (isSmaller < 0) {
      smallnum = smaller;
      smaller = smallidx > FIRST_IDX ? Math.floor(MAGIC_INTS[smallidx - 1] / 2) : 0;
    } else if (isSmaller > 0) {
      smaller = smallnum;
      smallnum = Math.floor(MAGIC_INTS[smallidx] / 2);
    }
    sizesmall[0] = sizesmall[1] = sizesmall[2] = MAGIC_INTS[smallidx];
  }
}

async function* readXtc(path: string, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const file = await BinaryFile.open(path, CUT_HINT);
  try {
    if (await file.isGzip()) {
      throw new InputError({ file: ctx.file }, 'this XTC file is gzip-compressed; XTC is compressed already and getsei reads it by frame offsets', 'decompress it first (gunzip)');
    }
    const given = ctx.givenSpecies;
    if (given === undefined) throw new InputError({ file: ctx.file }, 'no elements given', needSpeciesHint('XTC'));
    let cell: Cell | undefined;
    let ints = new Int32Array(0);
    let position = 0;
    for (let index = 0; position < file.size; index++) {
      const loc = { file: ctx.file, frame: index };
      const head = await file.bytes(position, HEADER_BYTES, loc, 'the end of this frame\'s header');
      const magic = head.readInt32BE(0);
      if (magic !== MAGIC) {
        const what = index === 0 ? 'not an XTC file' : 'this frame does not start with the XTC magic number';
        throw new InputError(loc, `${what}: the frame starts with ${magic}, not ${MAGIC} (byte ${position})`, index === 0 ? 'give --format for this file, or write it with GROMACS, MDAnalysis or mdtraj' : DAMAGED_HINT);
      }
      const n = head.readInt32BE(4);
      const step = head.readInt32BE(8);
      const time = head.readFloatBE(12);
      if (head.readInt32BE(52) !== n || n < 1) {
        throw new InputError(loc, `the atom counts of the frame disagree or are invalid (${n} and ${head.readInt32BE(52)})`, DAMAGED_HINT);
      }
      const plan = ctx.plan(index);
      if (plan === 'stop') break;
      let frameBytes = HEADER_BYTES;
      let coordinates: Float64Array | undefined;
      const parse = plan === 'parse';
      if (parse && n !== given.species.length) {
        throw new InputError(loc, `the frame has ${n} atoms but ${given.source} gives ${given.species.length}`, 'give the elements of the atoms of this trajectory, in their order');
      }
      if (n <= 9) {
        frameBytes += 12 * n;
        if (parse) {
          const raw = await file.bytes(position + HEADER_BYTES, 12 * n, loc, 'the end of this frame\'s coordinates');
          coordinates = new Float64Array(3 * n);
          for (let k = 0; k < 3 * n; k++) coordinates[k] = raw.readFloatBE(4 * k) * NM_TO_ANGSTROM;
        }
      } else {
        const c = await file.bytes(position + HEADER_BYTES, COMPRESSED_HEADER_BYTES, loc, 'the end of this frame\'s header');
        const precision = c.readFloatBE(0);
        const minint = Int32Array.of(c.readInt32BE(4), c.readInt32BE(8), c.readInt32BE(12));
        const maxint = Int32Array.of(c.readInt32BE(16), c.readInt32BE(20), c.readInt32BE(24));
        const smallidx = c.readInt32BE(28);
        const byteCount = c.readInt32BE(32);
        if (byteCount < 0) throw new InputError(loc, `the compressed coordinates have a negative size (${byteCount} bytes)`, DAMAGED_HINT);
        frameBytes += COMPRESSED_HEADER_BYTES + Math.ceil(byteCount / 4) * 4;
        if (parse) {
          if (!(precision > 0 && Number.isFinite(precision))) throw new InputError(loc, `the precision ${precision} is not a positive number`, DAMAGED_HINT);
          const bytes = await file.bytes(position + HEADER_BYTES + COMPRESSED_HEADER_BYTES, byteCount, loc, 'the end of this frame\'s compressed coordinates');
          if (ints.length !== 3 * n) ints = new Int32Array(3 * n);
          decompress(bytes, n, minint, maxint, smallidx, loc, ints);
          coordinates = new Float64Array(3 * n);
          const scale = NM_TO_ANGSTROM / precision;
          for (let k = 0; k < 3 * n; k++) coordinates[k] = ints[k] * scale;
        }
      }
      if (position + frameBytes > file.size) {
        throw new InputError(loc, `the file ends inside this frame (it needs bytes ${position}–${position + frameBytes}, the file has ${file.size})`, CUT_HINT);
      }
      if (coordinates !== undefined) {
        const box = new Float64Array(9);
        for (let k = 0; k < 9; k++) box[k] = head.readFloatBE(16 + 4 * k) * NM_TO_ANGSTROM;
        if (box.every((v) => v === 0)) {
          throw new InputError(loc, 'the frame has no box (all box vectors are zero: a simulation without periodic boundaries)', 'getsei needs the periodic cell of the simulation: write the trajectory from a periodic run');
        }
        if (!sameMatrix(cell, box)) cell = cellOrFail(box, [true, true, true], loc, DAMAGED_HINT);
        yield { index, species: given.species, positions: coordinates, cell: cell as Cell, timePs: time, info: { step } };
      }
      position += frameBytes;
    }
  } finally {
    await file.close();
  }
}

export const xtcReader: BinaryTrajectoryReader = {
  name: 'xtc',
  aliases: ['gromacs-xtc'],
  extensions: ['.xtc'],
  description: 'GROMACS XTC (compressed coordinates in nm, box, step, time; elements from --topology or --species)',
  sniff: () => false,
  sniffBytes: (head) => head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0x07 && head[3] === 0xcb,
  readFile: readXtc,
};
