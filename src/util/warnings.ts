/**
 * A warning a stage writes once into its JSON (states.json, kinetics.json, stability.json): a stable code that the
 * report and the CLI match on — never the prose, which may be reworded — and the message shown to the reader.
 */
export const WARNING_CODES = [
  // states
  'weak-separation', 'negative-silhouette', 'empty-state',
  // kinetics
  'no-resolved-process', 'outside-active-set', 'bootstrap-skipped', 'ck-inconsistent', 'rate-matrix', 'pcca',
  // stability
  'not-reproducible', 'unstable-states', 'encoder-adds-no-separation',
  // the report: a run-folder file that cannot be read or does not fit its schema; what the report derives itself
  'run-file', 'ck-deviation', 'conclusion-not-robust',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface StageWarning {
  readonly code: WarningCode;
  readonly message: string;
}
