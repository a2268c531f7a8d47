"""Independent tracer MSD for the transport cross-check: ASE reads the XDATCARs, numpy unwraps and averages.

Usage: msd_reference.py FILE... > out.json. Files are consecutive segments of one run (constant cell).
Unwrapping: minimum-image steps in fractional coordinates; MSD over every time origin; Li only.
"""
import json
import sys

import numpy as np
from ase.io import read

def unwrapped_li(paths):
    """Unwrapped Li positions [frames, Li, 3] in Å of consecutive XDATCAR segments (also used by bench/transport_ref.py)."""
    frames = []
    for path in paths:
        frames.extend(read(path, index=':', format='vasp-xdatcar'))
    li = np.array([a.symbol == 'Li' for a in frames[0]])
    cell = np.array(frames[0].cell)
    frac = np.array([f.get_scaled_positions(wrap=False)[li] for f in frames])
    steps = np.diff(frac, axis=0)
    steps -= np.round(steps)
    return np.concatenate([frac[:1], frac[:1] + np.cumsum(steps, axis=0)]) @ cell


if __name__ == '__main__':
    unwrapped = unwrapped_li(sys.argv[1:])
    n = len(unwrapped)
    msd = [0.0] + [float(np.mean(np.sum((unwrapped[lag:] - unwrapped[:-lag]) ** 2, axis=2))) for lag in range(1, n)]
    json.dump({'nFrames': n, 'nLi': int(unwrapped.shape[1]), 'msd': msd}, sys.stdout)
