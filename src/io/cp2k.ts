/**
 * CP2K MD trajectories: `PROJECT-pos-1.xyz` (MOTION/PRINT/TRAJECTORY, format XYZ: a count line, a comment
 * `i = STEP, time = FS, E = HARTREE`, then `symbol x y z` in Å) with the cell from `PROJECT-1.cell`
 * (MOTION/PRINT/CELL: a `#` header, then per printed step `step time_fs ax ay az bx by bz cx cy cz volume`).
 * The cell of a frame is the last cell row whose step is ≤ the frame's step (the cell in effect), read in step with
 * the frames, so memory stays flat.
 */
import { access } from 'node:fs/promises';
import type { Cell } from '../structure/index.ts';
import { InputError } from '../util/errors.ts';
import { cellOrFail, elementOrFail, readNumbers, readTriple, sameBytes, sameMatrix, truncatedError } from './common.ts';
import { Fields, parseNumber } from './fields.ts';
import { LineReader } from './lines.ts';
import type { RawFrame, ReaderContext, TextTrajectoryReader } from './types.ts';

const COMMENT = /^\s*i\s*=\s*(\d+)\s*,\s*time\s*=\s*([-+0-9.eEdD]+)(?:\s*,\s*E\s*=\s*([-+0-9.eEdD]+))?/;
const CELL_HINT =
  'CP2K writes positions and cell to separate files: give the cell file with --cell PROJECT-1.cell ' +
  '(MOTION/PRINT/CELL), or keep it beside PROJECT-pos-1.xyz under that name';

/** The sibling cell file CP2K writes for a pos file: X-pos-1.xyz → X-1.cell. */
export function cp2kCellFileFor(posFile: string): string | undefined {
  const m = /^(.*)-pos-(\d+)\.xyz(\.gz)?$/i.exec(posFile);
  return m === null ? undefined : `${m[1]}-${m[2]}.cell`;
}

/** Rows of a CP2K .cell file, one step at a time. */
class CellRows {
  private pending: { step: number; matrix: Float64Array; line: number } | undefined;
  current: { step: number; matrix: Float64Array; line: number } | undefined;
  private readonly f = new Fields();

  constructor(readonly path: string, private readonly lines: LineReader) {}

  private async nextRow(): Promise<{ step: number; matrix: Float64Array; line: number } | undefined> {
    for (;;) {
      const text = await this.lines.nextNonBlank();
      if (text === undefined) return undefined;
      if (text.trimStart().startsWith('#')) continue;
      const loc = { file: this.path, line: this.lines.lineNumber };
      const values = new Float64Array(11);
      readNumbers(this.f.reset(text), values, 0, 11, loc, 'cell row (step, time, Ax … Cz)');
      return { step: values[0], matrix: values.slice(2, 11), line: loc.line };
    }
  }

  /** The last row with step ≤ `step`; undefined when the first row comes later. */
  async at(step: number): Promise<{ step: number; matrix: Float64Array; line: number } | undefined> {
    if (this.pending === undefined && this.current === undefined) this.pending = await this.nextRow();
    while (this.pending !== undefined && this.pending.step <= step) {
      this.current = this.pending;
      this.pending = await this.nextRow();
    }
    return this.current;
  }

  close(): void {
    this.lines.close();
  }
}

async function openCell(ctx: ReaderContext): Promise<CellRows> {
  const path = ctx.cellFile ?? cp2kCellFileFor(ctx.file);
  const given = ctx.cellFile !== undefined;
  if (path === undefined) throw new InputError({ file: ctx.file }, 'a CP2K trajectory has no cell in its frames, and no cell file was given', CELL_HINT);
  try {
    await access(path);
  } catch {
    throw new InputError({ file: ctx.file }, `the cell file ${path} ${given ? 'given with --cell ' : '(beside the positions) '}does not exist`, CELL_HINT);
  }
  return new CellRows(path, await LineReader.open(path));
}

async function* readCp2k(lines: LineReader, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const { file } = ctx;
  const f = new Fields();
  const cells = await openCell(ctx);
  let species: Uint8Array | undefined;
  let cell: Cell | undefined;
  try {
    for (let index = 0; ; index++) {
      const countText = await lines.nextNonBlank();
      if (countText === undefined) {
        if (index === 0) throw new InputError({ file, line: 1 }, 'the file is empty', 'give a CP2K -pos-1.xyz trajectory');
        return;
      }
      const line = lines.lineNumber;
      const n = Number(countText.trim());
      if (!Number.isInteger(n) || n < 1) throw new InputError({ file, frame: index, line }, `expected the atom count, found '${countText.trim()}'`, 'check that every frame has n atom lines');
      if (!(await lines.ensure(n + 1))) throw truncatedError({ file, frame: index, line }, Math.max(0, lines.available - 1), n);
      const comment = lines.next() as string;
      const m = COMMENT.exec(comment);
      if (m === null) throw new InputError({ file, frame: index, line: line + 1 }, `expected 'i = STEP, time = FS, …', found '${comment.trim()}'`, 'give the positions file CP2K writes (MOTION/PRINT/TRAJECTORY FORMAT XYZ)');
      const plan = ctx.plan(index);
      if (plan === 'stop') return;
      if (plan === 'skip') {
        lines.skip(n);
        continue;
      }
      const step = Number(m[1]);
      const timeFs = parseNumber(m[2]);
      const positions = new Float64Array(3 * n);
      const symbols = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        lines.advance();
        const loc = { file, frame: index, line: lines.lineNumber };
        f.line(lines);
        if (!f.next()) throw new InputError(loc, `atom line ${i + 1} of ${n} is blank`, 'check the atom count of this frame');
        symbols[i] = elementOrFail(f.token(), loc, 'the first column must be an element symbol');
        if (!readTriple(f, positions, 3 * i)) {
          f.line(lines);
          f.next();
          readNumbers(f, positions, 3 * i, 3, loc, 'coordinate');
        }
      }
      // one species array while the atoms stay the same; a changed order is reported by the trajectory layer
      if (species === undefined || !sameBytes(species, symbols)) species = symbols;
      const row = await cells.at(step);
      const loc = { file, frame: index, line };
      if (row === undefined) throw new InputError(loc, `the cell file ${cells.path} has no row for step ${step} or earlier`, CELL_HINT);
      if (!sameMatrix(cell, row.matrix)) cell = cellOrFail(row.matrix, [true, true, true], { file: cells.path, line: row.line }, 'check this row of the cell file');
      const info: Record<string, number> = { step };
      if (m[3] !== undefined) info.energy_hartree = parseNumber(m[3]);
      yield { index, line, species, positions, cell: cell as Cell, timePs: Number.isFinite(timeFs) ? timeFs / 1000 : undefined, info };
    }
  } finally {
    cells.close();
  }
}

export const cp2kReader: TextTrajectoryReader = {
  name: 'cp2k-xyz',
  aliases: ['cp2k', 'cp2k-pos'],
  extensions: [],
  fileNamePattern: /-pos-\d+\.xyz$/,
  description: 'CP2K positions (-pos-1.xyz, "i = …, time = …" comments) with the cell from -1.cell or --cell',
  sniff: (head) => head.length >= 2 && /^\s*\d+\s*$/.test(head[0]) && COMMENT.test(head[1]),
  read: readCp2k,
};
