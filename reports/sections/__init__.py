"""Report sections that live in their own modules: each turns one loaded JSON record into the context of
its template in ``reports/templates/sections/``."""
