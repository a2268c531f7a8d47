import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { detectReader } from './registry.ts';
import { collect, scratch } from './testing.ts';

const tmp = scratch();
after(tmp.remove);

const f = (x: number, w = 20, d = 10): string => x.toFixed(d).padStart(w);
const atoms: [string, number, number, number][] = [['Li', 0.5, 0.5, 0.5], ['Li', 2.1, 0.3, 1.9], ['S', 1.2, 2.2, 3.1]];

/** Frames as CP2K prints them (MOTION/PRINT/TRAJECTORY FORMAT XYZ): count, "i = …, time = …, E = …", atom lines. */
function posFile(steps: number[]): string {
  return steps.map((s) => [
    String(atoms.length).padStart(8),
    ` i = ${String(s).padStart(8)}, time = ${f(0.5 * s, 12, 3)}, E = ${f(-100 - s * 1e-3, 20, 10)}`,
    ...atoms.map(([el, x, y, z]) => `  ${el.padEnd(2)} ${f(x + 0.01 * s)} ${f(y)} ${f(z)}`),
  ].join('\n')).join('\n') + '\n';
}

/** MOTION/PRINT/CELL rows: step, time [fs], Ax … Cz [Å], volume. */
function cellFile(steps: number[]): string {
  const header = '#   Step   Time [fs]       Ax [Angstrom]       Ay [Angstrom]       Az [Angstrom]       Bx [Angstrom]       By [Angstrom]       Bz [Angstrom]       Cx [Angstrom]       Cy [Angstrom]       Cz [Angstrom]      Volume [Angstrom^3]';
  return [header, ...steps.map((s) => {
    const a = 6 + 0.1 * s;
    return `${String(s).padStart(8)}${f(0.5 * s, 12, 3)}${[a, 0, 0, 0, 6, 0, 0.5, 0, 7].map((v) => f(v, 20, 10)).join('')}${f(a * 42, 20, 10)}`;
  })].join('\n') + '\n';
}

test('CP2K -pos-1.xyz with the sibling -1.cell: cell in effect at each step, time in fs, energy in info', async () => {
  const pos = tmp.write('LiS-pos-1.xyz', posFile([0, 1, 2, 3, 4]));
  tmp.write('LiS-1.cell', cellFile([0, 2, 4]));
  assert.equal((await detectReader(pos)).name, 'cp2k-xyz');
  const frames = await collect([pos]);
  assert.equal(frames.length, 5);
  assert.deepEqual([...frames[0].species], [3, 3, 16]);
  assert.deepEqual(frames.map((fr) => fr.cell.matrix[0]), [6, 6, 6.2, 6.2, 6.4]);
  assert.deepEqual([...frames[3].cell.matrix], [6.2, 0, 0, 0, 6, 0, 0.5, 0, 7]);
  assert.deepEqual(frames.map((fr) => fr.timePs), [0, 0.0005, 0.001, 0.0015, 0.002]);
  assert.equal(frames[3].positions[0], 0.53);
  assert.equal(frames[4].info?.step, 4);
  assert.equal(frames[4].info?.energy_hartree, -100.004);
  // the same frames as extended XYZ read identically
  const xyz = frames.map((fr) => {
    const lattice = Array.from(fr.cell.matrix).join(' ');
    const lines = atoms.map(([el], i) => `${el} ${fr.positions[3 * i]} ${fr.positions[3 * i + 1]} ${fr.positions[3 * i + 2]}`);
    return `${atoms.length}\nLattice="${lattice}" Properties=species:S:1:pos:R:3 time=${fr.timePs}\n${lines.join('\n')}`;
  }).join('\n') + '\n';
  const ext = await collect([tmp.write('same.extxyz', xyz)]);
  ext.forEach((e, i) => {
    assert.deepEqual([...e.positions], [...frames[i].positions]);
    assert.deepEqual([...e.cell.matrix], [...frames[i].cell.matrix]);
  });
  // --cell names another file; a selection skips frames without parsing them
  const other = tmp.write('other.cell', cellFile([0]));
  const picked = await collect([pos], { cellFile: other, start: 3 });
  assert.deepEqual(picked.map((fr) => [fr.index, fr.cell.matrix[0]]), [[3, 6], [4, 6]]);
});

test('CP2K bad input: no cell file, a cell file that starts too late, a cut frame', async () => {
  const lone = tmp.write('lone-pos-1.xyz', posFile([0, 1]));
  await assert.rejects(collect([lone]), /lone-pos-1\.xyz: the cell file .*lone-1\.cell \(beside the positions\) does not exist.*--cell/);
  const late = tmp.write('late-pos-1.xyz', posFile([0, 1]));
  tmp.write('late-1.cell', cellFile([1]));
  await assert.rejects(collect([late]), /late-pos-1\.xyz, frame 0, line 1: the cell file .*late-1\.cell has no row for step 0 or earlier/);
  const text = posFile([0, 1]);
  const cut = tmp.write('cut-pos-1.xyz', text.slice(0, text.lastIndexOf('\n', text.length - 2)));
  tmp.write('cut-1.cell', cellFile([0]));
  await assert.rejects(collect([cut]), /cut-pos-1\.xyz, frame 1, line 6: the file ends after 2 of the 3 atom lines/);
  await assert.rejects(collect([join(tmp.dir, 'lone-pos-1.xyz')], { cellFile: join(tmp.dir, 'nope.cell') }), /nope\.cell given with --cell does not exist/);
});
