import cliProgress from 'cli-progress';

/** A progress reporter: a bar with an ETA in a terminal, a plain line every few seconds otherwise (logs, CI). */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function createProgress(label: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY && total !== undefined && total > 0) {
    const bar = new cliProgress.SingleBar(
      { format: `${label.padEnd(12)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`, hideCursor: true, stream },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (d) => bar.update(d), stop: () => bar.stop() };
  }
  const start = Date.now();
  let last = 0;
  let latest = 0;
  let ticked = false;
  const line = (d: number) => {
    const s = ((Date.now() - start) / 1000).toFixed(1);
    stream.write(`${label}: ${d}${total ? `/${total}` : ''} (${s} s)\n`);
  };
  return {
    update: (d) => {
      latest = d;
      ticked = true;
      if (Date.now() - last > 5000) {
        last = Date.now();
        line(d);
      }
    },
    stop: () => {
      if (ticked) line(latest);
    },
  };
}
