from suite.commands.cli import main
from suite.commands.process_end import end
from suite.engine import heap

code = main()
heap.freeze()  # in case the end is a normal exit: its collection would walk every object torch and scipy made
end(code)
