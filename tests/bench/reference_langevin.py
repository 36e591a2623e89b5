#!/usr/bin/env python3
"""Times annealed Langevin steps of the paper's Res12 energy network in PyTorch, written the way
the authors' reference code works (autograd for dE/dx, one step = forward + input gradient +
update), so that `ebm bench` can be read side by side with it on the same machine.

The network follows the layout in docs (conv1, rb1 rbc1 rb2 rbc2 rb3 rbc3, ELU, 2x2 mean pooling,
the quadratic head of eq. 12), built here from those facts. Weights are PyTorch's default
initialisation: the time of a step does not depend on their values.

    python3 tests/bench/reference_langevin.py --widths 16,64 --batch 64 --threads 2 --json
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class PaddedConv(nn.Module):
    def __init__(self, cin, cout, kernel, bias=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, padding=(kernel - 1) // 2, bias=bias)

    def forward(self, x):
        return self.conv(x)


def mean_pool(x):
    return (x[:, :, ::2, ::2] + x[:, :, 1::2, ::2] + x[:, :, ::2, 1::2] + x[:, :, 1::2, 1::2]) / 4


class Block(nn.Module):
    def __init__(self, cin, cout, down):
        super().__init__()
        self.down = down
        self.conv_shortcut = PaddedConv(cin, cout, 1)
        self.conv_1 = PaddedConv(cin, cin, 3, bias=False)
        self.conv_2 = PaddedConv(cin, cout, 3)

    def forward(self, x):
        shortcut = self.conv_shortcut(mean_pool(x) if self.down else x)
        h = self.conv_2(F.elu(self.conv_1(F.elu(x))))
        return shortcut + (mean_pool(h) if self.down else h)


class Res12Quadratic(nn.Module):
    def __init__(self, width, channels=1, size=32):
        super().__init__()
        self.conv1 = PaddedConv(channels, width, 3)
        layout = [(width, 2 * width, True), (2 * width, 2 * width, False), (2 * width, 4 * width, True),
                  (4 * width, 4 * width, False), (4 * width, 8 * width, True), (8 * width, 8 * width, False)]
        self.blocks = nn.ModuleList(Block(a, b, d) for a, b, d in layout)
        features = 8 * width * (size // 8) ** 2
        self.ln1, self.ln2, self.lq = nn.Linear(features, 1), nn.Linear(features, 1), nn.Linear(features, 1)

    def forward(self, x):
        h = self.conv1(x)
        for block in self.blocks:
            h = block(h)
        h = h.flatten(1)
        return (self.ln1(h) * self.ln2(h) + self.lq(h * h)).squeeze(1)


def langevin_seconds_per_step(net, batch, step_size, min_seconds, min_repeats):
    x = 0.5 + torch.randn(batch, 1, 32, 32)
    temperature = 1.0

    def step(x):
        x = x.detach().requires_grad_(True)
        grad = torch.autograd.grad(net(x).sum(), x)[0]
        return (x - 0.5 * step_size ** 2 * grad + step_size * math.sqrt(temperature) * torch.randn_like(x)).detach()

    x = step(x)  # warm-up
    repeats, start = 0, time.perf_counter()
    while repeats < min_repeats or time.perf_counter() - start < min_seconds:
        x = step(x)
        repeats += 1
    return (time.perf_counter() - start) / repeats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", default="16,32,64")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--weights-require-grad", action="store_true",
                        help="leave the weights requiring gradients, as a training script's network does "
                             "(autograd then keeps more of the graph); by default they do not, the faster case")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    results = []
    for width in [int(w) for w in args.widths.split(",")]:
        net = Res12Quadratic(width)
        for p in net.parameters():
            p.requires_grad_(args.weights_require_grad)
        seconds = langevin_seconds_per_step(net, args.batch, 0.02, args.seconds, args.repeats)
        results.append({"model": f"res12-{width}", "langevin_s_per_step": seconds})
        if not args.json:
            print(f"reference res12-{width:<3} langevin {seconds:.4f} s/step (batch {args.batch}, {args.threads} threads)")
    if args.json:
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "langevin_batch": args.batch,
                          "results": results}))


if __name__ == "__main__":
    main()
