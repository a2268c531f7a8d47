// Worker bootstrap for running getsei from TypeScript source: register tsx, then re-export the worker's task.
import { workerData } from 'piscina';

const { register } = await import('tsx/esm/api');
register();
const mod = await import(workerData.entry);
export default mod.default;
