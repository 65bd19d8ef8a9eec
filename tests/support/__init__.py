"""What the test modules share: paths, the bundled-index fixtures, the hostile-content checks, browser
helpers, hypothesis strategies and the local SolrCloud (solr.py).

Test modules import from here, never from one another; fixtures shared across modules are defined in
the conftest.py of their tier (tests/integration, tests/system), which take them from here. Nothing in
this package imports the product's heavy modules at import time except those only the integration and
system tiers use (facet_lists, strategies).
"""
