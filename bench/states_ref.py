"""scikit-learn's states computation on getsei's own embeddings (bench/pipeline.ts, issue 15): the same rows for
both sides, so the ratio measures the implementations, not two encoders. As ../shared/reference/pipeline_ref.py:
GaussianMixture(full, n_init, random_state=seed) fitted on a seeded sample, predict every row, silhouette_score on a
seeded sample. Prints one JSON line of seconds and EM iterations of the kept start.

usage: python3 bench/states_ref.py RUN/embeddings.npy --states 6 --sample 50000 --n-init 3 --silhouette 10000 --threads 2
"""
import argparse
import json
import time

import numpy as np
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

p = argparse.ArgumentParser()
p.add_argument("embeddings")
p.add_argument("--states", type=int, default=6)
p.add_argument("--sample", type=int, default=50000)
p.add_argument("--n-init", type=int, default=3)
p.add_argument("--silhouette", type=int, default=10000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()

emb = np.load(a.embeddings).astype(np.float64)
rng = np.random.default_rng(a.seed)
sample = np.sort(rng.choice(len(emb), min(a.sample, len(emb)), replace=False))
with threadpool_limits(a.threads):
    t0 = time.perf_counter()
    gmm = GaussianMixture(n_components=a.states, covariance_type="full", random_state=a.seed, n_init=a.n_init).fit(emb[sample])
    t1 = time.perf_counter()
    labels = gmm.predict(emb)
    t2 = time.perf_counter()
    sil = silhouette_score(emb, labels, sample_size=min(a.silhouette, len(emb)), random_state=a.seed)
    t3 = time.perf_counter()
print(json.dumps({"fit": t1 - t0, "predict": t2 - t1, "silhouette": t3 - t2, "total": t3 - t0,
                  "iterations": int(gmm.n_iter_), "lowerBound": float(gmm.lower_bound_), "silhouetteScore": float(sil)}))
