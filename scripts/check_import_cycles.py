"""Fail when the package's import graph has a cycle.

Every import counts: at module level, inside functions (deferred imports) and under
TYPE_CHECKING. A cycle hidden behind a deferred import still ties two modules together (neither
can be understood, tested or moved without the other), so none is allowed.

    .venv/bin/python scripts/check_import_cycles.py [package]
"""

from __future__ import annotations

import sys

import grimp


def cycles(package: str) -> list[list[str]]:
    graph = grimp.build_graph(package, include_external_packages=False, cache_dir=None)
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    # Tarjan's strongly connected components, iteratively (no recursion limit to meet).
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main(argv: list[str]) -> int:
    package = argv[1] if len(argv) > 1 else "aomori_desktop"
    found = cycles(package)
    if not found:
        print(f"import cycles: none in {package}")
        return 0
    print(f"import cycles in {package}: {len(found)}")
    for component in found:
        print("  " + " <-> ".join(component))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
