/** Every table of the report as rows (first row = header), written as RUN/tables/<name>.csv. */
import {
  activeLabels, escapeRateCorrelations, metrics, mobilityRanking, pathLabel, rateUnit, stateFeatures, stateLabel,
  timeUnitOf, totalEscapeRates,
} from './derive.ts';
import type { ReportInput } from './types.ts';

export type Cell = string | number | boolean | null | undefined;

export interface Table {
  /** file stem under tables/ */
  name: string;
  rows: Cell[][];
}

function matrixTable(name: string, labels: string[], m: number[][] | undefined): Table | undefined {
  if (!m) return undefined;
  return { name, rows: [['from \\ to', ...labels], ...m.map((row, i) => [labels[i], ...row])] };
}

export function reportTables(input: ReportInput): Table[] {
  const out: (Table | undefined)[] = [];
  const s = input.states;
  const k = input.kinetics;
  const p = input.paths;
  const unit = timeUnitOf(input);

  out.push({ name: 'metrics', rows: [['metric', 'description', 'value'], ...metrics(input).map((m) => [m.key, m.label, m.value])] });

  if (s) {
    const features = stateFeatures(s);
    const perState = s.silhouette?.perState;
    out.push({
      name: 'states',
      rows: [
        ['state', 'label', 'population', 'silhouette', ...features.map((f) => f.name)],
        ...s.populations.map((pop, i) => [i, stateLabel(s, i), pop, perState?.[i], ...features.map((f) => f.values[i])]),
      ],
    });
    if (s.scoreTable) out.push({ name: 'state-count', rows: [['count', 'bic', 'silhouette'], ...s.scoreTable.map((r) => [r.count, r.bic, r.silhouette])] });
    if (s.embeddingMap) out.push({ name: 'embedding-map', rows: [['x', 'y', 'state', 'label'], ...s.embeddingMap.points.map((q) => [q.x, q.y, q.state, stateLabel(s, q.state)])] });
  }

  if (input.zProfile) {
    const zp = input.zProfile;
    out.push({
      name: 'z-profile',
      rows: [
        [`z (${zp.zUnit})`, 'samples', ...zp.fractions.map((_, st) => stateLabel(s, st))],
        ...zp.zCentres.map((z, b) => [z, zp.counts?.[b], ...zp.fractions.map((row) => row[b])]),
      ],
    });
  }

  if (k) {
    const labels = activeLabels(input, k);
    out.push(matrixTable('count-matrix', labels, k.countMatrix));
    out.push(matrixTable('transition-matrix', labels, k.transitionMatrix));
    out.push(matrixTable('rate-matrix', labels, k.rateMatrix));
    const scan = k.impliedTimescalesScan;
    if (scan) {
      const nProc = Math.max(0, ...scan.timescales.map((r) => r.length));
      out.push({
        name: 'implied-timescales',
        rows: [[`lag (${unit})`, ...Array.from({ length: nProc }, (_, i) => `t${i + 1} (${unit})`)], ...scan.lags.map((lag, l) => [lag, ...scan.timescales[l]])],
      });
    }
    const escape = totalEscapeRates(k);
    const ranking = mobilityRanking(k);
    const bm = k.bootstrap?.mobility;
    out.push({
      name: 'mobility',
      rows: [
        ['state', 'label', 'stationary', `total escape rate (${rateUnit(unit)})`, 'mobility', 'mobility lower', 'mobility upper', 'rank (1 = most mobile)'],
        ...k.activeSet.map((id, i) => [id, labels[i], k.stationary[i], escape?.[i], k.mobility?.[i], bm?.lower[i], bm?.upper[i], ranking ? ranking.indexOf(id) + 1 : undefined]),
      ],
    });
    const corr = escapeRateCorrelations(input);
    if (corr) out.push({ name: 'escape-rate-correlation', rows: [['feature', 'pearson r', 'states'], ...corr.map((c) => [c.feature, c.r, c.n])] });
    const ck = k.ckTest;
    if (ck) {
      const rows: Cell[][] = [['k', `time (${unit})`, 'from', 'to', 'predicted K(tau)^k', 'estimated K(k tau)']];
      ck.steps.forEach((step, si) => labels.forEach((from, i) => labels.forEach((to, j) => rows.push([
        step, step * k.lag, from, to, ck.predicted[si][i][j], ck.estimated[si][i][j],
      ]))));
      out.push({ name: 'ck-test', rows });
    }
  }

  if (p) {
    const labels = activeLabels(input, k, p);
    const ids = p.activeSet ?? k?.activeSet ?? labels.map((_, i) => i);
    out.push({ name: 'committors', rows: [['state', 'label', 'forward committor', 'backward committor'], ...ids.map((id, i) => [id, labels[i], p.forwardCommittor[i], p.backwardCommittor[i]])] });
    out.push(matrixTable('equilibrium-flux', labels, p.equilibriumFlux));
    out.push(matrixTable('reactive-flux', labels, p.grossFlux));
    out.push(matrixTable('net-flux', labels, p.netFlux));
    const band = k?.bootstrap?.pathwayFlux;
    out.push({
      name: 'pathways',
      rows: [
        ['rank', 'pathway', 'flux', 'share of total flux', 'bottleneck from', 'bottleneck to', 'flux lower', 'flux upper'],
        ...p.pathways.map((w, i) => [i + 1, pathLabel(s, w.states), w.flux, w.fraction, stateLabel(s, w.bottleneck[0]), stateLabel(s, w.bottleneck[1]), band?.lower[i], band?.upper[i]]),
      ],
    });
  }

  const prov = input.provenance;
  if (prov?.inputs) out.push({ name: 'inputs', rows: [['path', 'bytes', 'sha256'], ...prov.inputs.map((f) => [f.path, f.bytes, f.sha256])] });
  if (prov?.timings) out.push({ name: 'timings', rows: [['stage', 'seconds', 'status'], ...prov.timings.map((t) => [t.stage, t.seconds, t.status])] });

  return out.filter((t): t is Table => t !== undefined);
}
