/**
 * Species for formats that store none (XTC, DCD): `--species Li:24,P:4,S:20,Cl:4` (elements in atom order, each
 * with the number of consecutive atoms it covers) or `--topology FILE` (the first frame of any file getsei reads).
 */
import { atomicNumber, canonicalSymbol } from '../structure/index.ts';
import { GetseiError } from '../util/errors.ts';

const SPECIES_HINT = 'write the elements in atom order with their counts, e.g. --species Li:24,P:4,S:20,Cl:4';

/** "Li:24,P:4,S:20,Cl:4" → atomic numbers of 52 atoms; a symbol without a count is one atom. */
export function parseSpeciesList(spec: string): Uint8Array {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*([A-Za-z]{1,3})\s*(?:[:*x]\s*(\d+))?\s*$/.exec(part);
    const symbol = m === null ? undefined : canonicalSymbol(m[1]);
    if (m === null || symbol === undefined) throw new GetseiError(`--species: cannot read '${part.trim()}'; ${SPECIES_HINT}`);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (!Number.isSafeInteger(count) || count < 1 || out.length + count > 1e8) throw new GetseiError(`--species: '${part.trim()}' needs a count ≥ 1; ${SPECIES_HINT}`);
    const z = atomicNumber(symbol) as number;
    for (let i = 0; i < count; i++) out.push(z);
  }
  return Uint8Array.from(out);
}

/** Species a reader was given, and where they came from (for messages). */
export interface GivenSpecies {
  readonly species: Uint8Array;
  /** "--species" or "--topology FILE" */
  readonly source: string;
}

/** The hint of a reader whose format stores no elements and that was given none. */
export function needSpeciesHint(format: string): string {
  return `${format} files store no elements: give them with --topology FILE (a structure or trajectory file getsei reads, ` +
    'e.g. an extended XYZ or LAMMPS dump of the same atoms in the same order) or --species Li:24,P:4,… (elements in atom order)';
}
