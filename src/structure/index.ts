export { atomicNumber, canonicalSymbol, symbolOf } from './elements.ts';
export {
  type Cell, makeCell, cellVolume, perpendicularWidths, toFractional, toCartesian, wrapPositions, determinant3, inverse3,
} from './cell.ts';
export { type Frame, atomCount } from './frame.ts';
