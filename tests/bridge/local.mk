# The bridge's integration tests: a real handoffd, a real handoff-bridge and
# the Botpress simulator. Included from Makefile.am.
