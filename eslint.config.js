// Lint: the recommended JS and typescript-eslint rules, plus a few that catch real numerical-code bugs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Folder boundaries (ARCHITECTURE.md §3, docs/architecture.md): a folder imports only the folders below it in the
// table (and util/). Tests may reach across (fixtures, cross-checks); production code may not.
const FOLDERS = ['cli', 'contrastive', 'features', 'graphs', 'io', 'linalg', 'markov', 'neighbors', 'pipeline', 'projection', 'report',
  'schema', 'spatial', 'states', 'structure', 'synth', 'tensor', 'tpt', 'transport', 'util'];
const ALLOWED = {
  structure: [], util: [], linalg: [], tensor: [], schema: [],
  neighbors: ['structure'],
  io: ['structure', 'neighbors'],
  features: ['neighbors', 'structure'],
  graphs: ['features', 'neighbors', 'structure'],
  contrastive: ['graphs', 'tensor', 'features', 'neighbors', 'structure'],
  states: ['linalg'],
  markov: ['linalg'],
  tpt: ['markov', 'linalg'],
  spatial: ['states', 'linalg'],
  projection: ['linalg'],
  transport: ['structure'],
  synth: ['io', 'structure', 'neighbors'],
  // report/ takes results; the one estimate it makes is compare's Arrhenius fit across runs (transport/arrhenius.ts)
  report: ['schema', 'transport'],
  pipeline: FOLDERS.filter((f) => f !== 'cli' && f !== 'pipeline'),
  // pipeline/ for run-folder commands; the single-stage commands (inspect, kinetics, paths, transport, synth, report)
  // call their stage's public surface directly
  cli: ['pipeline', 'io', 'structure', 'schema', 'markov', 'tpt', 'transport', 'synth', 'report'],
};
const boundaries = Object.entries(ALLOWED).map(([folder, allowed]) => ({
  files: [`src/${folder}/**/*.ts`],
  ignores: ['**/*.test.ts', '**/testing.ts', '**/testing-worker.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: FOLDERS.filter((f) => f !== folder && f !== 'util' && !allowed.includes(f)).map((f) => ({
        group: [`../${f}/*`, `../../${f}/*`, `../${f}`, `../../${f}`],
        message: `src/${folder}/ may not import src/${f}/ (folder boundaries: ARCHITECTURE.md §3, docs/architecture.md)`,
      })),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', 'runs/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  ...boundaries,
);
