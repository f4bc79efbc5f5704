"""Which packages the wheel holds; everything else is in pyproject.toml.

The checkout's top-level resources/ folder (icons, desktop file, policy templates) is installed as the
package `inflow_resources`, where ui/resources.py finds it: a top-level `resources` in site-packages is
a generic name that another distribution may install too. pyproject.toml cannot rename a folder that
its package finder lists, hence this file.
"""

from setuptools import find_namespace_packages, setup

CODE = find_namespace_packages(include=["app*", "ui*", "storage*", "sync*"])
RESOURCES = [
    "inflow_resources" + name.removeprefix("resources")
    for name in find_namespace_packages(include=["resources", "resources.*"])
]

setup(packages=[*CODE, *RESOURCES], package_dir={"inflow_resources": "resources"})
