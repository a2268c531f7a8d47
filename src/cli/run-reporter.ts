import type { RunReporter, StageName } from '../pipeline/run.ts';
import { createProgress, type Progress } from './progress.ts';

/** Progress of `getsei run` on stderr: a bar per stage in a terminal, plain lines otherwise. */
export function terminalReporter(stream: NodeJS.WriteStream = process.stderr): RunReporter {
  let current: { stage: StageName; progress: Progress; total?: number } | undefined;
  return {
    stageStart(stage, total, what) {
      stream.write(`▶ ${stage}${what ? `: ${what}` : ''}\n`);
      current = { stage, progress: createProgress(stage, total, stream), total };
    },
    stageTick(stage, done, total) {
      if (current?.stage !== stage) return;
      if (total !== undefined && total !== current.total) {
        current.progress.stop();
        current = { stage, progress: createProgress(stage, total, stream), total };
      }
      current.progress.update(done);
    },
    stageEnd(stage, status, seconds) {
      if (current?.stage === stage) current.progress.stop();
      current = undefined;
      stream.write(status === 'skipped' ? `✓ ${stage}: up to date, skipped\n` : `✓ ${stage}: done in ${seconds.toFixed(1)} s\n`);
    },
  };
}
