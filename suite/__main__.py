from suite.commands.cli import main
from suite.commands.process_end import end, started_as
from suite.engine import heap

code = main()
heap.freeze()  # for a normal exit: its collection would walk every object torch and scipy made
if started_as("suite"):
    end(code)
raise SystemExit(code)
