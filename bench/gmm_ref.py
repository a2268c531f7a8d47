"""Reference for bench/gmm.ts: scikit-learn's GaussianMixture and silhouette_score on the same data.

Usage: /usr/bin/python3 bench/gmm_ref.py WORKDIR COMPONENTS RESTARTS MAX_ITER TOL REG_COVAR
WORKDIR holds x.npy (float32 [n, d]), fit_rows.npy (int32, the fit sample), sil_rows.npy (int32) and
sil_labels.npy (int16, getsei's labels of those rows). Writes sk_labels.npy and prints one JSON line.
Needs: apt-get install -y python3-numpy python3-sklearn
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture


def main() -> None:
    work = sys.argv[1]
    components, restarts, max_iter = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    tol, reg_covar = float(sys.argv[5]), float(sys.argv[6])
    X = np.load(os.path.join(work, "x.npy"))
    fit_rows = np.load(os.path.join(work, "fit_rows.npy"))
    sil_rows = np.load(os.path.join(work, "sil_rows.npy"))
    sil_labels = np.load(os.path.join(work, "sil_labels.npy"))
    sample = X[fit_rows]

    t0, c0 = time.perf_counter(), time.process_time()
    gmm = GaussianMixture(
        n_components=components, covariance_type="full", n_init=restarts, max_iter=max_iter, tol=tol,
        reg_covar=reg_covar, init_params="kmeans", random_state=0,
    ).fit(sample)
    fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    labels = gmm.predict(X)
    predict_s, predict_cpu = time.perf_counter() - t0, time.process_time() - c0
    np.save(os.path.join(work, "sk_labels.npy"), labels.astype(np.int16))

    t0, c0 = time.perf_counter(), time.process_time()
    sil = silhouette_score(X[sil_rows], sil_labels)
    sil_s, sil_cpu = time.perf_counter() - t0, time.process_time() - c0

    print(json.dumps({
        "sklearn": sklearn.__version__, "numpy": np.__version__,
        "fitSeconds": fit_s, "fitCpuSeconds": fit_cpu, "iterations": int(gmm.n_iter_),
        "converged": bool(gmm.converged_), "logLikelihood": float(gmm.score(sample)),
        "predictSeconds": predict_s, "predictCpuSeconds": predict_cpu,
        "silhouetteSeconds": sil_s, "silhouetteCpuSeconds": sil_cpu, "silhouette": float(sil),
    }))


if __name__ == "__main__":
    main()
