"""TalentSync interview pipeline: the code every Lambda function shares.

Importing the package freezes the garbage collector's view of what the process
holds so far (see below).
"""

import gc

# A handler imports its libraries (boto3, Powertools) before this package, and
# their objects live as long as the container. Every full collection after this
# point would walk all of them again: during a cold start that made our own
# modules' import nearly twice as slow (tests/benchmarks/bench_transcription.py),
# and in a warm container it lengthens every full collection. Frozen, they are
# left out of all later collections; reference counting still frees them.
# NOTE: frozen objects are never collected as cycles: a cycle that was already
# garbage at this point (about ten objects after boto3 and Powertools) stays
# for the life of the process.
gc.freeze()
