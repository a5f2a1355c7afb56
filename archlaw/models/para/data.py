"""The Para family has no task data: its laws (tying, associativity, unrolling, the chain rule
and the copy law) hold for every parameter and input, so the checks sample parameters and inputs
from the sorts' encodings (`archlaw.bridge.sorts`) instead of reading a data set."""
