"""The session report page: its chart's geometry, the page's content and the template that draws it.
Only the report functions import this package's renderer (and so Jinja2)."""
