"""Reference for bench/featurize.ts: the paper's per-atom features with ASE's neighbour list + numpy.

Usage: /usr/bin/python3 bench/featurize_ref.py OUT_DIR FRAMES_TO_DUMP FILE [FILE ...]
Needs Debian's python3-ase and python3-numpy (apt-get install -y python3-ase python3-numpy).
Prints JSON: frames, atoms, seconds reading + features, seconds in features only. Writes the feature table
of the requested frames (comma-separated global indices) as OUT_DIR/ref_<frame>.npy, columns as getsei's.
"""
import json
import sys
import time

import numpy as np
from ase.data import chemical_symbols
from ase.io import iread
from ase.neighborlist import neighbor_list

SHELL = 4.0


def features(atoms):
    n = len(atoms)
    z = atoms.numbers
    species = sorted(set(z.tolist()), key=lambda s: chemical_symbols[s])
    i, j, d, D = neighbor_list('ijdD', atoms, SHELL)
    order = np.argsort(i, kind='stable')
    i, j, d, D = i[order], j[order], d[order], D[order]
    k = np.bincount(i, minlength=n)
    out = np.zeros((n, 1 + len(species) + 5))
    with np.errstate(invalid='ignore', divide='ignore'):
        out[:, 0] = np.where(k > 0, np.bincount(i, weights=d, minlength=n) / np.maximum(k, 1), SHELL)
    for c, s in enumerate(species):
        out[:, 1 + c] = np.bincount(i[z[j] == s], minlength=n)
    starts = np.concatenate([[0], np.cumsum(k)])
    a0 = 1 + len(species)
    for atom in range(n):
        if k[atom] < 2:
            continue
        v = D[starts[atom]:starts[atom + 1]]
        r = d[starts[atom]:starts[atom + 1]]
        cos = (v @ v.T) / np.outer(r, r)
        iu = np.triu_indices(len(r), 1)
        ang = np.degrees(np.arccos(np.clip(cos[iu], -1.0, 1.0)))
        out[atom, a0:a0 + 5] = [ang.mean(), ang.std(), ang.min(), ang.max(), np.median(ang)]
    return out


def main():
    out_dir, dump, files = sys.argv[1], {int(x) for x in sys.argv[2].split(',') if x}, sys.argv[3:]
    t0 = time.perf_counter()
    t_feat = 0.0
    frames = 0
    atoms_n = 0
    for f in files:
        for atoms in iread(f, index=':'):
            t1 = time.perf_counter()
            table = features(atoms)
            t_feat += time.perf_counter() - t1
            if frames in dump:
                np.save(f'{out_dir}/ref_{frames}.npy', table.astype(np.float64))
            frames += 1
            atoms_n = len(atoms)
    print(json.dumps({'frames': frames, 'atoms': atoms_n, 'seconds': time.perf_counter() - t0, 'featureSeconds': t_feat}))


if __name__ == '__main__':
    main()
