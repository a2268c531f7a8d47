import { symbolOf, type Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { cellOrFail, elementOrFail, readNumbers, sameBytes, sameMatrix, TIME_KEYS, truncatedError } from './common.ts';
import { describeBadNumber, Fields, parseInteger, parseNumber } from './fields.ts';
import type { LineReader } from './lines.ts';
import type { AtomArrays, InfoValue, RawFrame, ReaderContext, TextTrajectoryReader } from './types.ts';

/**
 * Extended XYZ as ASE and libAtoms/QUIP write it: a count line, a comment line of key=value pairs (Lattice,
 * Properties, pbc, time, …) and one line per atom whose columns the Properties key declares.
 */

/** One key=value pair of the comment line; `quoted` tells "T" (a string) from T (a boolean) where it matters. */
interface KeyValue {
  key: string;
  value: string;
  quoted: boolean;
}

/**
 * Split an extended XYZ comment line into key=value pairs. Values may be bare, "double-quoted" (with \" and \\
 * escapes) or {braced}; a key without '=' means true (libAtoms convention). Throws a plain Error on bad syntax.
 */
export function parseCommentLine(line: string): KeyValue[] {
  const out: KeyValue[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: number): boolean => c <= 32;
  const readWord = (stopAtEquals: boolean): { text: string; quoted: boolean } => {
    const c = line[i];
    if (c === '"' || c === "'") {
      const quote = c;
      let text = '';
      i++;
      while (i < n && line[i] !== quote) {
        if (line[i] === '\\' && i + 1 < n) i++;
        text += line[i++];
      }
      if (i >= n) throw new Error(`a ${quote === '"' ? 'double' : 'single'} quote is not closed`);
      i++;
      return { text, quoted: true };
    }
    if (c === '{') {
      const end = line.indexOf('}', i);
      if (end < 0) throw new Error("a '{' is not closed");
      const text = line.slice(i + 1, end);
      i = end + 1;
      return { text, quoted: true };
    }
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i)) && !(stopAtEquals && line[i] === '=')) i++;
    return { text: line.slice(start, i), quoted: false };
  };
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const key = readWord(true).text;
    if (key === '') throw new Error(`a value without a key at column ${i + 1}`);
    let j = i;
    while (j < n && isSpace(line.charCodeAt(j))) j++;
    if (line[j] === '=') {
      i = j + 1;
      while (i < n && isSpace(line.charCodeAt(i))) i++;
      if (i >= n) {
        out.push({ key, value: '', quoted: true });
        break;
      }
      const v = readWord(false);
      out.push({ key, value: v.text, quoted: v.quoted });
    } else {
      out.push({ key, value: 'T', quoted: false });
    }
  }
  return out;
}

const TRUE = new Set(['T', 'True', 'true', 'TRUE']);
const FALSE = new Set(['F', 'False', 'false', 'FALSE']);

/** A metadata value as its natural type: boolean (T/F/True/False), integer, float, else the string. */
export function interpretValue(value: string): InfoValue {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  const t = value.trim();
  if (t !== '' && !/\s/.test(t)) {
    const asInt = parseInteger(t);
    if (Number.isFinite(asInt)) return asInt;
    const asFloat = parseNumber(t);
    if (Number.isFinite(asFloat)) return asFloat;
  }
  return value;
}


type Role = 'species' | 'Z' | 'pos' | 'int' | 'real' | 'skip';

interface Column {
  name: string;
  type: 'S' | 'R' | 'I' | 'L';
  count: number;
  role: Role;
}

const PROPERTIES_HINT = 'write Properties=species:S:1:pos:R:3[:name:type:count…] with types S, R, I or L (ASE writes this)';

function parseProperties(value: string, loc: InputLocation): Column[] {
  const parts = value.split(':');
  if (parts.length % 3 !== 0 || parts.length === 0) {
    throw new InputError(loc, `Properties='${value}' is not a list of name:type:count triples`, PROPERTIES_HINT);
  }
  const columns: Column[] = [];
  for (let k = 0; k < parts.length; k += 3) {
    const name = parts[k];
    const type = parts[k + 1].toUpperCase();
    const count = Number(parts[k + 2]);
    if (type !== 'S' && type !== 'R' && type !== 'I' && type !== 'L') {
      throw new InputError(loc, `Properties: column '${name}' has type '${parts[k + 1]}'`, PROPERTIES_HINT);
    }
    if (!Number.isInteger(count) || count < 1) {
      throw new InputError(loc, `Properties: column '${name}' has count '${parts[k + 2]}'`, PROPERTIES_HINT);
    }
    columns.push({ name, type, count, role: 'skip' });
  }
  const find = (names: string[], type: string, count: number): Column | undefined =>
    columns.find((c) => names.includes(c.name.toLowerCase()) && c.type === type && c.count === count);
  const pos = find(['pos', 'positions'], 'R', 3);
  if (pos === undefined) {
    throw new InputError(loc, `Properties='${value}' has no positions (pos:R:3)`, PROPERTIES_HINT);
  }
  pos.role = 'pos';
  const species = find(['species', 'symbols', 'element'], 'S', 1);
  const z = find(['z', 'numbers'], 'I', 1);
  if (species !== undefined) species.role = 'species';
  else if (z !== undefined) z.role = 'Z';
  else throw new InputError(loc, `Properties='${value}' has neither species:S:1 nor Z:I:1`, PROPERTIES_HINT);
  for (const c of columns) {
    if (c.role !== 'skip') continue;
    if (c.type === 'I') c.role = 'int';
    else if (c.type === 'R') c.role = 'real';
  }
  return columns;
}

const LATTICE_HINT =
  'getsei needs periodic cells: write the frames from ASE Atoms with a cell (atoms.cell and pbc=True), ' +
  'or add Lattice="ax ay az bx by bz cx cy cz" (Å) to each comment line';

interface FrameHeader {
  cell: Cell;
  columns: Column[];
  timePs?: number;
  info: Record<string, InfoValue>;
}

function parseHeader(comment: string, loc: InputLocation, previous: FrameHeader | undefined, propertiesText: { value: string }): FrameHeader {
  let pairs: KeyValue[];
  try {
    pairs = parseCommentLine(comment);
  } catch (err) {
    throw new InputError(loc, `the comment line cannot be read as key=value pairs: ${(err as Error).message}`, 'fix the quoting of this line');
  }
  let lattice: string | undefined;
  let properties = 'species:S:1:pos:R:3';
  let pbc: [boolean, boolean, boolean] = [true, true, true];
  let timePs: number | undefined;
  const info: Record<string, InfoValue> = {};
  for (const { key, value, quoted } of pairs) {
    const lower = key.toLowerCase();
    if (lower === 'lattice') lattice = value;
    else if (lower === 'properties') properties = value;
    else if (lower === 'pbc') {
      const flags = value.trim().split(/\s+/);
      if (flags.length !== 3 || !flags.every((t) => TRUE.has(t) || FALSE.has(t))) {
        throw new InputError(loc, `pbc="${value}" is not three T/F flags`, 'write pbc="T T T"');
      }
      pbc = flags.map((t) => TRUE.has(t)) as [boolean, boolean, boolean];
    } else {
      const v = quoted && (value === 'T' || value === 'F') ? value : interpretValue(value);
      info[key] = v;
      const factor = TIME_KEYS[key];
      if (factor !== undefined) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(loc, `${key}=${value} is not a number`, 'fix the time of this frame');
        timePs = v * factor;
      }
    }
  }
  if (lattice === undefined) throw new InputError(loc, 'the comment line has no Lattice="…" (no periodic cell)', LATTICE_HINT);
  const m = new Float64Array(9);
  const f = new Fields().reset(lattice);
  readNumbers(f, m, 0, 9, loc, 'Lattice component');
  if (!f.atEnd()) throw new InputError(loc, `Lattice="${lattice}" has more than 9 numbers`, LATTICE_HINT);
  const cell =
    previous !== undefined && sameMatrix(previous.cell, m) && previous.cell.pbc.every((p, k) => p === pbc[k])
      ? previous.cell
      : cellOrFail(m, pbc, loc, 'check the Lattice key of this frame');
  const columns = previous !== undefined && propertiesText.value === properties ? previous.columns : parseProperties(properties, loc);
  propertiesText.value = properties;
  return { cell, columns, timePs, info };
}

const SPECIES_HINT = 'write element symbols (Li, P, S, …) in the species column';

async function* readExtxyz(lines: LineReader, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const { file } = ctx;
  const f = new Fields();
  const symbolCache = new Map<string, number>();
  let header: FrameHeader | undefined;
  const propertiesText = { value: '' };
  let lastSpecies: Uint8Array | undefined;
  let index = 0;
  for (;;) {
    const countText = await lines.nextNonBlank();
    if (countText === undefined) break;
    const countLine = lines.lineNumber;
    const loc = { file, frame: index, line: countLine };
    f.reset(countText);
    const n = f.next() ? f.integer() : NaN;
    if (!(n >= 1) || !f.atEnd()) {
      const hint = index === 0
        ? 'an extended XYZ frame starts with a line holding the number of atoms'
        : 'the previous frame has more atom lines than its count line says, or this line is damaged';
      throw new InputError(loc, `expected the number of atoms but found '${countText.trim()}'`, hint);
    }
    if (!(await lines.ensure(n + 1))) {
      if (lines.available === 0) throw new InputError(loc, 'the file ends after the count line of this frame', 'the file was cut off: delete this incomplete last frame');
      throw truncatedError(loc, lines.available - 1, n);
    }
    const comment = lines.next() as string;
    const plan = ctx.plan(index);
    if (plan === 'stop') return;
    if (plan === 'skip') {
      lines.skip(n);
      index++;
      continue;
    }
    header = parseHeader(comment, { file, frame: index, line: lines.lineNumber }, header, propertiesText);
    const { columns } = header;
    const species = new Uint8Array(n);
    const positions = new Float64Array(3 * n);
    const arrays: Record<string, Int32Array | Float64Array> = {};
    for (const c of columns) {
      if (c.role === 'int') arrays[c.name] = new Int32Array(n * c.count);
      else if (c.role === 'real') arrays[c.name] = new Float64Array(n * c.count);
    }
    // error locations are built only when something is wrong: no allocation per atom line
    const here = (): InputLocation => ({ file, frame: index, line: lines.lineNumber });
    for (let i = 0; i < n; i++) {
      lines.advance();
      f.line(lines);
      for (const c of columns) {
        for (let k = 0; k < c.count; k++) {
          if (!f.next()) throw missingField(here(), lines.text(), c, i, n);
          switch (c.role) {
            case 'species': {
              const prev = lastSpecies !== undefined && i < lastSpecies.length ? lastSpecies[i] : 0;
              if (prev !== 0 && f.tokenIs(symbolOf(prev))) {
                species[i] = prev;
              } else {
                const token = f.token();
                let z = symbolCache.get(token);
                if (z === undefined) {
                  if (/^\s*\d+\s*$/.test(lines.text())) throw countLineInsideFrame(here(), lines.text(), i, n);
                  z = elementOrFail(token, here(), SPECIES_HINT);
                  symbolCache.set(token, z);
                }
                species[i] = z;
              }
              break;
            }
            case 'pos': {
              const v = f.number();
              if (!Number.isFinite(v)) throw new InputError(here(), describeBadNumber(f.token(), `coordinate ${k + 1} of atom ${i}`), 'fix or remove this frame');
              positions[3 * i + k] = v;
              break;
            }
            case 'Z': {
              const z = f.integer();
              if (!(z >= 1 && z <= 94)) throw new InputError(here(), `'${f.token()}' in column Z is not an atomic number`, SPECIES_HINT);
              species[i] = z;
              break;
            }
            case 'int': {
              const v = f.integer();
              if (!Number.isFinite(v) || v > 2147483647 || v < -2147483648) {
                throw new InputError(here(), `'${f.token()}' in the integer column ${c.name} is not a 32-bit integer`, 'fix the column or declare it as R or S in Properties');
              }
              (arrays[c.name] as Int32Array)[i * c.count + k] = v;
              break;
            }
            case 'real': {
              const v = f.number();
              if (!Number.isFinite(v)) throw new InputError(here(), describeBadNumber(f.token(), `the value of column ${c.name}`), 'fix or remove this frame');
              (arrays[c.name] as Float64Array)[i * c.count + k] = v;
              break;
            }
            case 'skip':
              break;
          }
        }
      }
      if (!f.atEnd()) {
        const declared = columns.reduce((a, c) => a + c.count, 0);
        throw new InputError(here(), `atom line ${i + 1} has more than the ${declared} fields Properties declares`, PROPERTIES_HINT);
      }
    }
    const sameAsLast = lastSpecies !== undefined && sameBytes(lastSpecies, species);
    lastSpecies = sameAsLast ? lastSpecies : species;
    const frame: RawFrame = {
      index,
      line: countLine,
      species: lastSpecies as Uint8Array,
      positions,
      cell: header.cell,
      timePs: header.timePs,
      info: header.info,
      ...(Object.keys(arrays).length > 0 ? { arrays: arrays as AtomArrays } : {}),
    };
    yield frame;
    index++;
  }
  if (index === 0) throw new InputError({ file, line: 1 }, 'the file has no frames', 'give an extended XYZ file with at least one frame');
}

/** A lone integer where an atom line should be: the count line of the next frame, so this frame's count is too large. */
function countLineInsideFrame(at: InputLocation, text: string, i: number, n: number): InputError {
  return new InputError(
    at,
    `found what looks like the count line of the next frame ('${text.trim()}') where atom line ${i + 1} of ${n} was expected`,
    'the count line of this frame says more atoms than the frame has lines: fix the count',
  );
}

function missingField(at: InputLocation, text: string, c: Column, i: number, n: number): InputError {
  if (/^\s*\d+\s*$/.test(text)) return countLineInsideFrame(at, text, i, n);
  return new InputError(at, `atom line ${i + 1} ends before column ${c.name} (${c.type}, ${c.count} values)`, PROPERTIES_HINT);
}

/** A count line, then a comment line with key=value pairs (Lattice= or Properties=). */
function sniffExtxyz(head: readonly string[]): boolean {
  const first = head.findIndex((l) => l.trim() !== '');
  if (first < 0 || first + 1 >= head.length) return false;
  return /^\s*\d+\s*$/.test(head[first]) && /(^|\s)(Lattice|Properties)\s*=/i.test(head[first + 1]);
}

export const extxyzReader: TextTrajectoryReader = {
  name: 'extxyz',
  aliases: ['xyz', 'extended-xyz', 'exyz'],
  extensions: ['.extxyz', '.xyz', '.exyz'],
  description: 'extended XYZ as ASE writes it (Lattice, Properties, pbc, time)',
  sniff: sniffExtxyz,
  read: readExtxyz,
};
