import { basename } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { summarizeTrajectory, type TrajectorySummary } from '../../io/index.ts';
import { addTrajectoryOptions, trajectoryOptionsFrom } from '../trajectory-options.ts';

/** `getsei inspect FILES…`: what a user should know about an input before starting a run. */
export function registerInspect(program: Command): void {
  const cmd = program
    .command('inspect')
    .summary('what getsei sees in a trajectory: format, frames, atoms, cell, time step, warnings')
    .description(
      'Read trajectory file(s) once and describe them: format, frames, atoms, species, Li count, cell (and whether it ' +
        'changes), time per frame, segments, and warnings worth checking before a run (unwrapped coordinates, atoms ' +
        'jumping more than half a cell, irregular times, no Li).',
    )
    .argument('<files...>', 'trajectory file(s): VASP XDATCAR, extended XYZ, LAMMPS dump (.gz read transparently)')
    .option('--json', 'print the summary as JSON instead of text (default: text)');
  addTrajectoryOptions(cmd).action(async (files, opts) => {
    const summary = await summarizeTrajectory(files, trajectoryOptionsFrom(opts));
    process.stdout.write(opts.json === true ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  });
}

function kilobytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** The summary as aligned text, one fact per line. */
export function formatSummary(s: TrajectorySummary): string {
  const rows: [string, string][] = [];
  const sel = s.selection;
  const many = s.files.length > 1;
  rows.push(['format', s.format]);
  rows.push(['files', `${s.files.length}${many ? (sel.independent ? ' (independent trajectories)' : ' (consecutive segments of one run)') : ''}`]);
  const width = Math.max(...s.files.map((f) => basename(f.path).length));
  for (const f of s.files) {
    const total = f.framesInFile === undefined ? '' : ` of ${f.framesInFile}`;
    rows.push(['', `${basename(f.path).padEnd(width)}  ${f.format}  ${f.frames}${total} frames  ${kilobytes(f.bytes)}`]);
  }
  const selection = [`start ${sel.start}`, ...(sel.stop === undefined ? [] : [`stop ${sel.stop}`]), `stride ${sel.stride}`].join(', ');
  rows.push(['frames', `${s.frames} selected (${selection}${sel.independent ? ', per file' : ''})`]);
  rows.push(['atoms', String(s.atoms)]);
  rows.push(['species', Object.entries(s.species).map(([el, n]) => `${el} ${n}`).join(', ')]);
  rows.push(['Li atoms', String(s.liCount)]);
  rows.push(['cell', s.cellChanges ? 'changes between frames (first frame shown), Å' : 'constant, Å']);
  const m = s.firstCell;
  for (let r = 0; r < 3; r++) {
    const v = m.slice(3 * r, 3 * r + 3);
    rows.push(['', `${'abc'[r]}  ${v.map((x) => x.toFixed(6).padStart(12)).join(' ')}   |${'abc'[r]}| = ${Math.hypot(...v).toFixed(4)}`]);
  }
  rows.push(['boundary', s.boundary.map((b, k) => `${'abc'[k]} ${b}`).join(', ') + (s.boundary.includes('non-periodic') ? ' (no periodic images across a non-periodic face)' : '')]);
  const source = s.frameIntervalSource === 'dt' ? 'from --dt' : "from the file's times";
  const dt = s.frameIntervalPs;
  const stride = sel.stride > 1 && dt !== undefined ? ` between selected frames (${+(dt / sel.stride).toPrecision(12)} ps × stride ${sel.stride})` : '';
  rows.push(['time/frame', dt === undefined ? 'unknown — give --dt PS' : `${dt} ps${stride}, ${source}`]);
  rows.push(['segments', String(s.segments)]);
  if (s.warnings.length === 0) rows.push(['warnings', 'none']);
  else s.warnings.forEach((w, i) => rows.push([i === 0 ? 'warnings' : '', `- ${w}`]));
  return rows.map(([k, v]) => `${k.padEnd(12)}${v}`).join('\n') + '\n';
}
