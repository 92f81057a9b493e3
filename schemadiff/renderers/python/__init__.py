"""Operations to ``op.*`` Python source."""

from schemadiff.renderers.python.context import AutogenContext, RenderItem
from schemadiff.renderers.python.migration import template_args
from schemadiff.renderers.python.ops import render_body
from schemadiff.renderers.python.registry import RendererRegistry
from schemadiff.renderers.python.rewriter import Rewriter

__all__ = [
    "AutogenContext",
    "RenderItem",
    "RendererRegistry",
    "Rewriter",
    "render_body",
    "template_args",
]
