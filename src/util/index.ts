export { GetseiError, InputError, type InputLocation, describeLocation, outputWriteError } from './errors.ts';
export { writeFileAtomic, writeJsonAtomic, temporaryName, makeOutputFolder } from './atomic.ts';
export { encodeNpy, decodeNpy, npyHeader, parseNpyHeader, type NpyArray, type DecodedNpy, type NpyHeader } from './npy.ts';
export { createRng, shuffle, sampleIndices, type Rng } from './rng.ts';
export { createWorkerPool, defaultThreads, runPoolTask, asWorkerTask } from './workers.ts';
export { packageVersion } from './version.ts';
export { NpyFileWriter, npyFileInfo, readFloat32Rows } from './npy-file.ts';
export {
  uleb, sleb, I32, F64, V128, op, assembleModule, loopUntil, tryCompileModule, compileModule, instantiate, createMemory,
  type Bytes, type FunctionSpec, type WasmMemory, type WasmModule,
} from './wasm.ts';
