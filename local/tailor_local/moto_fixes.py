"""Where the local cloud's moto needs help to behave like AWS at scale.

DynamoDB transactions: to be able to roll back, moto deep-copies every table a
transaction names, once per write, so one transaction of 100 writes against tables of
10,000 items copies two million items and takes minutes. Here a transaction keeps a copy
of only the items it writes (and the length of the table's stream), and on failure puts
exactly those back: the same all-or-nothing outcome, in time proportional to the writes.

DynamoDB expressions: moto parses a condition expression twice per conditional write (and
once more inside a transaction), and an update expression once per call. A sender writing
thousands of claims sends the same few expressions with the same values, so parsed
expressions are kept (parsing is pure; evaluation is against each item, as before). Each
UpdateItem then copies the update expression's tree with `copy.deepcopy` and walks it ten
times, asking every processor at every node for a freshly built map of what it handles:
the copy here is node by node (a tree of nodes and strings), and each processor's node
types are asked for once. Claiming 1,000 recipients is 1,000 UpdateItems.

DynamoDB responses: moto serialises an item attribute by attribute, walking the
AttributeValue shape member by member and trying each name's spellings; a page of 100
profiles took 40 ms. Items it holds are already in the wire format (strings, numbers as
strings, lists, maps, booleans), so such an attribute is written as it is; one holding
binary (bytes, which need base64) or anything else still goes the long way.

SES: moto parses every raw message it is sent, body and all, only to read its From, To, Cc
and Bcc headers; a drain of thousands of alerts spent more time there than rendering them.
It reads the header block alone (the same headers, parsed the same way).
"""

from __future__ import annotations

import copy
import email.parser
import importlib
import json
import re
import threading
from functools import lru_cache
from typing import Any

_installed = False
_lock = threading.Lock()


def install() -> None:
    """Patch moto once per process (before or after `mock_aws` starts; both work)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    models = _module("moto.dynamodb.models")
    DynamoType = _module("moto.dynamodb.models.dynamo_type").DynamoType
    Table = _module("moto.dynamodb.models.table").Table

    class _TablesNotCopied:
        """`copy` as moto's DynamoDB backend sees it: tables are not copied (the
        transaction below snapshots their items instead); everything else is."""

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = _TablesNotCopied
    whole_table_rollback = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        snapshots = []
        streams: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            _, write = next(iter(entry.items()))
            table = self.tables.get(write.get("TableName"))
            if table is None:
                continue
            key = write.get("Key") or write.get("Item") or {}
            if table.hash_key_attr not in key:
                continue  # malformed: moto reports it
            hash_value = DynamoType(key[table.hash_key_attr])
            range_attr = table.range_key_attr
            range_value = DynamoType(key[range_attr]) if range_attr and range_attr in key else None
            before = copy.deepcopy(table.get_item(hash_value, range_value))
            snapshots.append((table, hash_value, range_value, before))
            if table.stream_shard is not None:
                streams.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        try:
            whole_table_rollback(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(snapshots):
                _restore(table, hash_value, range_value, before)
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items
    _keep_parsed_expressions()
    _attribute_values_as_they_are()
    _module("moto.ses.models").email = _HeadersOnly


class _HeadersOnly:
    """`email` as moto's SES backend sees it: a raw message's headers, not its body."""

    @staticmethod
    def message_from_string(raw: str) -> Any:
        # The header block only: `headersonly` still reads the body through, line by line.
        head = _BLANK_LINE.split(raw, maxsplit=1)[0]
        return email.parser.Parser().parsestr(head + "\n\n", headersonly=True)


_BLANK_LINE = re.compile(r"\r?\n\r?\n")


def _keep_parsed_expressions() -> None:
    comparisons = _module("moto.dynamodb.comparisons")
    models = _module("moto.dynamodb.models")
    table = _module("moto.dynamodb.models.table")
    responses = _module("moto.dynamodb.responses")
    UpdateExpressionParser = _module("moto.dynamodb.parsing.expressions").UpdateExpressionParser

    new_parser = comparisons.create_condition_expression_parser

    @lru_cache(maxsize=512)
    def parsed(expression: str | None, names: str, values: str) -> tuple[Any, Any]:
        parser = new_parser(expression, json.loads(names), json.loads(values))
        return parser, parser.parse()

    class _Parser:
        """A condition parser that parses each (expression, names, values) once."""

        def __init__(self, expression: Any, names: Any, values: Any) -> None:
            self._request = (expression, names, values)
            self._parser: Any = None

        def parse(self) -> Any:
            expression, names, values = self._request
            try:
                key = json.dumps(names, sort_keys=True), json.dumps(values, sort_keys=True)
            except TypeError:
                self._parser = new_parser(expression, names, values)
                return self._parser.parse()
            self._parser, op = parsed(expression, *key)
            return op

        def __getattr__(self, name: str) -> Any:
            # Callers extend the lists they get (names found): give them copies.
            return copy.copy(getattr(self._parser, name))

    def get_filter_expression(expression: Any, names: Any, values: Any) -> Any:
        return _Parser(expression, names, values).parse()

    for module in (models, table, comparisons):
        module.get_filter_expression = get_filter_expression
    for module in (models, responses, comparisons):
        module.create_condition_expression_parser = _Parser

    # The validator deep-copies the tree before resolving it against an item.
    make = lru_cache(maxsize=512)(UpdateExpressionParser.make)
    UpdateExpressionParser.make = staticmethod(make)
    _walk_update_trees_faster()


def _walk_update_trees_faster() -> None:
    ast_nodes = _module("moto.dynamodb.parsing.ast_nodes")
    validators = _module("moto.dynamodb.parsing.validators")
    Node = ast_nodes.Node

    def copy_tree(node: Any, parent: Any = None) -> Any:
        if not isinstance(node, Node):
            return node if isinstance(node, str | int | bool | None) else copy.deepcopy(node)
        twin = object.__new__(type(node))
        twin.__dict__.update(node.__dict__)
        twin.parent = parent
        if node.children is not None:
            twin.children = [copy_tree(child, twin) for child in node.children]
        return twin

    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Node) and value.parent is None:
            return copy_tree(value)
        return copy.deepcopy(value, memo)

    validators.deepcopy = deepcopy

    def nodes_to_be_processed(self: Any) -> tuple[type, ...]:
        types: tuple[type, ...] | None = self.__dict__.get("_node_types")
        if types is None:
            types = self.__dict__["_node_types"] = tuple(self._processing_map())
        return types

    ast_nodes.DepthFirstTraverser.nodes_to_be_processed = nodes_to_be_processed


def _attribute_values_as_they_are() -> None:
    JSONSerializer = _module("moto.core.serialize").JSONSerializer
    walk = JSONSerializer._serialize

    def _serialize(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if shape.name == "AttributeValue" and _wire_ready(value):
            serialized[self.get_serialized_name(shape, key)] = value
            return
        walk(self, serialized, value, shape, key)

    JSONSerializer._serialize = _serialize


_NATIVE = (str, int, bool, type(None))


def _wire_ready(value: Any) -> bool:
    """An AttributeValue moto would serialise unchanged: JSON's types, no binary."""
    if isinstance(value, dict):
        return "B" not in value and "BS" not in value and all(map(_wire_ready, value.values()))
    if isinstance(value, list):
        return all(map(_wire_ready, value))
    return isinstance(value, _NATIVE) and not isinstance(value, float)


def _module(name: str) -> Any:
    """A moto module, to patch (moto's own type hints do not describe these attributes)."""
    return importlib.import_module(name)


def _restore(table: Any, hash_value: Any, range_value: Any, before: Any) -> None:
    """Put one item back as it was, without a stream record (the write never happened)."""
    if range_value is not None:
        if before is None:
            table.items[hash_value].pop(range_value, None)
        else:
            table.items[hash_value][range_value] = before
    elif before is None:
        table.items.pop(hash_value, None)
    else:
        table.items[hash_value] = before
