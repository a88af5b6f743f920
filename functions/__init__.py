"""One package per Lambda function, ``functions/<route name>/handler.py``.

Python imports this package before any function's module, so what runs here runs first in every
function: the cyclic garbage collector is turned off while the function loads. Loading builds a heap
that lives as long as the process (boto3, Powertools, the pydantic models), which the collector would
otherwise scan again and again as it grows, to find under a thousand unreachable objects; the function's
module ends its loading with ``shared.observability.loaded()``, which freezes that heap and turns the
collector back on.

What the API's functions load is written to be cheap to load (``make bench`` counts it): value types
are ``NamedTuple``s, not frozen dataclasses, whose generated methods are compiled as each class is
defined (about 0.005 of the bare boto3 floor apiece), and the models' annotations are plain objects,
not the strings pydantic would evaluate one by one."""

import gc

gc.disable()
