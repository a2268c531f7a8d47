export { GetseiError, InputError, type InputLocation, describeLocation } from './errors.ts';
export { writeFileAtomic, writeJsonAtomic, temporaryName } from './atomic.ts';
export { encodeNpy, decodeNpy, type NpyArray, type DecodedNpy } from './npy.ts';
export { createRng, shuffle, sampleIndices, type Rng } from './rng.ts';
export { createWorkerPool, defaultThreads } from './workers.ts';
export { packageVersion } from './version.ts';
