/**
 * Trajectory input: streaming readers for VASP XDATCAR, extended XYZ, LAMMPS dumps (gzip or not), ASE .traj, CP2K, XTC,
 * DCD, H5MD and AMBER NetCDF in a registry
 * keyed by name, extension and content, and the trajectory layer on top (selection, segments, checks, summary).
 */
export type { ReadOptions, RawFrame, TrajectoryFrame, TrajectoryReader, TextTrajectoryReader, BinaryTrajectoryReader, ReaderContext, FramePlan, AtomArrays, InfoValue } from './types.ts';
export { registerReader, getReader, detectReader, listReaders, formatNames, readerForPath } from './registry.ts';
export {
  readTrajectory, summarizeTrajectory, frameIntervalPs, requireFrameIntervalPs, assertHasLithium, selectionOf,
  type TrajectorySummary, type Selection,
} from './trajectory.ts';
export { LineReader, isGzipFile } from './lines.ts';
export { parseNumber, parseInteger, parseNumberBytes, parseIntegerBytes, Fields } from './fields.ts';
export { xdatcarReader } from './xdatcar.ts';
export { extxyzReader, parseCommentLine, interpretValue } from './extxyz.ts';
export { lammpsDumpReader, boxFromBounds } from './lammps-dump.ts';
export { aseTrajReader } from './ase-traj.ts';
export { cp2kReader, cp2kCellFileFor } from './cp2k.ts';
export { xtcReader } from './xtc.ts';
export { dcdReader } from './dcd.ts';
export { h5mdReader } from './h5md.ts';
export { netcdfReader } from './netcdf.ts';
export { parseSpeciesList } from './species.ts';
export { checkFrame, checkFrameOverlaps, DEFAULT_FRAME_CHECKS, type FrameChecks } from './frame-checks.ts';
