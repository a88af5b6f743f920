"""Item types as pydantic models: the ``Record`` each store module's items derive from, and the item it makes.

Apart from ``shared.store.dynamo`` so that a function reading an item without a model (the authorizer,
``shared.store.credentials``) loads no pydantic."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from shared.store.dynamo import Item


class Record(BaseModel):
    """An item's attributes as the store keeps them: camelCase names, the keys (PK, SK, …) left to
    the store module that owns the item type."""

    # Built on first use, as the API's models are: a function reads few of the item types.
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, frozen=True, extra="ignore", defer_build=True
    )


def item_of(keys: Mapping[str, str], record: Record) -> Item:
    """The item storing ``record`` under ``keys``. Empty attributes are left out, not stored as NULL,
    so conditions can ask ``attribute_not_exists`` (records read them back as None)."""
    return {**keys, **record.model_dump(by_alias=True, exclude_none=True)}
