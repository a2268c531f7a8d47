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
from pathlib import Path

import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'test' / 'python'))
from msd_reference import unwrapped_li  # noqa: E402  (the cross-check's reading and unwrapping, shared)

warnings.filterwarnings('ignore')
import MDAnalysis as mda  # noqa: E402
from MDAnalysis.analysis.msd import EinsteinMSD  # noqa: E402
from MDAnalysis.coordinates.memory import MemoryReader  # noqa: E402

repeats, files = int(sys.argv[1]), sys.argv[2:]
t0 = time.perf_counter()
unwrapped = unwrapped_li(files).astype(np.float32)
t_read = time.perf_counter() - t0

best = float('inf')
for _ in range(repeats):
    u = mda.Universe.empty(unwrapped.shape[1], trajectory=True)
    u.load_new(unwrapped, format=MemoryReader, dt=0.1)
    t0 = time.perf_counter()
    m = EinsteinMSD(u, select='all', msd_type='xyz', fft=False)
    m.run()
    best = min(best, time.perf_counter() - t0)
msd = m.results.timeseries
json.dump({'readSeconds': t_read, 'msdSeconds': best, 'msd': [float(x) for x in msd]}, sys.stdout)
