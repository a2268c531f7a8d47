"""Write a small trajectory with a real MD tool, read it back with MDAnalysis, print what MDAnalysis reads as JSON.

Usage: md_write.py JOBS-JSON, a list of {"format", "path", "atoms", "frames", "options"} (one interpreter start for
all of them; MDAnalysis takes a second to import).
FORMAT: xtc (MDAnalysis' XTCWriter, GROMACS' xdrfile), xtc-mdtraj (mdtraj's writer), dcd (MDAnalysis' CHARMM DCD
writer), dcd-mdtraj (mdtraj's, VMD's dcdplugin), h5md (MDAnalysis' H5MDWriter), ncdf (MDAnalysis' AMBER NetCDF writer).
Options: precision (XTC digits), triclinic (every other frame has beta = 80 degrees), dt (ps between frames).
The atoms are triples of neighbours (like water: XTC compresses those as runs) plus their drift; the cell changes
every frame. Output: {"frames": [{"positions": [...], "box": [9 numbers, rows a b c in A], "time": ps}]}.
"""
import json
import sys
import warnings

warnings.filterwarnings('ignore')
import numpy as np  # noqa: E402
import MDAnalysis as mda  # noqa: E402


def job(fmt, path, n, nframes, opts):
    dt = float(opts.get('dt', 2.5))
    rng = np.random.default_rng(1)
    base = rng.uniform(1, 29, size=(n, 3))
    for i in range(0, n - 2, 3):
        base[i + 1] = base[i] + rng.normal(0, 0.6, 3)
        base[i + 2] = base[i] + rng.normal(0, 0.6, 3)

    def frame(f):
        pos = (base + f * 0.3 + rng.normal(0, 0.05, (n, 3))).astype(np.float32)
        beta = 80.0 if opts.get('triclinic') and f % 2 == 1 else 90.0
        return pos, np.array([30.0 + f, 31.0, 32.0, 90.0, beta, 90.0], dtype=np.float32)

    if fmt == 'xtc-mdtraj':
        import mdtraj
        from MDAnalysis.lib.mdamath import triclinic_vectors
        with mdtraj.formats.XTCTrajectoryFile(path, 'w') as w:
            for f in range(nframes):
                pos, dims = frame(f)
                w.write(pos / 10, time=np.float32(dt * f), step=10 * f, box=(triclinic_vectors(dims) / 10)[None])
    elif fmt == 'dcd-mdtraj':
        import mdtraj
        with mdtraj.formats.DCDTrajectoryFile(path, 'w') as w:
            for f in range(nframes):
                pos, dims = frame(f)
                w.write(pos, cell_lengths=dims[None, :3], cell_angles=dims[None, 3:])
    else:
        u = mda.Universe.empty(n, trajectory=True)
        kwargs = {'xtc': {'precision': int(opts.get('precision', 3))}, 'dcd': {'dt': dt}, 'h5md': {'positions': True, 'velocities': False, 'forces': False, 'lengthunit': 'Angstrom', 'timeunit': 'ps'}, 'ncdf': {}}[fmt]
        with mda.Writer(path, n, **kwargs) as w:
            for f in range(nframes):
                u.atoms.positions, u.dimensions = frame(f)
                u.trajectory.ts.time = dt * f
                u.trajectory.ts.data['step'] = 10 * f
                w.write(u)

    r = mda.Universe.empty(n)
    r.load_new(path, format={'xtc-mdtraj': 'XTC', 'dcd-mdtraj': 'DCD'}.get(fmt, fmt.upper()))
    out = [dict(positions=ts.positions.astype(float).ravel().tolist(), box=ts.triclinic_dimensions.astype(float).ravel().tolist(), time=float(ts.time)) for ts in r.trajectory]
    return out


print(json.dumps([job(j['format'], j['path'], int(j['atoms']), int(j['frames']), j.get('options', {})) for j in json.loads(sys.argv[1])]))
