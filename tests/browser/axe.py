"""WCAG 2.2 AA checks through axe-core, shared by the browser tests."""

from axe_playwright_python.sync_playwright import Axe

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[str]:
    """Each violation as "rule: help (first targets)"; empty when the page passes."""
    results = Axe().run(page, options={"runOnly": WCAG_AA})
    return [
        f"{v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:3])})"
        for v in results.response["violations"]
    ]
