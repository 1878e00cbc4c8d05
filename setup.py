"""Only for `scrapyd-deploy`, which builds its egg with `python setup.py bdist_egg`.

Everything (name, packages, package data, the `scrapy` entry point naming the settings module)
is declared in pyproject.toml; without this file scrapyd-deploy would write its own setup.py
with other metadata. pip and `python -m build` do not need it.
"""

from setuptools import setup

setup()
