from suite.commands.cli import main
from suite.engine import heap

code = main()
heap.freeze()  # the collection at interpreter exit would walk every object torch and scipy made
raise SystemExit(code)
