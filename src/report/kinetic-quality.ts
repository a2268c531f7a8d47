/**
 * The kinetic-quality part of a report (issue 10), read from states.json (projection, kineticComparison, the score
 * table's VAMP-2) and kinetics.json (Chapman–Kolmogorov verdicts, PCCA+ sets, core sets). These are getsei's own
 * fields with one spelling each: a field of the wrong shape is left out and named in `problems`.
 */
import type { KineticQualityPart } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNum);

function projection(v: unknown): KineticQualityPart['projection'] | undefined {
  if (!isObj(v) || typeof v.method !== 'string' || !isNum(v.lagFrames) || !isNum(v.dim) || !isNum(v.inputDim)) return undefined;
  const t = Array.isArray(v.timescalesFrames) ? v.timescalesFrames.filter(isNum) : [];
  const g = v.spectralGap;
  const gap = isObj(g) && isNum(g.processes) && isNum(g.states) && isNum(g.gap) ? { processes: g.processes, states: g.states, gap: g.gap } : undefined;
  return { method: v.method, lagFrames: v.lagFrames, dim: v.dim, inputDim: v.inputDim, timescalesFrames: t, ...(gap ? { spectralGap: gap } : {}) };
}

function comparison(v: unknown): KineticQualityPart['comparison'] | undefined {
  if (!isObj(v) || !isNum(v.count) || !isNum(v.lagFrames) || !Array.isArray(v.rows)) return undefined;
  const rows = v.rows.filter(isObj).filter((r) => (r.states === 'projected' || r.states === 'paper') && typeof r.method === 'string' && isNum(r.vamp2) && isNum(r.vamp2Std) && isNum(r.vampE));
  if (rows.length !== v.rows.length) return undefined;
  return {
    count: v.count, lagFrames: v.lagFrames,
    rows: rows.map((r) => ({ states: r.states as 'projected' | 'paper', method: r.method as string, vamp2: r.vamp2 as number, vamp2Std: r.vamp2Std as number, vampE: r.vampE as number })),
  };
}

/** Read what states.json and kinetics.json say about the kinetic quality; undefined when neither says anything. */
export function readKineticQuality(states: Obj | undefined, kinetics: Obj | undefined, problems: string[]): KineticQualityPart | undefined {
  const q: KineticQualityPart = {};
  const take = <T>(file: string, field: string, v: unknown, read: (v: unknown) => T | undefined): T | undefined => {
    if (v === undefined || v === null) return undefined;
    const out = read(v);
    if (out === undefined) problems.push(`${file}: ${field} has an unexpected shape; left out of the report`);
    return out;
  };
  if (states) {
    q.projection = take('states.json', 'projection', states.projection, projection);
    q.comparison = take('states.json', 'kineticComparison', states.kineticComparison, comparison);
    if (Array.isArray(states.scoreTable)) {
      const rows = states.scoreTable.filter(isObj).filter((r) => isNum(r.count) && isNum(r.vamp2) && isNum(r.vamp2Std));
      if (rows.length > 0) q.vampByCount = rows.map((r) => ({ count: r.count as number, vamp2: r.vamp2 as number, vamp2Std: r.vamp2Std as number }));
    }
  }
  if (kinetics) {
    const ck = isObj(kinetics.ckTest) ? kinetics.ckTest.verdicts : undefined;
    const active = kinetics.activeSet;
    const verdicts = take('kinetics.json', 'ckTest.verdicts', ck, (v) => {
      if (!isObj(v) || !Array.isArray(v.perState) || !nums(active) || v.perState.length !== active.length || !v.perState.every((x) => typeof x === 'string')) return undefined;
      return { confidence: isNum(v.confidence) ? v.confidence : undefined, rows: (v.perState as string[]).map((verdict, i) => ({ state: active[i], verdict })) };
    });
    if (verdicts) {
      q.ckVerdicts = verdicts.rows;
      q.ckConfidence = verdicts.confidence;
    }
    q.pcca = take('kinetics.json', 'pcca', kinetics.pcca, (v) => {
      if (!isObj(v) || !isNum(v.nSets) || typeof v.rule !== 'string' || !Array.isArray(v.sets) || !v.sets.every(nums) || !isNum(v.crispness) || typeof v.lumped !== 'boolean') return undefined;
      return { nSets: v.nSets, rule: v.rule, sets: v.sets as number[][], crispness: v.crispness, lumped: v.lumped };
    });
    q.coreSets = take('kinetics.json', 'coreSets', kinetics.coreSets, (v) => (
      isObj(v) && isNum(v.minDwellFrames) && isNum(v.fractionInCores) ? { minDwellFrames: v.minDwellFrames, fractionInCores: v.fractionInCores } : undefined
    ));
  }
  for (const key of Object.keys(q) as (keyof KineticQualityPart)[]) if (q[key] === undefined) delete q[key];
  return Object.keys(q).length > 0 ? q : undefined;
}
