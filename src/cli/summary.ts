import type { RunResult } from '../pipeline/run.ts';
import { transportDetailLines } from './commands/transport.ts';
import type { StageWarning } from '../util/warnings.ts';

const fmt = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : Number(x.toPrecision(3)).toString());

/** The final summary of `getsei run` in the terminal: states, kinetics, pathways, where the report is. */
export function runSummaryText(run: string, result: RunResult): string {
  const lines: string[] = [''];
  lines.push(`getsei: ${run}`);
  lines.push(`  stages run: ${result.ran.join(', ') || 'none'}${result.skipped.length ? `; up to date: ${result.skipped.join(', ')}` : ''}`);
  const warnings: StageWarning[] = [];
  const s = result.states;
  if (s) {
    lines.push(`  states: ${s.count} (${s.rule === 'silhouette' ? 'count chosen by silhouette' : s.rule === 'spectral-gap' ? `count from the projection's spectral gap: ${s.count - 1} slow processes` : s.rule === 'model' ? `the model ${s.model}` : 'fixed count'}), silhouette ${fmt(s.silhouette)}`);
    lines.push(`    populations: ${s.populations.map((p, i) => `S${i} ${(100 * p).toFixed(1)} %`).join(', ')}`);
    warnings.push(...s.warnings);
  }
  const k = result.kinetics;
  if (k) {
    const unit = k.timeUnit === 'ps' ? 'ps' : 'frames';
    lines.push(`  kinetics: lag ${fmt(k.lag)} ${unit}${k.lagChoice ? ` (auto: ${k.lagChoice.rule})` : ''}, implied timescales ${k.impliedTimescales.atLag.slice(0, 3).map((t, i) => `${fmt(t)}${k.impliedTimescales.resolvedAtLag?.[i] === false ? ' (not resolved)' : ''}`).join(', ')} ${unit}; ${k.impliedTimescales.processesSlowerThanModelLag ?? 'n/a'} process(es) slower than the lag`);
    lines.push(`    mobility ranking (most → least mobile): ${k.mobilityRanking.map((x) => `S${x}`).join(' > ')}`);
    warnings.push(...k.warnings);
  }
  const p = result.paths;
  if (p) {
    lines.push(`  pathways S${p.source.join(',S')} → S${p.target.join(',S')}: rate ${fmt(p.rate)} per ${p.timeUnit === 'ps' ? 'ps' : 'frame'}, diversity ${fmt(p.pathwayDiversity.effectiveNumber)} effective pathways`);
    for (const [i, w] of p.pathways.slice(0, 5).entries()) {
      lines.push(`    ${i + 1}. ${w.states.map((x) => `S${x}`).join(' → ')}  ${(100 * w.fraction).toFixed(1)} %  (bottleneck S${w.bottleneck.from} → S${w.bottleneck.to})`);
    }
  }
  const st = result.stability;
  if (st) {
    lines.push(`  stability over ${st.repeats} state discoveries: mean ARI ${st.meanAri.toFixed(2)}, mobility Kendall τ ${st.mobilityKendallTau === null ? 'n/a' : st.mobilityKendallTau.toFixed(2)}; raw-feature baseline silhouette ${fmt(st.rawBaseline.silhouette)} (ARI ${st.rawBaseline.ari.toFixed(2)} with the learned states)`);
    for (const c of st.conclusions) lines.push(`    ${c.holds ? 'holds in every repeat' : 'does NOT hold in every repeat'}: ${c.claim}`);
    warnings.push(...st.warnings);
  }
  const t = result.transport;
  if (t) {
    const d = t.tracerDiffusion;
    lines.push(`  transport: tracer D* ${fmt(d.value)} Å²/ps [${fmt(d.lower)}, ${fmt(d.upper)}], Haven ratio ${fmt(t.havenRatio.value)}${t.conductivity ? `, σ ${fmt(t.conductivity.value)} S/cm at ${t.temperatureK} K` : ''}`);
    for (const l of transportDetailLines(t)) lines.push(`    ${l}`);
  }
  for (const w of warnings) lines.push(`  warning: ${w.message}`);
  if (result.reportPath) lines.push(`  report: ${result.reportPath}`);
  lines.push('');
  return lines.join('\n');
}
