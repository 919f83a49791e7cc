"""Statistics: the tests with their power functions, sample-size planning, budgets and the rounding
of laws to a dtype's grid. Knows nothing of initializers or targets."""
