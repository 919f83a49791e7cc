"""Report sections that live in their own modules: each turns one loaded JSON document into the context of
its Jinja fragment in ``reports/templates/sections/``."""
