"""Write frames of a real structure with the real MD tools, for the features cross-check (issue 12).

Usage: md_from_example.py XDATCAR OUTDIR NFRAMES
ASE reads the first NFRAMES frames of XDATCAR (the bundled Li6PS5Cl); MDAnalysis writes them as XTC, DCD, H5MD and
AMBER NetCDF; each written file is read back by MDAnalysis and its frames (positions and cells as MDAnalysis reads
them) are written by ASE as an extended XYZ beside it (<name>.extxyz, species from XDATCAR), so the two files hold the
same frames and getsei's features of the two must agree. The frames, turned into the standard cell orientation the
formats store, go to original.extxyz; topology.extxyz (the first frame) gives the species to formats without them. Prints the written names as JSON.
"""
import json
import sys
import warnings

warnings.filterwarnings('ignore')
import numpy as np  # noqa: E402
import ase.io  # noqa: E402
from ase import Atoms  # noqa: E402
import MDAnalysis as mda  # noqa: E402
from MDAnalysis.lib.mdamath import triclinic_vectors  # noqa: E402

src, out, nframes = sys.argv[1], sys.argv[2], int(sys.argv[3])
read = ase.io.read(src, index=f':{nframes}', format='vasp-xdatcar')
symbols = read[0].get_chemical_symbols()
n = len(symbols)
# the formats store the box as lengths and angles, i.e. in the standard orientation (a along x, b in the xy plane):
# the XDATCAR's frames are turned into it first (same fractional coordinates), and written so as original.extxyz
frames = []
for a in read:
    cell = triclinic_vectors(np.array(list(a.cell.cellpar())))
    frames.append(Atoms(symbols=symbols, scaled_positions=a.get_scaled_positions(wrap=False), cell=cell, pbc=True))
ase.io.write(f'{out}/original.extxyz', frames, format='extxyz')
ase.io.write(f'{out}/topology.extxyz', frames[0], format='extxyz')

names = {'xtc': 'XTC', 'dcd': 'DCD', 'h5md': 'H5MD', 'ncdf': 'NCDF'}
kwargs = {'xtc': {'precision': 3}, 'dcd': {'dt': 0.1}, 'h5md': {'positions': True, 'velocities': False, 'forces': False, 'lengthunit': 'Angstrom', 'timeunit': 'ps'}, 'ncdf': {}}
written = []
for ext, fmt in names.items():
    path = f'{out}/example.{ext}'
    u = mda.Universe.empty(n, trajectory=True)
    with mda.Writer(path, n, **kwargs[ext]) as w:
        for k, a in enumerate(frames):
            u.atoms.positions = a.get_positions().astype(np.float32)
            u.dimensions = np.array(list(a.cell.cellpar()), dtype=np.float32)
            u.trajectory.ts.time = 0.1 * k
            w.write(u)
    r = mda.Universe.empty(n)
    r.load_new(path, format=fmt)
    back = []
    for ts in r.trajectory:
        back.append(Atoms(symbols=symbols, positions=ts.positions.astype(np.float64), cell=triclinic_vectors(ts.dimensions).astype(np.float64), pbc=True))
    ase.io.write(f'{path}.extxyz', back, format='extxyz')
    written.append(path)
print(json.dumps(written))
