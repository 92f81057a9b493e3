"""Operations to ``op.*`` Python source."""

from schemadiff.renderers.python.context import AutogenContext, RenderItem
from schemadiff.renderers.python.ops import render_body
from schemadiff.renderers.python.registry import RendererRegistry

__all__ = ["AutogenContext", "RenderItem", "RendererRegistry", "render_body"]
