/** Element symbols by atomic number (index = Z). Enough for any MD of battery materials. */
const SYMBOLS = [
  'X', 'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar', 'K', 'Ca',
  'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr', 'Rb', 'Sr', 'Y',
  'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe', 'Cs', 'Ba', 'La', 'Ce',
  'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu', 'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir',
  'Pt', 'Au', 'Hg', 'Tl', 'Pb', 'Bi', 'Po', 'At', 'Rn', 'Fr', 'Ra', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu',
] as const;

const Z_BY_SYMBOL = new Map<string, number>(SYMBOLS.map((s, z) => [s.toLowerCase(), z]));

/** Atomic number of an element symbol (case-insensitive), or undefined when it is not an element. */
export function atomicNumber(symbol: string): number | undefined {
  const z = Z_BY_SYMBOL.get(symbol.trim().toLowerCase());
  return z === undefined || z === 0 ? undefined : z;
}

/** Canonical symbol ("li" → "Li"), or undefined when it is not an element. */
export function canonicalSymbol(symbol: string): string | undefined {
  const z = atomicNumber(symbol);
  return z === undefined ? undefined : SYMBOLS[z];
}

export function symbolOf(z: number): string {
  const s = SYMBOLS[z];
  if (s === undefined || z === 0) throw new RangeError(`no element with atomic number ${z}`);
  return s;
}
