#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Counts the upward arrows in the engine's class import graph.

The graph has one node per top-level class of runnel-engine (nested classes count as their
outer class) and one arrow per class that uses another. Its classes are put in layers by
the greedy ordering of Eades, Lin and Smyth (sinks to the bottom, sources to the top, then
the class with the most outgoing minus incoming arrows): an arrow that points from a lower
class to a higher one is an upward arrow. A graph without cycles has none, and each cycle
has at least one.

It also prints the knots: sets of classes that all depend on each other, which no layering
can untangle (the largest is what a change in one of them may ripple through).

Usage: tools/upward-arrows.py [classes-dir] [--list]
  (default classes-dir: runnel-engine/target/classes; build it first)
"""
import collections
import re
import subprocess
import sys


def graph(classes):
    out = subprocess.run(["jdeps", "-verbose:class", "-filter:none", classes],
                         check=True, capture_output=True, text=True).stdout
    edges = collections.defaultdict(set)
    nodes = set()
    top = lambda name: name.split("$")[0]
    for line in out.splitlines():
        m = re.match(r"\s+(io\.runnel\.engine\S*)\s+->\s+(io\.runnel\.engine\S*)", line)
        if not m:
            continue
        a, b = top(m.group(1)), top(m.group(2))
        nodes.update((a, b))
        if a != b:
            edges[a].add(b)
    return nodes, edges


def order(nodes, edges):
    """Eades-Lin-Smyth: a sequence whose backward arrows form a small feedback arc set."""
    out = {n: set(edges.get(n, ())) for n in nodes}
    inc = {n: set() for n in nodes}
    for a, bs in out.items():
        for b in bs:
            inc[b].add(a)
    left, right, alive = [], [], set(nodes)

    def remove(n):
        alive.discard(n)
        for b in out[n]:
            inc[b].discard(n)
        for a in inc[n]:
            out[a].discard(n)

    while alive:
        changed = True
        while changed:
            changed = False
            for n in sorted(alive):
                if not out[n]:
                    right.insert(0, n); remove(n); changed = True
            for n in sorted(alive):
                if not inc[n]:
                    left.append(n); remove(n); changed = True
        if alive:
            n = max(sorted(alive), key=lambda x: len(out[x]) - len(inc[x]))
            left.append(n); remove(n)
    return left + right


def knots(nodes, edges):
    """Strongly connected components of more than one class (Tarjan): classes that all reach each other."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for n in sorted(nodes):
        if n not in index:
            visit(n)
    return sorted(out, key=len, reverse=True)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    classes = args[0] if args else "runnel-engine/target/classes"
    nodes, edges = graph(classes)
    seq = order(nodes, edges)
    rank = {n: i for i, n in enumerate(seq)}  # callers before callees: an arrow should point right
    up = sorted((a, b) for a, bs in edges.items() for b in bs if rank[b] < rank[a])
    if "--list" in sys.argv:
        for a, b in up:
            print(f"{a.removeprefix('io.runnel.engine.')} -> {b.removeprefix('io.runnel.engine.')}")
    print(f"{len(up)} upward arrows among {len(nodes)} classes and {sum(map(len, edges.values()))} arrows")
    found = knots(nodes, edges)
    if found:
        print("knots (classes that all depend on each other): "
              + ", ".join(str(len(k)) for k in found) + "; largest: "
              + " ".join(c.removeprefix("io.runnel.engine.") for c in found[0]))


main()
