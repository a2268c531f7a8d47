import type { RunResult } from '../pipeline/run.ts';

/** The final summary of `getsei run` in the terminal: states, kinetics, pathways, where the report is. */
export function runSummaryText(run: string, result: RunResult): string {
  const lines: string[] = [''];
  lines.push(`getsei run finished in ${run}`);
  lines.push(`  stages run: ${result.ran.join(', ') || 'none'}${result.skipped.length ? `; up to date: ${result.skipped.join(', ')}` : ''}`);
  const s = result.states;
  if (s) {
    lines.push(`  states: ${s.count} (${s.rule === 'silhouette' ? 'chosen by silhouette' : 'fixed'}), silhouette ${s.silhouette === null ? 'n/a' : s.silhouette.toFixed(3)}`);
    lines.push(`  populations: ${s.populations.map((p, i) => `S${i} ${(100 * p).toFixed(1)}%`).join(', ')}`);
    for (const w of s.warnings) lines.push(`  warning: ${w}`);
  }
  lines.push('');
  return lines.join('\n');
}
