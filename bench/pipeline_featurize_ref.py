"""The "read + features + graphs" stage of ../shared/reference/pipeline_ref.py alone (its own functions, timed as its
main() times them, 4.0 A shell, 3.0 A edges, 2 threads), for bench/pipeline.ts --featurize-only. Prints JSON seconds.
Usage: python3 bench/pipeline_featurize_ref.py DIR_OF_PIPELINE_REF FILE..."""
import os, sys, time, json
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"): os.environ.setdefault(v, "2")
sys.path.insert(0, sys.argv[1])
import numpy as np
import pipeline_ref as ref
from ase.neighborlist import neighbor_list
import torch
torch.set_num_threads(2)
files = sys.argv[2:]
t0 = time.perf_counter(); frames, segments = ref.read_frames(files, "vasp-xdatcar"); tr = time.perf_counter() - t0
na = len(frames[0]); sym = np.array(frames[0].get_chemical_symbols()); species = sorted(set(sym.tolist())); ns = len(species)
spec_idx = np.searchsorted(np.array(species), sym); li_atoms = np.flatnonzero(sym == "Li"); nli = li_atoms.size
li_pos = np.full(na, -1, dtype=np.int64); li_pos[li_atoms] = np.arange(nli)
feats = np.empty((len(frames) * na, 2 * ns + 6), dtype=np.float32); tf = tg = 0.0; node_atom, npg, ea, eb, epg = [], [], [], [], []
for k, at in enumerate(frames):
    t0 = time.perf_counter(); i, j, d, D = neighbor_list("ijdD", at, 4.0)
    feats[k * na:(k + 1) * na] = ref.frame_features(i, j, d, D, na, spec_idx, ns); t1 = time.perf_counter()
    nat, c, ga, gb, ce = ref.frame_graphs(i, j, D, li_atoms, li_pos, 3.0)
    node_atom.append(nat.astype(np.int64) + k * na); npg.append(c); ea.append(ga); eb.append(gb); epg.append(ce)
    t2 = time.perf_counter(); tf += t1 - t0; tg += t2 - t1
t0 = time.perf_counter()
node_row = np.concatenate(node_atom); node_ptr = np.concatenate([[0], np.cumsum(np.concatenate(npg))]); edge_a, edge_b = np.concatenate(ea), np.concatenate(eb)
mu = feats.mean(axis=0); sd = feats.std(axis=0); xstd = ((feats - mu) / np.where(sd > 1e-12, sd, 1.0)).astype(np.float32)
tg += time.perf_counter() - t0
print(json.dumps({"read": tr, "features": tf, "graphs": tg, "total": tr + tf + tg}))
