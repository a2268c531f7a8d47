/**
 * Inputs for the run-cases and fuzz tests, made from the bundled example (examples/Li6PS5Cl-50p-500K, 416 atoms):
 * its first frames as XDATCAR text, the same frames as extended XYZ and LAMMPS dump, and seeded mutations.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRng } from '../../src/util/rng.ts';

const EXAMPLE = new URL('../../examples/Li6PS5Cl-50p-500K/run1.XDATCAR.gz', import.meta.url);

/** Edit a file given as lines (the array may be changed in place) and return the new lines. */
export type Mutation = (lines: string[]) => string[];

export interface ExampleFrame {
  symbols: string[];
  /** rows a, b, c (Å) */
  cell: number[];
  /** cartesian Å, xyz interleaved */
  positions: number[];
}

export interface ExampleXdatcar {
  readonly atoms: number;
  readonly lines: readonly string[];
  readonly frames: readonly ExampleFrame[];
  /** the XDATCAR text after `m` edits a copy of its lines */
  mutate(m: Mutation): string;
}

/** The first `nFrames` frames of the bundled example, as XDATCAR lines and parsed frames. */
export function exampleXdatcar(nFrames: number): ExampleXdatcar {
  const all = gunzipSync(readFileSync(EXAMPLE)).toString('utf8').split('\n');
  const counts = all[6].trim().split(/\s+/).map(Number);
  const names = all[5].trim().split(/\s+/);
  const atoms = counts.reduce((a, b) => a + b, 0);
  const lines = all.slice(0, 7 + nFrames * (atoms + 1));
  const cell = [2, 3, 4].flatMap((i) => lines[i].trim().split(/\s+/).map(Number));
  const symbols = names.flatMap((s, k) => Array<string>(counts[k]).fill(s));
  const frames: ExampleFrame[] = [];
  for (let f = 0; f < nFrames; f++) {
    const positions: number[] = [];
    for (let i = 0; i < atoms; i++) {
      const s = lines[7 + f * (atoms + 1) + 1 + i].trim().split(/\s+/).map(Number);
      for (let d = 0; d < 3; d++) positions.push(s[0] * cell[d] + s[1] * cell[3 + d] + s[2] * cell[6 + d]);
    }
    frames.push({ symbols, cell, positions });
  }
  return { atoms, lines, frames, mutate: (m) => m([...lines]).join('\n') + '\n' };
}

const fmt = (v: number): string => v.toFixed(6);

/** The frames as extended XYZ; `edit(frame, lines)` may change each frame's lines (count, comment, atoms). */
export function toExtxyz(frames: readonly ExampleFrame[], edit: (frame: number, lines: string[]) => string[] = (_, l) => l): string {
  return frames.map((fr, f) => {
    const lines = [
      String(fr.symbols.length),
      `Lattice="${fr.cell.map(fmt).join(' ')}" Properties=species:S:1:pos:R:3 pbc="T T T"`,
      ...fr.symbols.map((s, i) => `${s} ${fmt(fr.positions[3 * i])} ${fmt(fr.positions[3 * i + 1])} ${fmt(fr.positions[3 * i + 2])}`),
    ];
    return edit(f, lines).join('\n') + '\n';
  }).join('');
}

/**
 * The frames as a LAMMPS dump with an element column (orthogonal box from the cell's diagonal: the example's cell is
 * cubic to 1e-5); `edit(frame, lines)` may change each frame's lines (line 9 is the first atom line).
 */
export function toLammpsDump(frames: readonly ExampleFrame[], edit: (frame: number, lines: string[]) => string[] = (_, l) => l): string {
  return frames.map((fr, f) => {
    const lines = [
      'ITEM: TIMESTEP', String(100 * f), 'ITEM: NUMBER OF ATOMS', String(fr.symbols.length), 'ITEM: BOX BOUNDS pp pp pp',
      `0.0 ${fmt(fr.cell[0])}`, `0.0 ${fmt(fr.cell[4])}`, `0.0 ${fmt(fr.cell[8])}`, 'ITEM: ATOMS id element x y z',
      ...fr.symbols.map((s, i) => `${i + 1} ${s} ${fmt(fr.positions[3 * i])} ${fmt(fr.positions[3 * i + 1])} ${fmt(fr.positions[3 * i + 2])}`),
    ];
    return edit(f, lines).join('\n') + '\n';
  }).join('');
}

const MANGLED = ['nan', 'NaN', 'inf', '-Infinity', '1e309', '1e200', '-1e200', '', 'abc', '1,5', '0x10', '1e', '--1', '1.2.3', '9'.repeat(40)];

/**
 * One seeded mutation of a text, of the kinds a damaged file shows: truncation, a byte flip, a dropped or
 * duplicated line, a mangled number. Returns the mutant and a short description for failure messages.
 */
export function mutate(text: string, seed: number): { text: string; what: string } {
  const rng = createRng(seed);
  const lines = text.split('\n');
  const pick = (n: number): number => rng.int(n);
  const kind = pick(5);
  if (kind === 0) {
    const at = pick(text.length);
    return { text: text.slice(0, at), what: `truncated at byte ${at}` };
  }
  if (kind === 1) {
    const at = pick(text.length);
    const b = Buffer.from(text, 'latin1');
    b[at] = pick(256);
    return { text: b.toString('latin1'), what: `byte ${at} set to ${b[at]}` };
  }
  const i = pick(lines.length);
  if (kind === 2) {
    lines.splice(i, 1);
    return { text: lines.join('\n'), what: `line ${i + 1} dropped` };
  }
  if (kind === 3) {
    lines.splice(i, 0, lines[i]);
    return { text: lines.join('\n'), what: `line ${i + 1} duplicated` };
  }
  const fields = lines[i].split(/(\s+)/);
  const numeric = fields.map((f, k) => (/^[-+]?[0-9.]+([eE][-+]?\d+)?$/.test(f) ? k : -1)).filter((k) => k >= 0);
  if (numeric.length === 0) return { text, what: `line ${i + 1} has no number to mangle (unchanged)` };
  const k = numeric[pick(numeric.length)];
  fields[k] = MANGLED[pick(MANGLED.length)];
  lines[i] = fields.join('');
  return { text: lines.join('\n'), what: `line ${i + 1}: number ${k} → '${fields[k]}'` };
}
