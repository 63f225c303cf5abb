"""Install a throwaway plugin package for one test: a real module and a real
`*.dist-info` with an entry point of group `cosell` on sys.path, so that discovery
(importlib.metadata) finds it exactly as it finds a pip-installed package."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

ACME_PLUGIN = '''
from partners.infra.errors import Violation
from plugins import PluginSettings, Setting, hookimpl

plugin_settings = PluginSettings(
    Setting("banned_word", str, help="opportunity names may not contain it (ACME2)"),
    Setting("strict", bool, default=False),
    Setting("tier", ("gold", "silver"), default="silver"),
)


@hookimpl
def cosell_validate_opportunity(opportunity, context):
    word = plugin_settings["banned_word"]
    if word.lower() in opportunity.name.lower():
        return [Violation("BANNED_WORD", f"The name may not contain {word!r} (ACME2).", ("name",), "ACME2")]
    return []
'''


def install_plugin(root: Path, monkeypatch, *, entry_name: str = "acme", source: str = ACME_PLUGIN,
                   version: str = "1.2.0") -> str:
    """Write the package under `root`, put it on sys.path; returns the module name."""
    module = f"acme_cosell_{uuid.uuid4().hex[:8]}"
    (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist = root / f"{module}-{version}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(f"[cosell]\n{entry_name} = {module}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    return module
