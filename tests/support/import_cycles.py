#!/usr/bin/env python3
"""List the import cycles among boxinit's modules: exit 1 if there is one.

A module is a file under src/ (src/container/mounts.rs is `container::mounts`; a mod.rs is
its folder's module). What a module imports is every `crate::a::b` path in its code (use
lines and paths in expressions alike), counted as the longest module that path names. A
submodule's use of its parent's own items (`super::`) is not counted, and neither are a
parent's declarations of its children: a folder is one design unit.
"""
import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"


def module_of(path):
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return "::".join(parts)


def code(text):
    """The text without comments and string literals, which may name paths in prose."""
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\])*"', '""', text)


def imports(text, modules):
    found = set()
    for group in re.finditer(r"crate::(\{[^}]*\}|[A-Za-z_][\w:]*)", code(text)):
        body = group.group(1)
        paths = re.findall(r"[A-Za-z_][\w:]*", body) if body.startswith("{") else [body]
        for path in paths:
            parts = path.split("::")
            for n in range(len(parts), 0, -1):
                name = "::".join(parts[:n])
                if name in modules:
                    found.add(name)
                    break
    return found


def cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    files = {module_of(p): p for p in SRC.rglob("*.rs") if module_of(p)}
    modules = set(files)
    top = lambda m: m.split("::")[0]
    graph = {}
    for name, path in files.items():
        unit = top(name)
        graph.setdefault(unit, set())
        for dep in imports(path.read_text(), modules):
            if top(dep) != unit:
                graph[unit].add(top(dep))
    found = cycles(graph)
    for comp in found:
        edges = [f"{a} -> {b}" for a in comp for b in sorted(graph[a]) if b in comp]
        print("import cycle among " + ", ".join(comp) + ": " + "; ".join(edges))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
