"""The wheel carries the GraphiQL and React builds that `cosell serve` serves (server/graphiql.py) and the Chart.js build of the dashboard (server/dashboard.py).
They come from the npm registry at build time: `npm ci` in server/static when node_modules lacks
them (always so when the wheel is built from the sdist), then only the files that
server/static/assets.json names are copied into the wheel. All other metadata is in pyproject.toml."""

import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

STATIC = Path("server") / "static"


class BuildPyWithGraphiQL(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install serves the checkout's own node_modules (`make assets`)
        root = Path(__file__).resolve().parent
        manifest = json.loads((root / STATIC / "assets.json").read_text(encoding="utf-8"))
        files = [*manifest["served"].values(), *manifest["dashboard"].values(), *manifest["licenses"]]
        node_modules = root / STATIC / "node_modules"
        if not all((node_modules / name).is_file() for name in files):
            npm = shutil.which("npm")
            if npm is None:
                raise SystemExit("building cosell needs npm (Node.js) to fetch the GraphiQL assets: "
                                 "install Node.js 18 or later, or run `npm ci` in server/static first")
            self.announce("npm ci in server/static (GraphiQL and React from the npm registry)", level=2)
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root / STATIC, check=True)
        target = Path(self.build_lib) / STATIC / "node_modules"
        for name in files:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(node_modules / name, target / name)


setup(cmdclass={"build_py": BuildPyWithGraphiQL})
