"""Reference for bench/markov.ts: the same kinetics + TPT pipeline written the way a numpy/scipy user would.

Usage: /usr/bin/python3 bench/markov_ref.py WORK_DIR LAG LAGS(comma-separated) CK_STEPS BOOTSTRAP SEED [SOURCE TARGET]
(SOURCE/TARGET: comma-separated state labels for TPT, so that both programs analyse the same reaction; by default
least -> most mobile by this script's own rate matrix, whose fallback differs from getsei's when ln K is not real.)
Reads WORK_DIR/states.npy (int16 [nTraj, nFrames], -1 = undefined) and WORK_DIR/segments.npy (int32 [nFrames]).
Needs Debian's python3-numpy and python3-scipy (apt-get install -y python3-numpy python3-scipy).
Prints JSON with the timings (best of REPEATS for counting) and the results to cross-check against getsei:
the count matrix at LAG, K, pi, total flux, rate and pathways.

Counting is bincount-style: per block of rows, a pair (t, t+lag) is valid when no undefined frame lies in
[t, t+lag] (cumulative sum of the undefined mask) and t and t+lag are in the same segment; the valid pairs are
histogrammed with np.bincount(i * n + j). Rows are processed in blocks to keep memory bounded.
"""
import json
import sys
import time

import numpy as np
import scipy.linalg as sla
from scipy.sparse.csgraph import connected_components

REPEATS = 3
BLOCK = 64


def segment_ids(segments):
    # contiguous runs of equal ids are segments
    return np.concatenate([[0], np.cumsum(segments[1:] != segments[:-1])])


def count_many(states, seg, lags, n):
    """Count matrices at several lags; the undefined-mask cumsum is computed once per block and reused."""
    out = [np.zeros(n * n, np.int64) for _ in lags]
    same = [seg[:-lag] == seg[lag:] for lag in lags]
    for r0 in range(0, states.shape[0], BLOCK):
        s = states[r0:r0 + BLOCK]
        bad = s < 0
        cs = np.cumsum(bad, axis=1, dtype=np.int32)
        for k, lag in enumerate(lags):
            ok = (cs[:, lag:] - cs[:, :-lag] + bad[:, :-lag]) == 0
            ok &= same[k]
            a = s[:, :-lag][ok].astype(np.int64)
            b = s[:, lag:][ok]
            out[k] += np.bincount(a * n + b, minlength=n * n)
    return [c.reshape(n, n).astype(float) for c in out]


def count_units(states, seg, lag, n):
    """Counts per (trajectory, segment) unit, for the bootstrap."""
    nseg = int(seg.max()) + 1
    units = np.zeros((states.shape[0] * nseg, n * n), np.int64)
    same = seg[:-lag] == seg[lag:]
    segl = seg[:-lag]
    for r0 in range(0, states.shape[0], BLOCK):
        s = states[r0:r0 + BLOCK]
        bad = s < 0
        cs = np.cumsum(bad, axis=1, dtype=np.int32)
        ok = ((cs[:, lag:] - cs[:, :-lag] + bad[:, :-lag]) == 0) & same
        rows = np.broadcast_to(np.arange(r0, r0 + s.shape[0])[:, None], ok.shape)
        unit = (rows * nseg + segl[None, :])[ok]
        idx = unit * (n * n) + s[:, :-lag][ok].astype(np.int64) * n + s[:, lag:][ok]
        units[r0 * nseg:(r0 + s.shape[0]) * nseg] += np.bincount(
            idx - r0 * nseg * n * n, minlength=s.shape[0] * nseg * n * n).reshape(-1, n * n)
    keep = units.sum(axis=1) > 0
    return units[keep].astype(float)


def active_set(c):
    ncomp, labels = connected_components(c > 0, directed=True, connection='strong')
    sizes = np.bincount(labels)
    return np.flatnonzero(labels == np.argmax(sizes))


def stationary(k):
    w, v = sla.eig(k.T)
    i = np.argmin(np.abs(w - 1))
    pi = np.real(v[:, i])
    return pi / pi.sum()


def timescales(k, tau):
    w = np.sort(np.abs(np.linalg.eigvals(k)))[::-1][1:]
    with np.errstate(divide='ignore'):
        return -tau / np.log(w)


def rate_matrix(k, tau):
    r = np.real(sla.logm(k)) / tau
    err_log = np.abs(sla.expm(r * tau) - k).max()
    off = r - np.diag(np.diag(r))
    if (off < 0).any():  # clip negative rates (the simplest fallback), fix the diagonal
        off = np.maximum(off, 0)
        r = off - np.diag(off.sum(axis=1))
    return r, err_log, np.abs(sla.expm(r * tau) - k).max()


def committor(k, zero, one):
    n = k.shape[0]
    inter = np.setdiff1d(np.arange(n), np.concatenate([zero, one]))
    q = np.zeros(n)
    q[one] = 1
    a = np.eye(len(inter)) - k[np.ix_(inter, inter)]
    b = k[np.ix_(inter, one)].sum(axis=1)
    q[inter] = np.linalg.solve(a, b)
    return q


def tpt(k, pi, a, b, tau):
    qp = committor(k, a, b)
    krev = (pi[None, :] * k.T) / pi[:, None]
    qm = committor(krev, b, a)
    f = pi[:, None] * qm[:, None] * k * qp[None, :]
    np.fill_diagonal(f, 0)
    net = np.maximum(0, f - f.T)
    notA = np.ones(len(pi), bool)
    notA[a] = False
    F = f[np.ix_(a, notA)].sum()
    return qp, qm, f, net, F, F / (tau * (pi * qm).sum())


def widest_path(w, sources, targets, thr):
    n = w.shape[0]
    width = np.full(n, -1.0)
    pred = np.full(n, -1)
    done = np.zeros(n, bool)
    width[sources] = np.inf
    while True:
        cand = np.where(~done & (width >= 0), width, -2)
        u = int(np.argmax(cand))
        if cand[u] < -1:
            return None
        done[u] = True
        if u in targets:
            path = [u]
            while pred[path[0]] != -1:
                path.insert(0, int(pred[path[0]]))
            return path, width[u]
        for v in np.flatnonzero((w[u] > thr) & ~done):
            c = min(width[u], w[u, v])
            if c > width[v]:
                width[v] = c
                pred[v] = u


def pathways(net, a, b, F, k_max):
    res = net.copy()
    out = []
    while len(out) < k_max:
        found = widest_path(res, a, set(b.tolist()), 1e-12 * F)
        if found is None:
            break
        path, wid = found
        for x, y in zip(path[:-1], path[1:]):
            res[x, y] -= wid
        out.append((path, wid))
    return out


def model(c_full, tau):
    act = active_set(c_full)
    c = c_full[np.ix_(act, act)]
    k = c / c.sum(axis=1, keepdims=True)
    pi = stationary(k)
    return act, c, k, pi


def main():
    work, lag, lags, ck_steps, nboot, seed = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3].split(',')], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    states = np.load(f'{work}/states.npy', mmap_mode=None)
    seg = segment_ids(np.load(f'{work}/segments.npy'))
    timing = {}

    best = np.inf
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        lo, hi = int(states.min()), int(states.max())
        assert lo >= -1
        n = hi + 1
        c_full = count_many(states, seg, [lag], n)[0]
        best = min(best, time.perf_counter() - t0)
    timing['count'] = best

    t0 = time.perf_counter()
    n = int(states.max()) + 1
    cs = count_many(states, seg, lags, n)
    its = []
    for lg, c in zip(lags, cs):
        act = active_set(c)
        sub = c[np.ix_(act, act)]
        its.append(timescales(sub / sub.sum(axis=1, keepdims=True), lg).tolist())
    timing['its'] = time.perf_counter() - t0

    # full kinetics + TPT: what `getsei kinetics` (ITS at the model lag only, CK k = 1..ck_steps) and
    # `getsei paths` (5 pathways and the exhaustive decomposition) compute
    t0 = time.perf_counter()
    n = int(states.max()) + 1
    c_full = count_many(states, seg, [lag], n)[0]
    act, c, k, pi = model(c_full, lag)
    its_lag = count_many(states, seg, [lag], n)[0]
    _ = timescales(k, lag)
    ev = np.linalg.eigvals(k)
    r, err_log, err = rate_matrix(k, float(lag))
    esc = -np.diag(r)
    mob = esc / esc.max()
    ck_counts = count_many(states, seg, [s * lag for s in range(1, ck_steps + 1)], n)
    ck_err = []
    for s, cc in zip(range(1, ck_steps + 1), ck_counts):
        sub = cc[np.ix_(act, act)]
        ck_err.append(float(np.abs(np.linalg.matrix_power(k, s) - sub / sub.sum(axis=1, keepdims=True)).max()))
    order = np.argsort(-mob, kind='stable')
    a, b = np.array([order[-1]]), np.array([order[0]])
    if len(sys.argv) > 8:
        pos = {s: i for i, s in enumerate(act.tolist())}
        a = np.array([pos[int(x)] for x in sys.argv[7].split(',')])
        b = np.array([pos[int(x)] for x in sys.argv[8].split(',')])
    qp, qm, f, net, F, rate = tpt(k, pi, a, b, float(lag))
    paths5 = pathways(net, a, b, F, 5)
    paths_all = pathways(net, a, b, F, 10 ** 9)
    timing['full'] = time.perf_counter() - t0

    boot = None
    if nboot > 0:
        t0 = time.perf_counter()
        units = count_units(states, seg, lag, n)
        units = units[:, (act[:, None] * n + act[None, :]).ravel()]
        rng = np.random.default_rng(seed)
        rates = []
        for _ in range(nboot):
            w = np.bincount(rng.integers(0, units.shape[0], units.shape[0]), minlength=units.shape[0]).astype(float)
            cb = (w @ units).reshape(len(act), len(act))
            kb = cb / cb.sum(axis=1, keepdims=True)
            pib = stationary(kb)
            rb, _, _ = rate_matrix(kb, float(lag))
            _, _, _, netb, Fb, rateb = tpt(kb, pib, a, b, float(lag))
            pathways(netb, a, b, Fb, 10 ** 9)
            rates.append(rateb)
        timing['bootstrap'] = time.perf_counter() - t0
        boot = {'rateStd': float(np.std(rates, ddof=1)), 'nUnits': int(units.shape[0])}

    print(json.dumps({
        'timing': timing,
        'n': n,
        'activeSet': act.tolist(),
        'count': c_full.ravel().tolist(),
        'K': k.ravel().tolist(),
        'pi': pi.tolist(),
        'rateMatrixError': err,
        'ckMaxError': ck_err,
        'source': act[a].tolist(), 'target': act[b].tolist(),
        'totalFlux': F, 'rate': rate,
        'pathways': [[act[p].tolist(), w] for p, w in paths5],
        'nPathwaysAll': len(paths_all),
        'its': its,
        'bootstrap': boot,
    }))


if __name__ == '__main__':
    main()
