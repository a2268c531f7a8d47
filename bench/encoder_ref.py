"""PyTorch-CPU reference for bench/encoder.ts: the same GAT encoder (2 layers x 4 heads, PyG GATConv semantics:
self-loops, LeakyReLU(0.2) logits, softmax over incoming edges, heads concatenated, ELU), mean readout, linear
projection to 32-d, symmetric NT-Xent (tau 0.5) over two views (10 % undirected edges dropped, 20 % feature entries
masked), Adam. Message passing with index_add_ / scatter_reduce over an edge list, as torch_geometric does.

Reads the graphs, the initial weights and getsei's embeddings written by bench/encoder.ts; checks that this model
reproduces getsei's embeddings with the same weights, then times training steps and embedding batches.
Usage: /usr/bin/python3 bench/encoder_ref.py DATA_DIR THREADS TRAIN_STEPS EMBED_GRAPHS
Needs Debian's python3-torch and python3-numpy (apt-get install -y python3-torch python3-numpy).
"""
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

data, threads, train_steps, embed_graphs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)

cfg = json.load(open(f"{data}/encoder/config.json"))
arch = cfg["architecture"]
H, C, E_DIM = arch["heads"], arch["hiddenPerHead"], arch["embeddingDim"]
assert arch["readout"] == "mean" and arch["lastLayerHeads"] == "concat", "the reference implements the default architecture"


def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        s, t = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + s:8 + n + t], dtype="<f4").reshape(e["shape"]).copy())
    return out


x_all = torch.from_numpy(np.load(f"{data}/x.npy"))
src_all = torch.from_numpy(np.load(f"{data}/edge_src.npy").astype(np.int64))
dst_all = torch.from_numpy(np.load(f"{data}/edge_dst.npy").astype(np.int64))
node_start = np.load(f"{data}/node_start.npy").astype(np.int64)
edge_start = np.load(f"{data}/edge_start.npy").astype(np.int64)
count = len(node_start) - 1


class GATConv(torch.nn.Module):
    def __init__(self, din, concat):
        super().__init__()
        self.lin = torch.nn.Linear(din, H * C, bias=False)
        self.att_src = torch.nn.Parameter(torch.zeros(1, H, C))
        self.att_dst = torch.nn.Parameter(torch.zeros(1, H, C))
        self.concat = concat
        self.bias = torch.nn.Parameter(torch.zeros(H * C if concat else C))

    def forward(self, x, src, dst):
        n = x.shape[0]
        wh = self.lin(x).view(n, H, C)
        a_s = (wh * self.att_src).sum(-1)
        a_d = (wh * self.att_dst).sum(-1)
        e = F.leaky_relu(a_s[src] + a_d[dst], 0.2)
        emax = torch.full((n, H), -float("inf")).scatter_reduce(0, dst.unsqueeze(-1).expand(-1, H), e, "amax")
        ex = (e - emax[dst]).exp()
        den = torch.zeros(n, H).index_add_(0, dst, ex)
        alpha = ex / den[dst]
        out = torch.zeros(n, H, C).index_add_(0, dst, alpha.unsqueeze(-1) * wh[src])
        out = out.reshape(n, H * C) if self.concat else out.mean(1)
        return out + self.bias


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = GATConv(arch["nFeatures"], True)
        self.conv2 = GATConv(H * C, True)
        self.proj = torch.nn.Linear(H * C, E_DIM)

    def forward(self, x, src, dst, node_graph, n_graphs):
        n = x.shape[0]
        loops = torch.arange(n)
        src, dst = torch.cat([src, loops]), torch.cat([dst, loops])
        h = F.elu(self.conv1(x, src, dst))
        h = F.elu(self.conv2(h, src, dst))
        sizes = torch.zeros(n_graphs).index_add_(0, node_graph, torch.ones(n))
        r = torch.zeros(n_graphs, h.shape[1]).index_add_(0, node_graph, h) / sizes.unsqueeze(-1)
        return self.proj(r)


def batch(a, b):
    """Graphs [a, b) as one disjoint graph (edges are stored as adjacent reverse pairs)."""
    n0, n1, e0, e1 = node_start[a], node_start[b], edge_start[a], edge_start[b]
    sizes = torch.from_numpy(node_start[a + 1:b + 1] - node_start[a:b])
    node_graph = torch.repeat_interleave(torch.arange(b - a), sizes)
    return x_all[n0:n1], src_all[e0:e1] - n0, dst_all[e0:e1] - n0, node_graph, b - a


def two_views(x, src, dst, node_graph, g):
    n = x.shape[0]
    xs, ss, ds = [], [], []
    for v in range(2):
        keep = (torch.rand(src.shape[0] // 2) >= 0.1).repeat_interleave(2)
        ss.append(src[keep] + v * n)
        ds.append(dst[keep] + v * n)
        xs.append(x * (torch.rand(x.shape) >= 0.2))
    return torch.cat(xs), torch.cat(ss), torch.cat(ds), torch.cat([node_graph, node_graph + g]), 2 * g


def nt_xent(z, tau=0.5):
    u = F.normalize(z, dim=1)
    n2 = u.shape[0]
    s = (u @ u.T) / tau
    s = s.masked_fill(torch.eye(n2, dtype=torch.bool), -float("inf"))
    target = (torch.arange(n2) + n2 // 2) % n2
    return F.cross_entropy(s, target)


model = Encoder()
model.load_state_dict(load_safetensors(f"{data}/encoder/model.safetensors"))

# same weights → same embeddings as getsei
ref = np.load(f"{data}/embeddings.npy")
with torch.no_grad():
    z = model(*batch(0, ref.shape[0])).numpy()
max_abs_diff = float(np.abs(z - ref).max())

B = 256
batches = [batch(a, min(count, a + B)) for a in range(0, count - B + 1, B)]
opt = torch.optim.Adam(model.parameters(), lr=1e-3)


def train_step(k):
    views = two_views(*batches[k % len(batches)])
    opt.zero_grad()
    loss = nt_xent(model(*views))
    loss.backward()
    opt.step()
    return float(loss)


for k in range(3):
    train_step(k)
t0 = time.perf_counter()
for k in range(train_steps):
    train_step(k)
train_s = time.perf_counter() - t0

with torch.no_grad():
    for k in range(3):
        model(*batches[k % len(batches)])
    t0 = time.perf_counter()
    done = 0
    k = 0
    while done < embed_graphs:
        model(*batches[k % len(batches)])
        done += batches[k % len(batches)][4]
        k += 1
    embed_s = time.perf_counter() - t0

print(json.dumps({
    "torch": torch.__version__,
    "maxAbsDiff": max_abs_diff,
    "trainGraphsPerSecond": train_steps * B / train_s,
    "embedGraphsPerSecond": done / embed_s,
}))
