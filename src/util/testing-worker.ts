// Worker entry for workers.test.ts: throws the error the task names, so the thread-boundary transport is tested.
import { GetseiError, InputError } from './errors.ts';
import { asWorkerTask } from './workers.ts';

export interface TestingTask {
  readonly fail: 'input' | 'getsei' | 'bug' | 'none';
  readonly value: number;
}

export default asWorkerTask((t: TestingTask): number => {
  if (t.fail === 'input') throw new InputError({ file: 'x.xyz', frame: 3, line: 17 }, 'coordinate 1 is nan', 'fix this frame');
  if (t.fail === 'getsei') throw new GetseiError('a user error', { exitCode: 3 });
  if (t.fail === 'bug') throw new TypeError('a getsei bug');
  return 2 * t.value;
});
