"""Reference for bench/transport.ts: MDAnalysis EinsteinMSD on the Li6PS5Cl example.

MDAnalysis has no XDATCAR reader, so ASE reads the files and numpy unwraps them (minimum-image steps); the
unwrapped Li positions go into an in-memory Universe and EinsteinMSD (msd_type xyz, fft=False: tidynamics is not
packaged by Debian) runs over every origin. Prints JSON: seconds for reading+unwrapping, for EinsteinMSD.run(),
and the MSD curve. Usage: transport_ref.py REPEATS FILE...
"""
import json
import sys
import time
import warnings

import numpy as np
from ase.io import read

warnings.filterwarnings('ignore')
import MDAnalysis as mda  # noqa: E402
from MDAnalysis.analysis.msd import EinsteinMSD  # noqa: E402
from MDAnalysis.coordinates.memory import MemoryReader  # noqa: E402

repeats, files = int(sys.argv[1]), sys.argv[2:]
t0 = time.perf_counter()
frames = []
for path in files:
    frames.extend(read(path, index=':', format='vasp-xdatcar'))
li = np.array([a.symbol == 'Li' for a in frames[0]])
cell = np.array(frames[0].cell)
frac = np.array([f.get_scaled_positions(wrap=False)[li] for f in frames])
steps = np.diff(frac, axis=0)
steps -= np.round(steps)
unwrapped = (np.concatenate([frac[:1], frac[:1] + np.cumsum(steps, axis=0)]) @ cell).astype(np.float32)
t_read = time.perf_counter() - t0

best = float('inf')
for _ in range(repeats):
    u = mda.Universe.empty(int(li.sum()), trajectory=True)
    u.load_new(unwrapped, format=MemoryReader, dt=0.1)
    t0 = time.perf_counter()
    m = EinsteinMSD(u, select='all', msd_type='xyz', fft=False)
    m.run()
    best = min(best, time.perf_counter() - t0)
msd = m.results.timeseries
json.dump({'readSeconds': t_read, 'msdSeconds': best, 'msd': [float(x) for x in msd]}, sys.stdout)
