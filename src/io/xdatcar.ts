import { determinant3, toCartesian, type Cell } from '../structure/index.ts';
import { InputError } from '../util/errors.ts';
import { cellOrFail, elementOrFail, readNumbers, readTriple, sameMatrix, truncatedError } from './common.ts';
import { describeBadNumber, Fields, looksNumeric, parseNumber, splitFields } from './fields.ts';
import type { LineReader } from './lines.ts';
import type { RawFrame, ReaderContext, TextTrajectoryReader } from './types.ts';

/**
 * VASP 5 XDATCAR. A header (title, scale, three lattice rows, species line, counts line) and then one block per
 * frame, "Direct configuration= N" or "Cartesian configuration= N" followed by one line per atom. NPT runs repeat
 * the whole header before every block; a header may therefore appear before any block and replaces the cell.
 */
interface Header {
  cell: Cell;
  species: Uint8Array;
  /** multiplies Cartesian coordinates as it multiplies the lattice (POSCAR convention) */
  scale: [number, number, number];
}

const HEADER_HINT = 'an XDATCAR header is: title, scale factor, three lattice vector lines, element symbols, atom counts';

async function readHeader(lines: LineReader, file: string, frame: number): Promise<Header> {
  if (!(await lines.ensure(7))) {
    const line = lines.lineNumber + lines.available + 1;
    throw new InputError({ file, frame, line }, 'the file ends inside an XDATCAR header', HEADER_HINT);
  }
  const f = new Fields();
  lines.next(); // title: free text
  const scaleLine = lines.next() as string;
  const scaleLoc = { file, frame, line: lines.lineNumber };
  const scaleFields = splitFields(scaleLine);
  const scaleValues = scaleFields.map((t) => parseNumber(t));
  if ((scaleFields.length !== 1 && scaleFields.length !== 3) || !scaleValues.every((v) => Number.isFinite(v))) {
    throw new InputError(scaleLoc, `expected the scale factor (one number, or three) but found '${scaleLine.trim()}'`, HEADER_HINT);
  }
  const lattice = new Float64Array(9);
  const latticeLine = lines.lineNumber + 1;
  for (let r = 0; r < 3; r++) {
    const text = lines.next() as string;
    readNumbers(f.reset(text), lattice, 3 * r, 3, { file, frame, line: lines.lineNumber }, 'lattice vector component');
  }
  let scale: [number, number, number];
  if (scaleFields.length === 3) {
    scale = scaleValues as [number, number, number];
  } else {
    const s = scaleValues[0];
    // VASP: a negative scale factor is the cell volume (Å³); the lattice is scaled to reach it
    const k = s < 0 ? Math.cbrt(-s / Math.abs(determinant3(lattice))) : s;
    scale = [k, k, k];
  }
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) lattice[3 * r + c] *= scale[c];
  const cell = cellOrFail(lattice, [true, true, true], { file, frame, line: latticeLine }, 'check the three lattice vector lines and the scale factor of the header');

  const speciesLine = lines.next() as string;
  const speciesLoc = { file, frame, line: lines.lineNumber };
  if (looksNumeric(speciesLine)) {
    throw new InputError(
      speciesLoc,
      'this XDATCAR has no line of element symbols after the lattice vectors (VASP 4 format)',
      "add one, e.g. 'Li P S Cl', in the order of the counts line (VASP 5 writes it)",
    );
  }
  const symbols = splitFields(speciesLine).map((s) => s.split(/[_/.]/)[0]);
  const countsLine = lines.next() as string;
  const countsLoc = { file, frame, line: lines.lineNumber };
  const counts = splitFields(countsLine).map((t) => {
    const v = f.reset(t).next() ? f.integer() : NaN;
    if (!(v >= 0)) throw new InputError(countsLoc, `${describeBadNumber(t, 'atom count')} (must be a whole number ≥ 0)`, HEADER_HINT);
    return v;
  });
  if (counts.length !== symbols.length) {
    throw new InputError(countsLoc, `${symbols.length} element symbols (${symbols.join(' ')}) but ${counts.length} atom counts`, 'give one count per element');
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) throw new InputError(countsLoc, 'the atom counts add up to zero', HEADER_HINT);
  const species = new Uint8Array(total);
  let at = 0;
  for (let s = 0; s < symbols.length; s++) {
    const z = elementOrFail(symbols[s], speciesLoc, "write element symbols (e.g. 'Li P S Cl') on the line after the lattice vectors");
    species.fill(z, at, at + counts[s]);
    at += counts[s];
  }
  return { cell, species, scale };
}

/** Lines that open a frame block: "Direct configuration= 3", "Cartesian configuration=", or a bare "Direct". */
function isBlockLine(line: string): boolean {
  return /^\s*(direct|cartesian)\b/i.test(line) || /configuration/i.test(line);
}

/**
 * After a frame's n atom lines comes a block line, a new header (variable cell) or the end. A line of exactly three
 * numbers there is one more coordinate line: the counts add up to fewer atoms than the block has, so every atom
 * after the shortfall would get the wrong species. (A header's title line is the system's name, never three numbers.)
 */
async function refuseExtraAtomLines(lines: LineReader, file: string, frame: number, n: number, countHint: string): Promise<void> {
  const next = await lines.peekNonBlank();
  if (next === undefined || isBlockLine(next)) return;
  if (splitFields(next).length === 3 && looksNumeric(next)) {
    throw new InputError({ file, frame, line: lines.lineNumber + 1 }, `found a coordinate line '${next.trim()}' after the ${n} atom lines of this frame`, countHint);
  }
}

/** Cheap pre-test for atom lines: a coordinate line never starts with a letter, a block line always does. */
function isLetter(c: number): boolean {
  return (c | 32) >= 97 && (c | 32) <= 122;
}

async function* readXdatcar(lines: LineReader, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const { file } = ctx;
  const f = new Fields();
  let header: Header | undefined;
  let index = 0;
  for (;;) {
    const next = await lines.peekNonBlank();
    if (next === undefined) break;
    if (header === undefined || !isBlockLine(next)) {
      const h: Header = await readHeader(lines, file, index);
      // keep one Cell object while the cell does not change, so consumers can tell a constant cell cheaply
      if (header !== undefined && sameMatrix(header.cell, h.cell.matrix)) h.cell = header.cell;
      header = h;
      continue;
    }
    const blockText = lines.next() as string;
    const blockLine = lines.lineNumber;
    const cartesian = /^\s*[ck]/i.test(blockText);
    const configuration = /configuration\s*=?\s*(\d+)/i.exec(blockText);
    const plan = ctx.plan(index);
    if (plan === 'stop') return;
    const n = header.species.length;
    if (!(await lines.ensure(n))) {
      throw truncatedError({ file, frame: index, line: blockLine }, lines.available, n);
    }
    const countHint = `the atom counts of the header add up to ${n}; they must match the number of coordinate lines of each frame`;
    if (plan === 'skip') {
      // no numbers parsed, but a block line among the atom lines still means the counts are wrong
      for (let i = 0; i < n; i++) {
        lines.advance();
        if (isLetter(f.line(lines).firstByte()) && isBlockLine(lines.text())) {
          throw new InputError({ file, frame: index, line: lines.lineNumber }, `found '${lines.text().trim()}' where atom line ${i + 1} of ${n} was expected`, countHint);
        }
      }
      await refuseExtraAtomLines(lines, file, index, n, countHint);
      index++;
      continue;
    }
    const positions = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      lines.advance();
      if (readTriple(f.line(lines), positions, 3 * i)) continue;
      const loc = { file, frame: index, line: lines.lineNumber };
      const text = lines.text();
      if (isLetter(f.line(lines).firstByte()) && isBlockLine(text)) throw new InputError(loc, `found '${text.trim()}' where atom line ${i + 1} of ${n} was expected`, countHint);
      readNumbers(f.line(lines), positions, 3 * i, 3, loc, 'coordinate');
    }
    const { cell, scale } = header;
    if (cartesian) {
      for (let i = 0; i < positions.length; i += 3) {
        positions[i] *= scale[0];
        positions[i + 1] *= scale[1];
        positions[i + 2] *= scale[2];
      }
    } else {
      toCartesian(cell, positions, positions); // Direct (fractional) → cartesian in place
    }
    await refuseExtraAtomLines(lines, file, index, n, countHint);
    const info = configuration ? { configuration: Number(configuration[1]) } : undefined;
    yield { index, line: blockLine, species: header.species, positions, cell, info };
    index++;
  }
  if (header === undefined) throw new InputError({ file, line: lines.lineNumber + 1 }, 'the file is empty', 'give a VASP 5 XDATCAR');
  if (index === 0) {
    throw new InputError({ file, line: lines.lineNumber + 1 }, 'the XDATCAR has a header but no "Direct configuration=" frames', 'the run may have stopped before its first frame');
  }
}


/** Header shape: a scale line, three lines of three numbers, then a line that is not numeric (the species). */
function sniffXdatcar(head: readonly string[]): boolean {
  if (head.length < 7) return false;
  const threeNumbers = (s: string): boolean => splitFields(s).length === 3 && looksNumeric(s);
  const scale = splitFields(head[1]);
  return (
    (scale.length === 1 || scale.length === 3) &&
    looksNumeric(head[1]) &&
    threeNumbers(head[2]) &&
    threeNumbers(head[3]) &&
    threeNumbers(head[4]) &&
    looksNumeric(head[6]) &&
    head.slice(7, 9).some((l) => isBlockLine(l))
  );
}

export const xdatcarReader: TextTrajectoryReader = {
  name: 'xdatcar',
  aliases: ['vasp-xdatcar', 'vasp', 'XDATCAR'],
  extensions: ['.xdatcar'],
  fileNamePattern: /xdatcar/i,
  description: 'VASP 5 XDATCAR (constant or variable cell, Direct or Cartesian)',
  sniff: sniffXdatcar,
  read: readXdatcar,
};
