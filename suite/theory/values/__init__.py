"""The theory values: closed forms, quadrature and fixed-point iterations, computed without any measurement."""
