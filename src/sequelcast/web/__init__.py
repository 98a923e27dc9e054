"""The web page: server-rendered HTML over :mod:`sequelcast.service`, mounted in the API's app.

The views call the service exactly as the JSON routes do (through :mod:`sequelcast.api.deps`:
the app's one :class:`~sequelcast.service.Sequelcast` and the same parameter checks), so the page
and the API give the same answers and the same error messages. No JavaScript is needed:
``static/suggest.js`` only adds title suggestions to the search boxes. The SVG charts are built by
:mod:`sequelcast.web._chart` (pure).
"""

from sequelcast.web.views import router

__all__ = ["router"]
