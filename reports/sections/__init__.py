"""Report sections that live in their own module: a function from a loaded JSON document to the context its
Jinja fragment (``reports/templates/sections/``) renders."""
