"""The document catalog: project folders, department folders, each user's working set, and decoys.

r6.2 file events and e-mail attachments name documents from here, so a user mostly touches documents of
their own projects; touching many documents of other projects is what the seed-case insider does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from molehunt.synth import strings, vocab
from molehunt.synth.org import Org

DOCS_PER_PROJECT = 60
DOCS_PER_DEPT = 30
POOL = 30
DECOY = -100
TOOL = -101


@dataclass(frozen=True)
class Docs:
    """Catalog arrays (index = document) plus per-user pools and per-PC decoys."""

    paths: list[str]  # C:\Projects\Atlas\specs\X1Y2Z3W4.pdf
    names: list[str]  # X1Y2Z3W4.pdf
    ftype: np.ndarray  # index into vocab.FILE_TYPES
    project: np.ndarray  # project index, -1 for department documents
    pool: np.ndarray  # (n_users, POOL) document indices each user works with
    decoy_doc: np.ndarray  # document index of each decoy (decoys are catalog entries in no one's pool)
    decoy_pc: np.ndarray  # PC index each decoy is planted on
    tools: np.ndarray  # document indices of downloaded executables (the keylogger of scenario 3)
    paths_arrow: pa.Array
    names_arrow: pa.Array


def _names(rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray]:
    tokens = strings.fixed_width(strings.random_tokens(rng, n, 8)).to_pylist()
    weights = np.array(vocab.DOC_TYPE_WEIGHTS)
    ftype = rng.choice(len(weights), size=n, p=weights / weights.sum())
    return [f"{t}.{vocab.FILE_TYPES[int(k)][0]}" for t, k in zip(tokens, ftype, strict=True)], ftype


def build_docs(org: Org, rng: np.random.Generator) -> Docs:
    """Draw the catalog, the users' working sets (5% from other projects), two decoys per own PC and a few
    downloadable tools."""
    paths: list[str] = []
    names: list[str] = []
    ftypes: list[np.ndarray] = []
    project: list[int] = []
    for p, pname in enumerate(org.project_names):
        nm, ft = _names(rng, DOCS_PER_PROJECT)
        subs = rng.integers(0, len(vocab.PROJECT_SUBDIRS), DOCS_PER_PROJECT)
        paths += [f"C:\\Projects\\{pname}\\{vocab.PROJECT_SUBDIRS[s]}\\{x}" for s, x in zip(subs, nm, strict=True)]
        names += nm
        ftypes.append(ft)
        project += [p] * DOCS_PER_PROJECT
    for dname in sorted({vocab.DEPARTMENTS[int(d)][0] for d in org.dept}):
        nm, ft = _names(rng, DOCS_PER_DEPT)
        paths += [f"C:\\Documents\\{dname}\\{x}" for x in nm]
        names += nm
        ftypes.append(ft)
        project += [-(1 + [d[0] for d in vocab.DEPARTMENTS].index(dname))] * DOCS_PER_DEPT
    nm, ft = _names(rng, 2 * org.n + 4)
    decoy_pc = np.repeat(org.own_pc, 2)
    for x in nm[: 2 * org.n]:
        pname = org.project_names[int(rng.integers(len(org.project_names)))]
        sub = vocab.PROJECT_SUBDIRS[int(rng.integers(len(vocab.PROJECT_SUBDIRS)))]
        paths.append(f"C:\\Projects\\{pname}\\{sub}\\{x}")
    names += nm[: 2 * org.n]
    ftypes.append(ft[: 2 * org.n])
    project += [DECOY] * (2 * org.n)
    decoy_doc = np.arange(len(paths) - 2 * org.n, len(paths))
    tool_names = [x.split(".")[0] + ".exe" for x in nm[2 * org.n :]]
    paths += [f"C:\\Users\\Public\\Downloads\\{x}" for x in tool_names]
    names += tool_names
    ftypes.append(np.full(4, vocab.EXE_TYPE))
    project += [TOOL] * 4
    tools = np.arange(len(paths) - 4, len(paths))
    proj = np.array(project, dtype=np.int32)
    pool = np.empty((org.n, POOL), dtype=np.int32)
    all_project_docs = np.flatnonzero(proj >= 0)
    for u in range(org.n):
        own = np.flatnonzero(np.isin(proj, org.projects[u])) if org.projects[u] else np.array([], int)
        if not len(own):
            own = np.flatnonzero(proj == -(1 + int(org.dept[u])))
        pool[u] = rng.choice(own, size=POOL)
        other = rng.random(POOL) < 0.05
        if len(all_project_docs):
            pool[u, other] = rng.choice(all_project_docs, size=int(other.sum()))
    return Docs(
        paths=paths,
        names=names,
        ftype=np.concatenate(ftypes).astype(np.int32),
        project=proj,
        pool=pool,
        decoy_doc=decoy_doc.astype(np.int32),
        decoy_pc=decoy_pc.astype(np.int32),
        tools=tools.astype(np.int32),
        paths_arrow=strings.vocab_array(paths),
        names_arrow=strings.vocab_array(names),
    )
