import { canonicalSymbol, type Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { cellOrFail, elementOrFail, readNumbers, sameBytes, sameMatrix, truncatedError } from './common.ts';
import { describeBadNumber, Fields, splitFields } from './fields.ts';
import type { LineReader } from './lines.ts';
import type { RawFrame, ReaderContext, TextTrajectoryReader } from './types.ts';

/**
 * LAMMPS text dump (`dump atom` / `dump custom`). Each frame: optional ITEM: UNITS (first frame only) and
 * ITEM: TIME, then ITEM: TIMESTEP, NUMBER OF ATOMS, BOX BOUNDS (orthogonal, triclinic with tilt factors, or the
 * general-triclinic `abc origin` form) and ATOMS with a column header. Atoms come out sorted by id.
 */

/** Coordinate column triples in order of preference: unwrapped first (getsei never needs them wrapped). */
const COORDINATE_SETS = [
  { names: ['xu', 'yu', 'zu'], scaled: false },
  { names: ['x', 'y', 'z'], scaled: false },
  { names: ['xsu', 'ysu', 'zsu'], scaled: true },
  { names: ['xs', 'ys', 'zs'], scaled: true },
] as const;

/** LAMMPS `units` style → factor from its time unit to ps (lj has no physical time). */
const TIME_TO_PS: Readonly<Record<string, number>> = {
  metal: 1,
  real: 1e-3,
  electron: 1e-3,
  si: 1e12,
  cgs: 1e12,
  micro: 1e6,
  nano: 1e3,
};

const FORMAT_HINT =
  'a LAMMPS text dump frame is ITEM: TIMESTEP, ITEM: NUMBER OF ATOMS, ITEM: BOX BOUNDS, ITEM: ATOMS id type x y z (see the dump command)';

interface Box {
  cell: Cell;
  origin: [number, number, number];
}

/**
 * Box from the three BOX BOUNDS lines. Triclinic bounds are the bounding box of the tilted cell; the cell edges
 * follow LAMMPS' Howto triclinic: xlo = xlo_bound − min(0, xy, xz, xy+xz), xhi = xhi_bound − max(0, xy, xz, xy+xz),
 * ylo = ylo_bound − min(0, yz), yhi = yhi_bound − max(0, yz); a = (xhi−xlo, 0, 0), b = (xy, yhi−ylo, 0),
 * c = (xz, yz, zhi−zlo).
 */
export function boxFromBounds(kind: 'orthogonal' | 'triclinic' | 'abc', rows: Float64Array, pbc: [boolean, boolean, boolean], loc: InputLocation, previous?: Cell): Box {
  const m = new Float64Array(9);
  let origin: [number, number, number];
  if (kind === 'abc') {
    // rows: ax ay az ox | bx by bz oy | cx cy cz oz
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) m[3 * r + c] = rows[4 * r + c];
    origin = [rows[3], rows[7], rows[11]];
  } else {
    let xlo = rows[0], xhi = rows[1], ylo = rows[3], yhi = rows[4];
    const zlo = rows[6], zhi = rows[7];
    let xy = 0, xz = 0, yz = 0;
    if (kind === 'triclinic') {
      xy = rows[2];
      xz = rows[5];
      yz = rows[8];
      xlo -= Math.min(0, xy, xz, xy + xz);
      xhi -= Math.max(0, xy, xz, xy + xz);
      ylo -= Math.min(0, yz);
      yhi -= Math.max(0, yz);
    }
    m[0] = xhi - xlo;
    m[3] = xy;
    m[4] = yhi - ylo;
    m[6] = xz;
    m[7] = yz;
    m[8] = zhi - zlo;
    origin = [xlo, ylo, zlo];
  }
  const cell =
    previous !== undefined && sameMatrix(previous, m) && previous.pbc.every((p, k) => p === pbc[k])
      ? previous
      : cellOrFail(m, pbc, loc, 'check the three lines after ITEM: BOX BOUNDS');
  return { cell, origin };
}

/** True for an "ITEM: …" line (leading blanks allowed), without making a trimmed copy. */
function startsWithItem(line: string): boolean {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) <= 32) i++;
  return line.startsWith('ITEM:', i);
}

/** Column roles; x, y, z are ROLE_X + 0, 1, 2. */
const ROLE_SKIP = 0, ROLE_X = 1, ROLE_Z = 3, ROLE_ID = 4, ROLE_TYPE = 5, ROLE_ELEMENT = 6;

interface AtomColumns {
  header: string;
  count: number;
  /** what each column is: ROLE_* (columns getsei does not use are skipped unparsed) */
  roles: Uint8Array;
  id: number;
  element: number;
  type: number;
  scaled: boolean;
}

function parseAtomsHeader(item: string, loc: InputLocation): AtomColumns {
  const names = splitFields(item.replace(/^\s*ITEM:\s*ATOMS/, ''));
  const col = (n: string): number => names.indexOf(n);
  const id = col('id');
  if (id < 0) {
    throw new InputError(loc, `the ATOMS columns (${names.join(' ')}) have no 'id'`, "dump the atom id, e.g. 'dump 1 all custom 100 out.dump id type x y z'");
  }
  const set = COORDINATE_SETS.find((s) => s.names.every((n) => col(n) >= 0));
  if (set === undefined) {
    throw new InputError(loc, `the ATOMS columns (${names.join(' ')}) have no coordinates`, 'dump x y z, xu yu zu, xs ys zs or xsu ysu zsu');
  }
  const element = col('element');
  const type = col('type');
  if (element < 0 && type < 0) {
    throw new InputError(loc, `the ATOMS columns (${names.join(' ')}) have neither 'element' nor 'type'`, 'dump the atom type (and give --type-map) or the element');
  }
  const roles = new Uint8Array(names.length);
  set.names.forEach((n, k) => (roles[col(n)] = ROLE_X + k));
  roles[id] = ROLE_ID;
  if (type >= 0) roles[type] = ROLE_TYPE;
  if (element >= 0) roles[element] = ROLE_ELEMENT;
  return {
    header: item,
    count: names.length,
    roles,
    id,
    element,
    type,
    scaled: set.scaled,
  };
}

async function* readLammpsDump(lines: LineReader, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const { file } = ctx;
  const f = new Fields();
  const typeToZ = new Map<number, number>();
  for (const [t, symbol] of Object.entries(ctx.typeMap ?? {})) {
    const z = elementOrFail(canonicalSymbol(symbol) ?? symbol, { file }, 'give element symbols in --type-map, e.g. --type-map 1=Li,2=S');
    typeToZ.set(Number(t), z);
  }
  const symbols: { symbol: string; z: number }[] = [];
  let columns: AtomColumns | undefined;
  let previousCell: Cell | undefined;
  let lastSpecies: Uint8Array | undefined;
  let lastIds: Float64Array | undefined;
  let unitsToPs: number | undefined;
  let index = 0;

  for (;;) {
    // --- frame header: ITEM lines up to ATOMS
    let frameLine = 0;
    let timestep: number | undefined;
    let time: number | undefined;
    let n: number | undefined;
    let box: Box | undefined;
    let atomsItem: string | undefined;
    for (;;) {
      const text = await lines.nextNonBlank();
      if (text === undefined) {
        if (frameLine === 0) break;
        throw new InputError({ file, frame: index, line: lines.lineNumber }, 'the file ends inside the header of this frame', 'the file was cut off: delete the incomplete last frame');
      }
      const loc = { file, frame: index, line: lines.lineNumber };
      if (frameLine === 0) frameLine = lines.lineNumber;
      if (!startsWithItem(text)) {
        const hint = index > 0 ? 'the previous frame has more atom lines than its NUMBER OF ATOMS says, or the file is damaged' : FORMAT_HINT;
        throw new InputError(loc, `expected an 'ITEM:' line but found '${text.trim()}'`, hint);
      }
      const item = text.trim().slice(5).trim();
      const value = async (what: string): Promise<string> => {
        const v = await lines.nextNonBlank();
        if (v === undefined) throw new InputError(loc, `the file ends before the value of ITEM: ${what}`, 'the file was cut off: delete the incomplete last frame');
        return v;
      };
      const number = (text: string, what: string, integer: boolean): number => {
        f.reset(text);
        const v = f.next() ? (integer ? f.integer() : f.number()) : NaN;
        if (!Number.isFinite(v) || !f.atEnd()) {
          throw new InputError({ file, frame: index, line: lines.lineNumber }, describeBadNumber(text.trim(), what), FORMAT_HINT);
        }
        return v;
      };
      if (item === 'TIMESTEP') {
        timestep = number(await value(item), 'the timestep', true);
      } else if (item === 'TIME') {
        time = number(await value(item), 'the time', false);
      } else if (item === 'UNITS') {
        const units = (await value(item)).trim();
        unitsToPs = TIME_TO_PS[units];
      } else if (item === 'NUMBER OF ATOMS') {
        n = number(await value(item), 'the number of atoms', true);
        if (n < 1) throw new InputError({ file, frame: index, line: lines.lineNumber }, 'the frame has no atoms', FORMAT_HINT);
      } else if (item.startsWith('BOX BOUNDS')) {
        const words = splitFields(item).slice(2);
        const kind = words[0] === 'abc' ? 'abc' : words[0] === 'xy' ? 'triclinic' : 'orthogonal';
        const flags = words.slice(kind === 'abc' ? 2 : kind === 'triclinic' ? 3 : 0);
        // boundary codes: pp periodic; f, s, m (fixed, shrink-wrapped) on either side are not; anything else (old
        // dumps without codes) is taken as periodic
        const pbc = [0, 1, 2].map((k) => !(/^[pfsm]{2}$/.test(flags[k] ?? '') && flags[k] !== 'pp')) as [boolean, boolean, boolean];
        const perRow = kind === 'orthogonal' ? 2 : kind === 'triclinic' ? 3 : 4;
        const rows = new Float64Array(12);
        const boxLine = lines.lineNumber + 1;
        for (let r = 0; r < 3; r++) {
          const t = await value(item);
          // layout boxFromBounds reads: lo hi tilt per row (stride 3), or ax ay az origin (stride 4)
          readNumbers(f.reset(t), rows, r * (kind === 'abc' ? 4 : 3), perRow, { file, frame: index, line: lines.lineNumber }, 'box bound');
        }
        box = boxFromBounds(kind, rows, pbc, { file, frame: index, line: boxLine }, previousCell);
        previousCell = box.cell;
      } else if (item.startsWith('ATOMS')) {
        atomsItem = text;
        break;
      } else {
        throw new InputError(loc, `unknown item 'ITEM: ${item}'`, FORMAT_HINT);
      }
    }
    if (frameLine === 0) break;
    const where = { file, frame: index, line: frameLine };
    if (n === undefined) throw new InputError(where, 'the frame has no ITEM: NUMBER OF ATOMS', FORMAT_HINT);
    if (box === undefined) throw new InputError(where, 'the frame has no ITEM: BOX BOUNDS', FORMAT_HINT);
    if (atomsItem === undefined) throw new InputError(where, 'the frame has no ITEM: ATOMS', FORMAT_HINT);
    const atomsLine = lines.lineNumber;
    if (columns === undefined || columns.header !== atomsItem) columns = parseAtomsHeader(atomsItem, { file, frame: index, line: atomsLine });

    const plan = ctx.plan(index);
    if (plan === 'stop') return;
    if (!(await lines.ensure(n))) throw truncatedError({ file, frame: index, line: atomsLine }, lines.available, n);
    if (plan === 'skip') {
      lines.skip(n);
      index++;
      continue;
    }
    const frame = parseAtoms(lines, f, columns, n, box, { file, frame: index }, {
      typeToZ, symbols, lastSpecies, lastIds,
    });
    lastSpecies = frame.species;
    lastIds = frame.ids;
    const info: Record<string, number> = {};
    if (timestep !== undefined) info.timestep = timestep;
    if (time !== undefined) info.time = time;
    const timePs = time !== undefined && unitsToPs !== undefined ? time * unitsToPs : undefined;
    yield {
      index,
      line: frameLine,
      species: frame.species,
      positions: frame.positions,
      cell: box.cell,
      timePs,
      info,
      ...(frame.types !== undefined ? { arrays: { type: frame.types } } : {}),
    };
    index++;
  }
  if (index === 0) throw new InputError({ file, line: 1 }, 'the file has no frames', FORMAT_HINT);
}

interface AtomState {
  typeToZ: Map<number, number>;
  /** element symbols seen in the element column, compared byte-wise so no string is made per atom */
  symbols: { symbol: string; z: number }[];
  lastSpecies?: Uint8Array;
  lastIds?: Float64Array;
}

/** Parse n atom lines, sort by id, and convert coordinates to cartesian Å relative to the box origin. */
function parseAtoms(
  lines: LineReader, f: Fields, cols: AtomColumns, n: number, box: Box, at: { file: string; frame: number }, state: AtomState,
): { species: Uint8Array; positions: Float64Array; types?: Int32Array; ids: Float64Array } {
  const ids = new Float64Array(n);
  const xyz = new Float64Array(3 * n);
  const types = cols.type >= 0 ? new Int32Array(n) : undefined;
  const elements = cols.element >= 0 ? new Uint8Array(n) : undefined;
  const firstLine = lines.lineNumber + 1;
  // error locations are built only when something is wrong: no allocation per atom line
  const here = (): InputLocation => ({ ...at, line: lines.lineNumber });
  for (let i = 0; i < n; i++) {
    lines.advance();
    if (f.line(lines).firstByte() === 73 /* I */ && startsWithItem(lines.text())) {
      throw new InputError(here(), `found '${lines.text().trim()}' where atom line ${i + 1} of ${n} was expected`, 'NUMBER OF ATOMS of this frame is larger than its number of atom lines: fix it');
    }
    for (let c = 0; c < cols.count; c++) {
      if (!f.next()) {
        throw new InputError(here(), `atom line ${i + 1} has ${c} fields but ITEM: ATOMS names ${cols.count}`, FORMAT_HINT);
      }
      const role = cols.roles[c];
      if (role === ROLE_SKIP) continue;
      if (role <= ROLE_Z) {
        const v = f.number();
        if (!Number.isFinite(v)) throw new InputError(here(), describeBadNumber(f.token(), `coordinate ${'xyz'[role - ROLE_X]}`), 'fix or remove this frame');
        xyz[3 * i + role - ROLE_X] = v;
      } else if (role === ROLE_ID || role === ROLE_TYPE) {
        const v = f.integer();
        if (!Number.isFinite(v)) throw new InputError(here(), describeBadNumber(f.token(), role === ROLE_ID ? 'the atom id' : 'the atom type'), FORMAT_HINT);
        if (role === ROLE_ID) ids[i] = v;
        else (types as Int32Array)[i] = v;
      } else {
        (elements as Uint8Array)[i] = elementOf(f, state.symbols, here);
      }
    }
    if (!f.atEnd()) throw new InputError(here(), `atom line ${i + 1} has more fields than the ${cols.count} ITEM: ATOMS names`, FORMAT_HINT);
  }

  const order = sortById(ids, { ...at, line: firstLine });
  const sortedIds = new Float64Array(n);
  for (let k = 0; k < n; k++) sortedIds[k] = ids[order[k]];
  const lastIds = state.lastIds;
  if (lastIds !== undefined && lastIds.length === n && !lastIds.every((v, k) => v === sortedIds[k])) {
    const k = lastIds.findIndex((v, j) => v !== sortedIds[j]);
    throw new InputError(
      { ...at, line: firstLine + order[k] },
      `the atom ids differ from the previous frame (id ${sortedIds[k]} here, ${lastIds[k]} there)`,
      'getsei follows atoms by id, so every frame must hold the same atoms: split the dump where atoms are added or lost',
    );
  }

  const species = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const row = order[k];
    if (elements !== undefined) {
      species[k] = elements[row];
      continue;
    }
    const t = (types as Int32Array)[row];
    const z = state.typeToZ.get(t);
    if (z === undefined) {
      const present = [...new Set(types)].sort((a, b) => a - b);
      const example = present.map((p) => `${p}=<element>`).join(',');
      throw new InputError(
        { ...at, line: firstLine + row },
        `atom type ${t} has no element (the dump has no element column, and --type-map ${state.typeToZ.size === 0 ? 'was not given' : 'does not name this type'})`,
        `give --type-map with an element for every type in the dump: --type-map ${example} (e.g. --type-map 1=Li,2=S)`,
      );
    }
    species[k] = z;
  }

  const positions = new Float64Array(3 * n);
  const m = box.cell.matrix;
  const [ox, oy, oz] = box.origin;
  for (let k = 0; k < n; k++) {
    const r = 3 * order[k];
    const a = xyz[r], b = xyz[r + 1], c = xyz[r + 2];
    if (cols.scaled) {
      // scaled coordinates are fractional in the box: r = f · H (rows of H are the edge vectors)
      positions[3 * k] = a * m[0] + b * m[3] + c * m[6];
      positions[3 * k + 1] = a * m[1] + b * m[4] + c * m[7];
      positions[3 * k + 2] = a * m[2] + b * m[5] + c * m[8];
    } else {
      positions[3 * k] = a - ox;
      positions[3 * k + 1] = b - oy;
      positions[3 * k + 2] = c - oz;
    }
  }
  let sortedTypes: Int32Array | undefined;
  if (types !== undefined) {
    sortedTypes = new Int32Array(n);
    for (let k = 0; k < n; k++) sortedTypes[k] = types[order[k]];
  }
  const last = state.lastSpecies;
  return {
    species: last !== undefined && sameBytes(last, species) ? last : species,
    positions,
    ids: lastIds !== undefined && lastIds.length === n ? lastIds : sortedIds,
    ...(sortedTypes !== undefined ? { types: sortedTypes } : {}),
  };
}

/** Atomic number of the element symbol in the current field. */
function elementOf(f: Fields, symbols: { symbol: string; z: number }[], here: () => InputLocation): number {
  for (const s of symbols) if (f.tokenIs(s.symbol)) return s.z;
  const symbol = f.token();
  const z = elementOrFail(symbol, here(), 'write element symbols in the element column (dump_modify element …)');
  symbols.push({ symbol, z });
  return z;
}

/** Row order that sorts atoms by id; ids 1…n (the usual case) are placed directly, others are sorted. */
function sortById(ids: Float64Array, loc: InputLocation): Int32Array {
  const n = ids.length;
  const order = new Int32Array(n).fill(-1);
  let direct = true;
  for (let i = 0; i < n; i++) {
    const slot = ids[i] - 1;
    if (slot < 0 || slot >= n || order[slot] !== -1) {
      direct = false;
      break;
    }
    order[slot] = i;
  }
  if (direct) return order;
  const rows = Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a] - ids[b]);
  for (let k = 1; k < n; k++) {
    if (ids[rows[k]] === ids[rows[k - 1]]) {
      throw new InputError({ ...loc, line: (loc.line ?? 0) + rows[k] }, `atom id ${ids[rows[k]]} appears twice in this frame`, 'each atom must appear once per frame');
    }
  }
  return Int32Array.from(rows);
}

/** First non-blank line is an ITEM: (TIMESTEP, or UNITS/TIME written before it). */
function sniffLammps(head: readonly string[]): boolean {
  const first = head.find((l) => l.trim() !== '');
  return first !== undefined && /^\s*ITEM:\s*(TIMESTEP|UNITS|TIME)\s*$/.test(first);
}

export const lammpsDumpReader: TextTrajectoryReader = {
  name: 'lammps-dump',
  aliases: ['lammps', 'lammpstrj', 'dump', 'lammps-dump-text'],
  extensions: ['.lammpstrj', '.dump', '.lammpsdump'],
  fileNamePattern: /^dump\./,
  description: 'LAMMPS text dump (orthogonal or triclinic box; x/xs/xu/xsu columns; --type-map for numeric types)',
  sniff: sniffLammps,
  read: readLammpsDump,
};
