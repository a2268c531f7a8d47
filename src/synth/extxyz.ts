/**
 * Extended XYZ output in the layout ASE writes: a count line, a comment line with Lattice, Properties, time and
 * pbc, then one line per atom ('%-2s %16.8f %16.8f %16.8f %8d'). Frames are streamed to a temporary file (gzip
 * when asked) that is renamed into place when complete.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { temporaryName } from '../util/atomic.ts';
import { symbolOf } from '../structure/index.ts';
import type { SynthFrame } from './frames.ts';

/** A number as Python's str() writes a float: shortest round-trip digits, always with a decimal point. */
function pyFloat(x: number): string {
  const s = String(x === 0 ? 0 : x);
  return /[.eE]/.test(s) || !Number.isFinite(x) ? s : `${s}.0`;
}

/** One frame as extended XYZ text. `siteTypeColumn` adds the per-atom integer column `site_type`. */
export function formatExtxyzFrame(frame: SynthFrame, siteTypeColumn: boolean): string {
  const m = frame.cell.matrix;
  const n = frame.species.length;
  const props = `species:S:1:pos:R:3${siteTypeColumn ? ':site_type:I:1' : ''}`;
  const lattice = Array.from(m, (x) => pyFloat(Number(x.toFixed(10)))).join(' ');
  const time = pyFloat(Number((frame.timePs ?? 0).toFixed(10)));
  const lines: string[] = [String(n), `Lattice="${lattice}" Properties=${props} time=${time} pbc="T T T"`];
  const symbols = new Map<number, string>();
  const p = frame.positions;
  for (let i = 0; i < n; i++) {
    const z = frame.species[i];
    let sym = symbols.get(z);
    if (sym === undefined) {
      sym = symbolOf(z).padEnd(2);
      symbols.set(z, sym);
    }
    let line = `${sym} ${p[3 * i].toFixed(8).padStart(16)} ${p[3 * i + 1].toFixed(8).padStart(16)} ${p[3 * i + 2].toFixed(8).padStart(16)}`;
    if (siteTypeColumn) line += ` ${String(frame.siteType[i]).padStart(8)}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Stream frames to `path` as extended XYZ (gzip-compressed when `gzip`), holding one frame at a time, and rename
 * into place at the end so that an interrupted run leaves no half file under the final name.
 */
export async function writeExtxyz(
  path: string,
  frames: Iterable<SynthFrame>,
  options: { siteTypeColumn: boolean; gzip: boolean; onFrame?: (index: number) => void },
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporaryName(path);
  async function* text(): AsyncGenerator<string> {
    for (const frame of frames) {
      yield formatExtxyzFrame(frame, options.siteTypeColumn);
      options.onFrame?.(frame.index);
    }
  }
  try {
    if (options.gzip) await pipeline(Readable.from(text()), createGzip(), createWriteStream(tmp));
    else await pipeline(Readable.from(text()), createWriteStream(tmp));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
