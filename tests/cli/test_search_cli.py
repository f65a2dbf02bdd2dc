"""`heron docs` and `heron search` as a user runs them: a folder of documents added with a
progress bar and a summary, listed, searched (text and JSON lines), added again, and removed —
each command a new process on the same data dir."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import heron
from tests.e2e.harness import heron_env, run_heron

LEASE = """# Apartment lease

## Pets

The tenant may keep one cat or one small dog with the landlord's written consent.
"""
FRIDGE = "Fridge manual\n\nThe fridge has a two-year warranty covering parts and labour.\n"
BUDGET = "<title>[draft] Budget</title><p>Groceries cost [about] 300 euros a month.</p>"


@dataclass(frozen=True)
class Library:
    """A folder of documents, added once for the module with `heron docs add`."""

    env: dict[str, str]
    folder: Path
    added: subprocess.CompletedProcess[str]


def words(text: str) -> str:
    """Text with its line wrapping undone (rich wraps at 80 columns when not on a terminal)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("docs")
    folder = root / "papers"
    (folder / "appliances").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "lease.md").write_text(LEASE)
    (folder / "appliances" / "fridge.txt").write_text(FRIDGE)
    (folder / "budget.html").write_text(BUDGET)
    (folder / ".secret.md").write_text("# Hidden\n\nNot for search.")
    (folder / ".git" / "notes.txt").write_text("Hidden too.")
    (folder / "holiday.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    env = heron_env(root / "data")
    return Library(env, folder, run_heron("docs", "add", str(folder), env=env))


def documents(env: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(heron("docs", "list", "--json", env=env))
    return found


def test_adding_a_folder_adds_its_documents_and_says_what_it_skipped_and_why_some_failed(
    library: Library,
) -> None:
    done = library.added

    assert done.returncode == 2, done.stderr  # a file failed
    assert "Traceback" not in done.stderr
    summary = words(done.stdout)
    assert summary.startswith(
        "3 documents added, 0 replaced, 0 unchanged, 1 failed, 1 skipped; 3 new passages."
    )
    assert "Heron reads plain text, Markdown, HTML, PDF and Word (DOCX) files." in summary
    assert f"Failed {library.folder / 'broken.pdf'}: " in summary
    assert "not a readable PDF" in summary
    # The skipped file is one warning line; the progress bar ends with every file done.
    assert f"Skipped {library.folder / 'holiday.png'}: images (.png) are not supported" in words(
        done.stderr
    )
    assert "5/5" in done.stderr
    names = sorted(Path(d["name"]).name for d in documents(library.env))
    assert names == ["budget.html", "fridge.txt", "lease.md"]  # no hidden files


def test_the_list_shows_titles_kinds_and_names(library: Library) -> None:
    listed = heron("docs", "list", env={**library.env, "COLUMNS": "200"})

    assert "Apartment lease" in listed and "markdown" in listed
    assert "[draft]" in listed  # the user's brackets, printed as they are
    by_title = {d["title"]: d for d in documents(library.env)}
    assert by_title["Fridge manual"]["kind"] == "text"
    assert by_title["Apartment lease"]["name"] == str((library.folder / "lease.md").resolve())


def test_search_prints_json_lines_best_first(library: Library) -> None:
    out = heron("search", "can I keep a dog?", "--json", "-k", "2", env=library.env)

    hits = [json.loads(line) for line in out.splitlines()]
    assert len(hits) == 2
    assert hits[0]["title"] == "Apartment lease › Pets"
    assert Path(hits[0]["document"]["name"]).name == "lease.md"
    assert "**dog**" in hits[0]["snippet"]
    assert hits[0]["score"] >= hits[1]["score"]


def test_search_prints_a_readable_listing_with_the_users_text_as_written(
    library: Library,
) -> None:
    out = heron("search", "groceries", "--mode", "bm25", env=library.env)

    first = out.splitlines()[0]
    assert first.startswith("1. [draft] Budget")
    assert "budget.html" in first
    # The match is bold on a terminal, never shown as **marks**; brackets stay as written.
    assert "Groceries cost [about] 300 euros a month." in out
    assert "**" not in out


def test_an_empty_query_and_an_unknown_document_are_errors(library: Library) -> None:
    empty = run_heron("search", "  ", env=library.env)
    missing = run_heron("docs", "rm", "999", env=library.env)

    assert empty.returncode == 2 and "the query is empty" in empty.stderr
    assert missing.returncode == 2 and "no document 999" in missing.stderr


def test_a_document_added_alone_can_be_removed(library: Library, tmp_path: Path) -> None:
    diary = tmp_path / "diary.md"
    diary.write_text("# Diary\n\nThe spare key is under the blue flowerpot.")
    added = json.loads(
        heron("docs", "add", str(diary), "--collection", "private", "--json", env=library.env)
    )
    [document] = added["added"]
    assert document["collection"] == "private"

    removed = heron("docs", "rm", str(document["id"]), env=library.env)

    assert words(removed) == f"Removed document {document['id']} ({diary.resolve()})."
    assert document["id"] not in {d["id"] for d in documents(library.env)}


def test_adding_the_folder_again_replaces_what_changed_and_leaves_the_rest(
    library: Library,
) -> None:
    (library.folder / "appliances" / "fridge.txt").write_text(
        FRIDGE.replace("two-year", "five-year")
    )

    again = run_heron("docs", "add", str(library.folder), env=library.env)
    hits = [
        json.loads(line)
        for line in heron("search", "warranty", "--json", env=library.env).splitlines()
    ]

    assert again.returncode == 2  # the broken PDF still fails
    assert words(again.stdout).startswith(
        "0 documents added, 1 replaced, 2 unchanged, 1 failed, 1 skipped; 1 new passage."
    )
    assert "five-year" in hits[0]["snippet"]
    assert {Path(hit["document"]["name"]).name for hit in hits} <= {
        "budget.html",
        "fridge.txt",
        "lease.md",
    }
