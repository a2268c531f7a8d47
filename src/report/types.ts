/**
 * What the report draws: the results of the pipeline's stages as plain typed objects (ARCHITECTURE.md §3: report/
 * takes results only). Every part is optional so that a partial run still renders; a missing part shows a visible
 * "not computed" note. Arrays are plain `number[]` (JSON-shaped) so that a run folder's JSON maps onto this directly.
 *
 * Indexing conventions (the same as kinetics.json / paths.json):
 * - A *state id* is the state's number from state discovery (0 … count − 1); its label is `states.labels[id]`
 *   (default "S<id>").
 * - Matrices and per-state vectors of the kinetics and paths parts are indexed by *position in the active set*:
 *   row i belongs to state id `activeSet[i]`.
 * - `source`, `target`, `pathways[].states`, `pathways[].bottleneck` and `mobilityRanking` hold state ids.
 */
import type { StageWarning } from '../util/warnings.ts';

/** Unit of every time in the kinetics and paths parts: ps when the time between frames is known, else frames. */
export type TimeUnit = 'ps' | 'frames';

export interface ReportInput {
  /** shown as the page title, e.g. the run folder's name */
  title?: string;
  states?: StatesPart;
  kinetics?: KineticsPart;
  paths?: PathsPart;
  /** state populations along the interface normal */
  zProfile?: ZProfilePart;
  /** one frame with every Li coloured by its state */
  frameView?: FrameViewPart;
  /** repeated state discovery (issue "Can the states be trusted?") */
  stability?: StabilityPart;
  /** Li transport: MSD, diffusion, D(z), per-state residence and D (RUN/transport.json) */
  transport?: TransportPart;
  /** whether the states mean something kinetically (issue 10): projection, VAMP scores, CK verdicts, PCCA+, cores */
  kineticQuality?: KineticQualityPart;
  provenance?: ProvenancePart;
  /** warnings the stages wrote (and the run-folder problems), shown at the top of the page beside the ones the
   * report derives itself; a derived warning whose code a stage already gave is not repeated */
  warnings?: StageWarning[];
}

// ───────────────────────────── states ─────────────────────────────

export interface StatesPart {
  count: number;
  /** display labels by state id; default "S0" … */
  labels?: string[];
  /** fraction of Li samples in each state (sums to 1), by state id */
  populations: number[];
  silhouette?: { overall: number; perState?: number[] };
  /** the scores over the range of state counts (Supplementary Table 2) */
  scoreTable?: { count: number; bic: number; silhouette: number }[];
  descriptors?: StateDescriptors;
  /** 2-D map of a sample of embeddings (Fig. 2b) */
  embeddingMap?: { method: string; points: { x: number; y: number; state: number }[] };
  /** representative environments (Fig. 2d, Supplementary Fig. 1), a few per state */
  representatives?: RepresentativeEnvironment[];
}

/** Per-state means over the state's Li-centred environments; arrays by state id. */
export interface StateDescriptors {
  /** radius of the coordination shell (the paper: 4.0 Å) */
  shellAngstrom: number;
  /** element symbols, the columns of `coordination` */
  elements: string[];
  /** mean number of atoms of each element within the shell: coordination[state][element] (Fig. 2c) */
  coordination: number[][];
  /** local Li density around the centre Li, in `liDensityUnit` */
  liDensity?: number[];
  liDensityUnit?: string;
  meanNeighbourDistanceAngstrom?: number[];
  angleMeanDeg?: number[];
  angleStdDeg?: number[];
  angleMinDeg?: number[];
  angleMaxDeg?: number[];
  angleMedianDeg?: number[];
  /** mean fractional coordinate of the centre Li along the cell's c axis (when z in Å is not known) */
  meanZFraction?: number[];
}

export interface RepresentativeEnvironment {
  state: number;
  /** extended XYZ (or plain XYZ) of the centre Li and its neighbours */
  xyz: string;
  /** index of the centre Li among the atoms of `xyz`; default 0 */
  centerIndex?: number;
  /** where it came from, e.g. "frame 412, atom 37" */
  note?: string;
}

// ───────────────────────────── kinetics ─────────────────────────────

export interface KineticsPart {
  timeUnit: TimeUnit;
  /** the lag time τ, in `timeUnit` */
  lag: number;
  /** how the lag was chosen, in words (e.g. "auto: shortest lag at which the implied timescales level off") */
  lagChoice?: string;
  /** time between frames in ps, when known */
  dt?: number | null;
  /** state ids of the rows and columns of every matrix below */
  activeSet: number[];
  countMatrix?: number[][];
  /** K(τ), rows sum to 1 */
  transitionMatrix: number[][];
  stationary: number[];
  /** eigenvalues of K(τ), descending by modulus; complex ones as {re, im} */
  eigenvalues?: (number | { re: number; im: number })[];
  /** implied timescales tᵢ = −τ / ln|λᵢ| at the chosen lag (i ≥ 1), in `timeUnit` */
  impliedTimescales?: number[];
  /** implied timescales over a range of lags (Fig. 3a): timescales[lagIndex][process]; null where undefined */
  impliedTimescalesScan?: { lags: number[]; timescales: (number | null)[][] };
  /** R = logm(K)/τ (eq. 4), in 1/`timeUnit` */
  rateMatrix?: number[][];
  rateMatrixDiagnostics?: RateMatrixDiagnostics;
  /** total escape rate −Rᵢᵢ per state; derived from rateMatrix when absent */
  escapeRates?: number[];
  /** mobility score per state (normalised escape rate) */
  mobility?: number[];
  /** how `mobility` was normalised, in words */
  mobilityNormalisation?: string;
  /** state ids from the most to the least mobile */
  mobilityRanking?: number[];
  ckTest?: CkTestPart;
  bootstrap?: BootstrapPart;
}

export interface RateMatrixDiagnostics {
  /** whether logm(K)/τ was a valid generator as it came */
  valid: boolean;
  /** what was returned, e.g. "principal logarithm", "nearest generator (clipped negative rates)" */
  method: string;
  /** ‖expm(Rτ) − K‖ of what was returned */
  reconstructionError?: number;
  /** plain-language findings, e.g. "2 negative off-diagonal rates set to 0" */
  messages?: string[];
}

/** Chapman–Kolmogorov test: K(τ)ᵏ against K(kτ). Matrices are indexed like the active set. */
export interface CkTestPart {
  /** the multiples k of the lag */
  steps: number[];
  /** K(τ)ᵏ for each k */
  predicted: number[][][];
  /** K(kτ) estimated from the data for each k */
  estimated: number[][][];
}

/** A band per entry (confidence interval of a bootstrap), indexed like the quantity it belongs to. */
export interface Band {
  lower: number[];
  upper: number[];
}

export interface BootstrapPart {
  samples: number;
  /** confidence level of the bands, e.g. 0.95 */
  level: number;
  stationary?: Band;
  escapeRates?: Band;
  mobility?: Band;
  rate?: { lower: number; upper: number };
  totalFlux?: { lower: number; upper: number };
  /** by pathway, in the order of `paths.pathways` */
  pathwayFlux?: Band;
}

// ───────────────────────────── paths ─────────────────────────────

export interface PathsPart {
  /** unit of rate and mfpt; default: the kinetics part's */
  timeUnit?: TimeUnit;
  /** state ids of the rows of every vector and matrix below; default: the kinetics part's */
  activeSet?: number[];
  source: number[];
  target: number[];
  forwardCommittor: number[];
  backwardCommittor: number[];
  /** πᵢKᵢⱼ (Fig. 4a) */
  equilibriumFlux: number[][];
  /** reactive flux f⁺ᵢⱼ = πᵢ qᵢ⁻ Kᵢⱼ qⱼ⁺ (eq. 5, Fig. 4b) */
  grossFlux: number[][];
  /** max(0, f⁺ᵢⱼ − f⁺ⱼᵢ) (Fig. 4c) */
  netFlux: number[][];
  /** per lag step, like the fluxes */
  totalFlux: number;
  /** transitions A → B per unit time */
  rate: number;
  /** mean first passage time A → B */
  mfpt?: number;
  pathways: Pathway[];
  pathwayDiversity?: { entropy: number; effectiveNumber: number };
}

export interface Pathway {
  /** state ids from source to target */
  states: number[];
  flux: number;
  /** share of the total flux */
  fraction: number;
  /** the edge that limits this pathway: [from, to] state ids */
  bottleneck: [number, number];
}

// ───────────────────────────── transport ─────────────────────────────

/** A value with a central (95 %) interval; null bounds are unbounded. */
export interface Interval {
  value: number;
  lower: number | null;
  upper: number | null;
}

/** What the report draws of RUN/transport.json (docs/transport.md); diffusion coefficients in Å²/ps. */
export interface TransportPart {
  /** tracer MSD of Li (Å²) against lag (ps) */
  msd: { timePs: number[]; li: number[] };
  fitWindow: { startPs: number; endPs: number };
  /** the fitted line passes through (meanTimePs, meanMsdA2) with slope 6 D* */
  tracerFit?: { meanTimePs: number; meanMsdA2: number };
  tracerDiffusion: Interval;
  chargeDiffusion?: Interval;
  havenRatio?: Interval;
  /** S/cm */
  conductivity?: Interval | null;
  temperatureK?: number | null;
  /** D per slab along a lattice axis */
  profile?: { axis: string; binAngstrom: number; zCentresAngstrom: number[]; diffusion: (Interval | null)[]; samples: number[] } | null;
  /** per state id: D while resident, residence times (ps) */
  perState?: {
    diffusion: (Interval | null)[];
    residence: { meanPs: number | null; medianPs: number | null; timePerExitPs: number | null; complete: number }[];
    fitWindow: { startPs: number; endPs: number };
    /** Spearman ρ of per-state D against the kinetic mobility */
    mobilityCheck?: { rho: number; n: number; pValue: number | null; states: number[] } | null;
  } | null;
}

// ───────────────────────────── kinetic quality ─────────────────────────────

export interface KineticQualityPart {
  /** the time-lagged projection the mixture ran in; absent in the paper's mode */
  projection?: {
    method: string; lagFrames: number; dim: number; inputDim: number; timescalesFrames: number[];
    /** the largest eigenvalue gap: `processes` slow processes before it, so `states` metastable states */
    spectralGap?: { processes: number; states: number; gap: number };
  };
  /** cross-validated VAMP-2 of the run's states and of the other kind at the same count, the run's own first */
  comparison?: { count: number; lagFrames: number; rows: { states: 'projected' | 'paper'; method: string; vamp2: number; vamp2Std: number; vampE: number }[] };
  /** cross-validated VAMP-2 of every state count of the score table */
  vampByCount?: { count: number; vamp2: number; vamp2Std: number }[];
  /** Chapman–Kolmogorov verdict per state id, from the bootstrap bands */
  ckVerdicts?: { state: number; verdict: string }[];
  ckConfidence?: number;
  /** PCCA+ metastable sets (state ids) */
  pcca?: { nSets: number; rule: string; sets: number[][]; crispness: number; lumped: boolean };
  /** core-set (milestoning) counting */
  coreSets?: { minDwellFrames: number; fractionInCores: number };
}

// ───────────────────────────── space, stability, provenance ─────────────────────────────

export interface ZProfilePart {
  /** slab centres, in `zUnit` */
  zCentres: number[];
  zUnit: 'fraction' | 'Å';
  /** fraction of each slab's Li samples in each state: fractions[state][bin] */
  fractions: number[][];
  /** Li samples per slab */
  counts?: number[];
}

export interface FrameViewPart {
  /** frame number in the trajectory */
  frame: number;
  timePs?: number;
  /** extended XYZ (or plain XYZ) of the whole frame */
  xyz: string;
  /** state id of every atom of `xyz` (−1 for non-Li and undefined) */
  stateByAtom: number[];
}

export interface StabilityPart {
  repeats: number;
  /** mean pairwise adjusted Rand index between repeats */
  meanAri: number;
  /** per state id: mean Jaccard overlap of matched states */
  perStateStability?: number[];
  unstableStates?: number[];
  /** Kendall τ of the mobility ranking between repeats (mean) */
  mobilityKendallTau?: number;
  /** the same mixture on the raw features of the centre Li, without the encoder */
  rawBaseline?: { silhouette: number; ari: number };
  /** which of the paper's conclusions hold in every repeat */
  conclusions?: { claim: string; holds: boolean; detail?: string }[];
}

export interface ProvenancePart {
  runFolder?: string;
  getsei?: string;
  node?: string;
  created?: string;
  /** the getsei command line behind the latest results (RUN/manifest.json) */
  command?: string;
  inputs?: { path: string; bytes: number; sha256: string }[];
  /** the resolved configuration (any JSON) */
  config?: unknown;
  timings?: { stage: string; seconds?: number; status?: string }[];
  seeds?: Record<string, number>;
}
