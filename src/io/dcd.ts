/**
 * DCD trajectories (CHARMM, NAMD, OpenMM, MDAnalysis, mdtraj/VMD, LAMMPS `dump dcd`, CP2K): Fortran unformatted
 * records, each framed by its byte length (4-byte markers; 8-byte markers of some old 64-bit compilers are read too),
 * in the byte order of the machine that wrote it (recognised from the first marker, which is 84):
 *
 *   header: "CORD" + 20 int32 (ICNTRL: 0 NSET frames, 1 ISTART first step, 2 NSAVC steps between frames,
 *           8 NAMNF fixed atoms, 9 DELTA time step (float32 in AKMA units; X-PLOR files: float64 over 9–10),
 *           10 unit cell present, 11 fourth dimension, 19 CHARMM version, 0 for X-PLOR);
 *           a title record (int32 count + 80-character lines); a record with the atom count;
 *   frame:  when ICNTRL[10]: 6 float64 A, γ, B, β, α, C (lengths in Å; angles in degrees, or their cosines as CHARMM
 *           ≥ c25, NAMD ≥ 2.5, VMD and LAMMPS write them: all three in [−1, 1] are read as cosines, as MDAnalysis
 *           and VMD do); then the x, y and z records (float32 Å, one per atom); a fourth (w) record is skipped.
 *
 * Frames have a fixed size, so frames outside the selection are never read. NSET is not trusted (a file still being
 * written, or cut, has a stale count): frames are counted from the file size. Time: frame × NSAVC × DELTA in AKMA
 * units (1 AKMA = 0.04888821 ps), as MDAnalysis reports it; `step` = ISTART + frame × NSAVC goes to `info`.
 */
import type { Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { BinaryFile } from './binary-file.ts';
import { cellOrFail, matrixFromLengthsAngles, sameMatrix } from './common.ts';
import { needSpeciesHint } from './species.ts';
import type { BinaryTrajectoryReader, RawFrame, ReaderContext } from './types.ts';

/** ps per AKMA time unit (CHARMM's internal time: √(Å² amu / (kcal/mol)) = 48.88821 fs). */
const AKMA_PS = 0.04888821;
const CUT_HINT = 'the file was cut off (e.g. copied while the run was writing it): copy it again, or read only the complete frames with --stop';
const DAMAGED_HINT = `the file is damaged here: ${CUT_HINT}`;
const WRITE_HINT = 'write the trajectory with CHARMM, NAMD, OpenMM, MDAnalysis or LAMMPS `dump dcd`, or convert it to extended XYZ with MDAnalysis';

interface DcdLayout {
  littleEndian: boolean;
  /** bytes of each record-length marker: 4, or 8 */
  marker: 4 | 8;
  natoms: number;
  istart: number;
  nsavc: number;
  deltaPs: number;
  hasCell: boolean;
  has4d: boolean;
  /** bytes of the header, where frame 0 starts */
  headerBytes: number;
  frameBytes: number;
}

/** Reads the markers and numbers of one byte order. */
class Decoder {
  constructor(readonly buf: Buffer, readonly le: boolean, readonly marker: 4 | 8) {}
  int(at: number): number {
    return this.le ? this.buf.readInt32LE(at) : this.buf.readInt32BE(at);
  }
  mark(at: number): number {
    if (this.marker === 4) return this.int(at);
    return Number(this.le ? this.buf.readBigInt64LE(at) : this.buf.readBigInt64BE(at));
  }
}

/** Which byte order and marker size make the first record an 84-byte "CORD" record, if any. */
function layoutOf(head: Buffer): { le: boolean; marker: 4 | 8 } | undefined {
  for (const marker of [4, 8] as const) {
    for (const le of [true, false]) {
      if (head.length < marker + 4) continue;
      if (new Decoder(head, le, marker).mark(0) === 84 && head.toString('latin1', marker, marker + 4) === 'CORD') return { le, marker };
    }
  }
  return undefined;
}

async function readLayout(file: BinaryFile, loc: InputLocation): Promise<DcdLayout> {
  if (await file.isGzip()) throw new InputError(loc, 'this DCD file is gzip-compressed; getsei reads DCD by seeking to each frame', 'decompress it first (gunzip)');
  const first = await file.bytes(0, Math.min(file.size, 200), loc, 'the header');
  const found = layoutOf(first);
  if (found === undefined) {
    const velocities = first.toString('latin1', 4, 8) === 'VELD' || first.toString('latin1', 8, 12) === 'VELD';
    throw new InputError(loc, velocities ? 'this DCD holds velocities (VELD), not coordinates' : 'not a DCD file: it does not start with an 84-byte "CORD" record', velocities ? 'give the coordinate DCD of the run' : WRITE_HINT);
  }
  const { le, marker } = found;
  let at = 0;
  /** the record at `at`: checks that its end marker repeats its length; returns where its data start */
  const record = async (what: string, expect?: number): Promise<{ start: number; length: number; data: Decoder }> => {
    const m = new Decoder(await file.bytes(at, marker, loc, what), le, marker).mark(0);
    if (m < 0 || (expect !== undefined && m !== expect)) throw new InputError(loc, `${what} has ${m} bytes, expected ${expect ?? 'a length ≥ 0'}`, DAMAGED_HINT);
    const buf = Buffer.from(await file.bytes(at, 2 * marker + m, loc, `the end of ${what}`));
    const data = new Decoder(buf, le, marker);
    if (data.mark(marker + m) !== m) throw new InputError(loc, `${what} is not closed by its length (${m} bytes)`, DAMAGED_HINT);
    const start = at + marker;
    at += 2 * marker + m;
    return { start, length: m, data };
  };
  const head = await record('the header record', 84);
  const icntrl = (k: number): number => head.data.int(marker + 4 + 4 * k);
  const charmm = icntrl(19) !== 0;
  const deltaAt = marker + 4 + 4 * 9;
  const delta = charmm
    ? (le ? head.data.buf.readFloatLE(deltaAt) : head.data.buf.readFloatBE(deltaAt))
    : (le ? head.data.buf.readDoubleLE(deltaAt) : head.data.buf.readDoubleBE(deltaAt));
  await record('the title record');
  const atoms = await record('the atom-count record', 4);
  const natoms = atoms.data.int(marker);
  if (natoms < 1) throw new InputError(loc, `the header gives ${natoms} atoms`, DAMAGED_HINT);
  const fixed = icntrl(8);
  if (fixed !== 0) {
    throw new InputError(loc, `this DCD has ${fixed} fixed atoms (NAMNF), whose coordinates are stored only in the first frame; getsei does not read such files`, 'write the trajectory without fixed atoms, or convert it to extended XYZ with MDAnalysis');
  }
  const hasCell = charmm && icntrl(10) !== 0;
  const has4d = charmm && icntrl(11) !== 0;
  const coordRecord = 4 * natoms + 2 * marker;
  return {
    littleEndian: le,
    marker,
    natoms,
    istart: icntrl(1),
    nsavc: icntrl(2),
    deltaPs: Number.isFinite(delta) ? delta * AKMA_PS : 0,
    hasCell,
    has4d,
    headerBytes: at,
    frameBytes: (hasCell ? 48 + 2 * marker : 0) + (has4d ? 4 : 3) * coordRecord,
  };
}

/** The unit cell record A, γ, B, β, α, C → lattice rows; angles given as cosines when all three lie in [−1, 1]. */
function cellMatrix(p: readonly number[]): number[] {
  const [a, g, b, be, al, c] = p;
  const cosines = [g, be, al].every((x) => x >= -1 && x <= 1);
  const deg = (x: number): number => (cosines ? (x === 0 ? 90 : (Math.acos(x) * 180) / Math.PI) : x);
  return matrixFromLengthsAngles(a, b, c, deg(al), deg(be), deg(g));
}

async function* readDcd(path: string, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const file = await BinaryFile.open(path, CUT_HINT);
  try {
    const layout = await readLayout(file, { file: ctx.file });
    const given = ctx.givenSpecies;
    if (given === undefined) throw new InputError({ file: ctx.file }, 'no elements given', needSpeciesHint('DCD'));
    const { natoms: n, marker, littleEndian: le, frameBytes } = layout;
    if (n !== given.species.length) {
      throw new InputError({ file: ctx.file }, `the file has ${n} atoms but ${given.source} gives ${given.species.length}`, 'give the elements of the atoms of this trajectory, in their order');
    }
    if (!layout.hasCell) {
      throw new InputError({ file: ctx.file }, 'this DCD stores no unit cell (written without periodic boundaries, or in the X-PLOR layout)', 'getsei needs the periodic cell: write the DCD with the unit cell (CHARMM/NAMD/LAMMPS do for periodic runs)');
    }
    let cell: Cell | undefined;
    for (let index = 0; ; index++) {
      const position = layout.headerBytes + index * frameBytes;
      if (position >= file.size) break;
      const plan = ctx.plan(index);
      if (plan === 'stop') break;
      const loc = { file: ctx.file, frame: index };
      if (position + frameBytes > file.size) {
        throw new InputError(loc, `the file ends inside this frame (it needs bytes ${position}–${position + frameBytes}, the file has ${file.size})`, CUT_HINT);
      }
      if (plan === 'skip') continue;
      const d = new Decoder(await file.bytes(position, frameBytes, loc, 'the end of this frame'), le, marker);
      const expectMarks = (at: number, length: number, what: string): void => {
        if (d.mark(at) !== length || d.mark(at + marker + length) !== length) throw new InputError(loc, `the ${what} record does not have the ${length} bytes of the header's layout`, DAMAGED_HINT);
      };
      expectMarks(0, 48, 'unit cell');
      const p = Array.from({ length: 6 }, (_, k) => (le ? d.buf.readDoubleLE(marker + 8 * k) : d.buf.readDoubleBE(marker + 8 * k)));
      const positions = new Float64Array(3 * n);
      // a DataView reads float32 of either byte order at any alignment, several times faster than Buffer.readFloatLE
      const view = new DataView(d.buf.buffer, d.buf.byteOffset, d.buf.byteLength);
      let at = 48 + 2 * marker;
      for (let axis = 0; axis < 3; axis++) {
        expectMarks(at, 4 * n, 'xyz'[axis]);
        const base = at + marker;
        for (let i = 0; i < n; i++) positions[3 * i + axis] = view.getFloat32(base + 4 * i, le);
        at += 4 * n + 2 * marker;
      }
      const m = cellMatrix(p);
      if (!sameMatrix(cell, m)) cell = cellOrFail(m, [true, true, true], loc, `the unit cell record is ${p.join(' ')}: ${DAMAGED_HINT}`);
      const timePs = layout.deltaPs > 0 ? index * layout.nsavc * layout.deltaPs : undefined;
      yield { index, species: given.species, positions, cell: cell as Cell, timePs, info: { step: layout.istart + index * layout.nsavc } };
    }
  } finally {
    await file.close();
  }
}

export const dcdReader: BinaryTrajectoryReader = {
  name: 'dcd',
  aliases: ['charmm-dcd', 'namd-dcd'],
  extensions: ['.dcd'],
  description: 'DCD (CHARMM/NAMD/LAMMPS/CP2K: float32 Å, unit cell per frame; elements from --topology or --species)',
  sniff: () => false,
  sniffBytes: (head) => layoutOf(Buffer.from(head.buffer, head.byteOffset, head.byteLength)) !== undefined,
  readFile: readDcd,
};
