"""Reference for bench/report.ts: the same 14 figures of the report drawn with matplotlib from the same data
(a ReportInput dumped as JSON), each saved as SVG and as PNG at twice the size, as a Python user would make them.
Prints the seconds of the best of N repeats. Needs /usr/bin/python3 with python3-matplotlib
(apt-get install -y python3-matplotlib)."""
import json
import math
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save(fig, out, name):
    fig.savefig(f"{out}/{name}.svg")
    fig.savefig(f"{out}/{name}.png", dpi=2 * fig.dpi)
    plt.close(fig)


def heatmap(m, labels, title, out, name):
    fig, ax = plt.subplots(figsize=(4.5, 4))
    a = np.array(m, dtype=float)
    np.fill_diagonal(a, np.nan)
    im = ax.imshow(a, cmap="Blues")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if i != j:
                ax.text(j, i, f"{a[i, j]:.2g}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_title(title)
    fig.colorbar(im)
    save(fig, out, name)


def draw(d, out):
    s, k, p = d["states"], d["kinetics"], d["paths"]
    labels = s["labels"]
    n = len(labels)
    pts = s["embeddingMap"]["points"]
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter([q["x"] for q in pts], [q["y"] for q in pts], c=[q["state"] for q in pts], s=4, cmap="tab10", alpha=0.6)
    ax.set_title("t-SNE")
    save(fig, out, "embedding-map")

    desc = s["descriptors"]
    cn = np.array(desc["coordination"])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    w = 0.8 / cn.shape[1]
    for e, el in enumerate(desc["elements"]):
        ax.bar(np.arange(n) + e * w, cn[:, e], w, label=el)
    ax.set_xticks(np.arange(n) + 0.4 - w / 2, labels)
    ax.legend()
    save(fig, out, "coordination")

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(np.arange(n) - 0.2, s["populations"], 0.4, label="samples")
    b = k["bootstrap"]["stationary"]
    pi = np.array(k["stationary"])
    ax.bar(np.arange(n) + 0.2, pi, 0.4, yerr=[pi - np.array(b["lower"]), np.array(b["upper"]) - pi], label="π")
    ax.legend()
    save(fig, out, "populations")

    t = s["scoreTable"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7, 3))
    a1.plot([r["count"] for r in t], [r["silhouette"] for r in t], "o-")
    a2.plot([r["count"] for r in t], [r["bic"] for r in t], "o-")
    for a in (a1, a2):
        a.axvline(s["count"], ls="--", c="r")
    save(fig, out, "state-count")

    z = d["zProfile"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.stackplot(z["zCentres"], z["fractions"], labels=labels)
    ax.legend()
    save(fig, out, "z-profile")

    scan = k["impliedTimescalesScan"]
    ts = np.array([[np.nan if v is None else v for v in row] for row in scan["timescales"]])
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for j in range(ts.shape[1]):
        ax.plot(scan["lags"], ts[:, j], "o-", label=f"process {j + 1}")
    ax.plot(scan["lags"], scan["lags"], "--", c="grey")
    ax.axvline(k["lag"], c="r", ls="--")
    ax.set_yscale("log")
    ax.legend()
    save(fig, out, "implied-timescales")

    heatmap(k["rateMatrix"], labels, "escape rates", out, "escape-rates")

    fig, ax = plt.subplots(figsize=(4.5, 3))
    order = np.argsort(k["mobility"])
    ax.barh([labels[i] for i in order], [k["mobility"][i] for i in order])
    save(fig, out, "mobility")

    rates = -np.diag(np.array(k["rateMatrix"]))
    feats = [(f"{el} neighbours", cn[:, e]) for e, el in enumerate(desc["elements"])]
    for key in ("liDensity", "meanNeighbourDistanceAngstrom", "angleMeanDeg", "angleStdDeg", "angleMedianDeg", "meanZAngstrom"):
        feats.append((key, np.array(desc[key])))
    r = [np.corrcoef(v, rates)[0, 1] for _, v in feats]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.barh([f for f, _ in feats], r, color=["g" if x >= 0 else "r" for x in r])
    save(fig, out, "escape-rate-correlation")

    heatmap(p["equilibriumFlux"], labels, "equilibrium flux", out, "equilibrium-flux")
    heatmap(p["grossFlux"], labels, "reactive flux", out, "reactive-flux")

    net = np.array(p["netFlux"])
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ang = [math.pi - 2 * math.pi * i / n for i in range(n)]
    xy = [(math.cos(a), math.sin(a)) for a in ang]
    mx = net.max()
    for i in range(n):
        for j in range(n):
            if net[i, j] > 0.01 * mx:
                ax.annotate("", xy=xy[j], xytext=xy[i], arrowprops={"width": 1 + 9 * net[i, j] / mx, "alpha": 0.7})
    for i, (x, y) in enumerate(xy):
        ax.add_patch(plt.Circle((x, y), 0.15, color="lightblue", ec="k"))
        ax.text(x, y, labels[i], ha="center", va="center")
    ax.set_aspect("equal")
    ax.axis("off")
    save(fig, out, "flux-network")

    fig, ax = plt.subplots(figsize=(6, 3))
    paths = p["pathways"]
    ax.barh([" → ".join(labels[i] for i in w["states"]) for w in paths][::-1], [100 * w["fraction"] for w in paths][::-1])
    save(fig, out, "pathways")

    ck = k["ckTest"]
    fig, axes = plt.subplots(2, 3, figsize=(7, 4.5))
    times = [st * k["lag"] for st in ck["steps"]]
    for i, ax in enumerate(axes.flat[:n]):
        ax.plot(times, [m[i][i] for m in ck["predicted"]])
        ax.plot(times, [m[i][i] for m in ck["estimated"]], "o")
        ax.set_title(labels[i])
    save(fig, out, "ck-test")


def main():
    data = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        draw(data, out)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"seconds": best, "matplotlib": matplotlib.__version__}))


main()
