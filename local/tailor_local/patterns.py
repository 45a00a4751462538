"""Amazon EventBridge event-pattern matching, for routing events on the local cloud.

The local runner delivers each event through the rules declared in the SAM template, so it
must decide "does this rule fire?" exactly as EventBridge would. A pattern that AWS rejects is
rejected here too (``PatternError``), and a rule that would never fire in AWS never fires here.

The semantics follow the EventBridge user guide (event patterns, content filtering, arrays,
null values and empty strings) and Event Ruler, the open-source engine behind it:

* A pattern is an object. Nested objects follow the event's nesting; each leaf is an array of
  alternatives. Every field must match (AND); any alternative of a field may match (OR).
  ``$or`` (an array of at least two objects) adds alternative sets of fields.
* Matching works on the event's leaves. Arrays are "crushed": a field matches when any of its
  elements does, but fields matched inside an array of objects must come from the same element.
* Exact values compare by JSON type: ``"5"`` is not ``5``, ``""`` is not ``null``, and strings
  are case-sensitive. Numbers compare numerically (``3.018e2`` equals ``301.8``). A string that
  is an IP address compares as an address (``"2001:db8::1"`` is ``"2001:DB8:0::1"``);
  ``{"exactly": ...}`` compares the text as written.
* ``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard`` and ``cidr`` only match strings;
  ``numeric`` only matches JSON numbers, never numeric strings, and only those a double holds
  exactly (as do its bounds).
* ``equals-ignore-case`` (alone, in ``prefix``/``suffix`` or in ``anything-but``) reads each
  character of the pattern as its lower-case or its upper-case form, with Java's full Unicode
  mapping: ``"ß"`` matches ``"ß"`` and ``"SS"`` (not ``"ss"``), a capital sigma matches the
  small sigma but not the final one. The event's text is taken as it is.
* ``cidr`` covers the whole block whatever host bits are written (``10.0.0.5/24`` is
  10.0.0.0-10.0.0.255); the mask is at most /31 (IPv4) or /127 (IPv6), as Event Ruler rules.
* ``exists`` looks at leaves only: ``{"exists": true}`` matches any leaf value, ``null``
  included; ``{"exists": false}`` matches when no leaf sits at that path (the field is missing,
  is an object, or is an empty array).
* ``anything-but`` matches a present leaf other than the excluded ones, and never a missing
  field. Its ``prefix``/``suffix``/``equals-ignore-case``/``wildcard`` forms exclude strings
  only, so other JSON types pass.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ["PatternError", "matches", "validate"]

_Matcher: TypeAlias = Callable[[Any], bool]
"""Tests one leaf value of the event."""

_Membership: TypeAlias = dict[int, int]
"""For a leaf inside arrays: array id -> element index, to keep matches array-consistent."""

_IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

# Event Ruler only reads a string as an IP address when it has one of these shapes.
_IPV4_SHAPE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6_SHAPE = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")
_MAX_MASK_BITS = {4: 31, 6: 127}

_ROOT = "<pattern>"
_OR = "$or"
# Operator names (and names Event Ruler reserves) that may not be field names inside "$or".
_RESERVED_IN_OR = frozenset(
    {
        "exactly",
        "regex",
        "not-wildcard",
        "not-equals-ignore-case",
        "date-after",
        "date-on-or-after",
        "date-before",
        "date-on-or-before",
        "in-date-range",
        "ip-address-in-range",
        "ip-address-not-in-range",
        "equals-ignore-case",
        "prefix",
        "suffix",
        "anything-but",
        "exists",
        "wildcard",
        "numeric",
        "cidr",
        "=",
        "<",
        "<=",
        ">",
        ">=",
    }
)
_LOWER_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {">": operator.gt, ">=": operator.ge}
_UPPER_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le}
_ONE_BOUND = {**_LOWER_BOUNDS, **_UPPER_BOUNDS}


class PatternError(ValueError):
    """An event pattern EventBridge would reject; the message starts with the offending path."""


@dataclass(frozen=True)
class _Leaf:
    """The compiled array of one pattern field."""

    matchers: tuple[_Matcher, ...]
    absent_ok: bool  # the array holds {"exists": false}

    def accepts(self, value: Any) -> bool:
        return any(matcher(value) for matcher in self.matchers)


_Branch: TypeAlias = dict[str, _Leaf]
"""One way for a pattern to match ($or multiplies them): dotted field name -> leaf."""


@dataclass(frozen=True)
class _Field:
    """One leaf of the event."""

    value: Any
    membership: _Membership


# Public API ----------------------------------------------------------------------------------


def validate(pattern: Mapping[str, Any]) -> None:
    """Raise PatternError unless EventBridge would accept ``pattern``."""
    _compile(pattern)


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when EventBridge would deliver ``event`` to a rule with ``pattern``."""
    return matcher(event)(pattern)


def matcher(event: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """``matches`` for one event against many patterns: the event is flattened once."""
    fields = _flatten(event)

    def match(pattern: Mapping[str, Any]) -> bool:
        return any(_branch_matches(branch, fields) for branch in _compile(pattern))

    return match


# Compiling (and so validating) a pattern -----------------------------------------------------


def _compile(pattern: Mapping[str, Any]) -> list[_Branch]:
    if not isinstance(pattern, Mapping):
        raise PatternError(f"{_ROOT}: an event pattern must be a JSON object")
    return _compile_object(pattern, (), _ROOT, [{}], in_or=False)


def _compile_object(
    obj: Mapping[str, Any],
    names: tuple[str, ...],
    where: str,
    branches: list[_Branch],
    *,
    in_or: bool,
) -> list[_Branch]:
    if not obj:
        raise PatternError(f"{where}: empty objects are not allowed")
    for key, value in obj.items():
        path = _join(where, key)
        if key == _OR:
            branches = _compile_or(value, names, path, branches)
        elif in_or and key in _RESERVED_IN_OR:
            raise PatternError(
                f'{path}: "{key}" is an operator name EventBridge reserves, not a field name, '
                'inside "$or"'
            )
        elif isinstance(value, Mapping):
            branches = _compile_object(value, (*names, key), path, branches, in_or=in_or)
        elif isinstance(value, list):
            leaf = _compile_leaf(value, path)
            name = ".".join((*names, key))
            branches = [{**branch, name: leaf} for branch in branches]
        else:
            raise PatternError(f"{path}: must be an object or an array of values")
    return branches


def _compile_or(
    alternatives: Any, names: tuple[str, ...], where: str, branches: list[_Branch]
) -> list[_Branch]:
    if not isinstance(alternatives, list) or len(alternatives) < 2:
        raise PatternError(f'{where}: "$or" expects an array of at least two objects')
    result: list[_Branch] = []
    for index, alternative in enumerate(alternatives):
        path = f"{where}[{index}]"
        if not isinstance(alternative, Mapping):
            raise PatternError(f'{path}: "$or" expects an array of at least two objects')
        copies = [dict(branch) for branch in branches]
        result += _compile_object(alternative, names, path, copies, in_or=True)
    return result


def _compile_leaf(values: list[Any], where: str) -> _Leaf:
    if not values:
        raise PatternError(f"{where}: empty arrays are not allowed")
    matchers: list[_Matcher] = []
    absent_ok = False
    for value in values:
        if isinstance(value, Mapping) and len(value) == 1 and value.get("exists") is False:
            absent_ok = True
        else:
            matchers.append(_compile_value(value, where))
    return _Leaf(tuple(matchers), absent_ok)


def _compile_value(value: Any, where: str) -> _Matcher:
    if isinstance(value, Mapping):
        return _compile_operator(value, where)
    if value is None or isinstance(value, str | bool | int | float):
        return _exact(value)
    raise PatternError(
        f"{where}: values must be strings, numbers, true, false, null or operator objects"
    )


def _compile_operator(expression: Mapping[str, Any], where: str) -> _Matcher:
    if len(expression) != 1:
        raise PatternError(f"{where}: an operator object takes one key, not {len(expression)}")
    ((name, argument),) = expression.items()
    build = _OPERATORS.get(name)
    if build is None:
        raise PatternError(f'{where}: unknown operator "{name}"')
    return build(argument, where)


def _join(where: str, key: str) -> str:
    return key if where == _ROOT else f"{where}.{key}"


def _expects(where: str, operator_name: str, what: str) -> PatternError:
    return PatternError(f'{where}: "{operator_name}" expects {what}')


# Operators -----------------------------------------------------------------------------------


def _exact(expected: Any) -> _Matcher:
    if _is_number(expected):
        return lambda value: _is_number(value) and value == expected
    address = _ip_address(expected)
    if address is not None:
        return lambda value: _ip_address(value) == address
    return _exactly(expected)


def _exactly(expected: Any) -> _Matcher:
    return lambda value: type(value) is type(expected) and value == expected


def _exactly_operator(argument: Any, where: str) -> _Matcher:
    if not isinstance(argument, str):
        raise _expects(where, "exactly", "a string")
    return _exactly(argument)


def _prefix(argument: Any, where: str) -> _Matcher:
    text, ignore_case = _text_or_ignore_case(argument, where, "prefix")
    if ignore_case:
        regex = re.compile(_ignore_case_regex(text))
        return lambda value: isinstance(value, str) and regex.match(value) is not None
    return lambda value: isinstance(value, str) and value.startswith(text)


def _suffix(argument: Any, where: str) -> _Matcher:
    text, ignore_case = _text_or_ignore_case(argument, where, "suffix")
    if ignore_case:
        regex = re.compile(rf"(?:{_ignore_case_regex(text)})\Z")
        return lambda value: isinstance(value, str) and regex.search(value) is not None
    return lambda value: isinstance(value, str) and value.endswith(text)


def _equals_ignore_case(argument: Any, where: str) -> _Matcher:
    if not isinstance(argument, str):
        raise _expects(where, "equals-ignore-case", "a string")
    regex = re.compile(_ignore_case_regex(argument))
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def _wildcard(argument: Any, where: str) -> _Matcher:
    if not isinstance(argument, str):
        raise _expects(where, "wildcard", "a string")
    regex = _wildcard_regex(argument, where, "wildcard")
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def _numeric(argument: Any, where: str) -> _Matcher:
    tests = _numeric_tests(argument, where)

    def in_range(value: Any) -> bool:
        number = _double(value)
        return number is not None and all(test(number, bound) for test, bound in tests)

    return in_range


def _exists(argument: Any, where: str) -> _Matcher:
    # {"exists": false} never gets here: _compile_leaf turns it into _Leaf.absent_ok.
    if argument is not True:
        raise _expects(where, "exists", "true or false")
    return lambda value: True


def _cidr(argument: Any, where: str) -> _Matcher:
    if not isinstance(argument, str):
        raise _expects(where, "cidr", 'a string such as "10.0.0.0/24"')
    block = _cidr_block(argument, where)

    def in_block(value: Any) -> bool:
        address = _ip_address(value)
        return address is not None and address in block

    return in_block


def _anything_but(argument: Any, where: str) -> _Matcher:
    excluded = _exclusion(argument, where)
    return lambda value: not excluded(value)


_OPERATORS: dict[str, Callable[[Any, str], _Matcher]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "numeric": _numeric,
    "exists": _exists,
    "cidr": _cidr,
    "anything-but": _anything_but,
    "exactly": _exactly_operator,
}


# Operator helpers ----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_or_ignore_case(argument: Any, where: str, operator_name: str) -> tuple[str, bool]:
    """The operand of prefix/suffix: a string, or {"equals-ignore-case": string}."""
    if isinstance(argument, str):
        return argument, False
    if (
        isinstance(argument, Mapping)
        and list(argument) == ["equals-ignore-case"]
        and isinstance(argument["equals-ignore-case"], str)
    ):
        return argument["equals-ignore-case"], True
    raise _expects(where, operator_name, 'a string or {"equals-ignore-case": ...}')


def _ignore_case_regex(text: str) -> str:
    """Event Ruler's equals-ignore-case: each character of ``text`` matches its lower-case or its
    upper-case form, each mapped alone with Java's ``Locale.ROOT`` full mapping (which Python's
    ``str.lower``/``str.upper`` share), so ``"ß"`` is ``"ß"`` or ``"SS"`` and ``"ǅ"`` is
    ``"ǆ"`` or ``"Ǆ"``. Ruler maps UTF-16 units, so characters beyond the BMP stay as written."""
    forms = ({char} if ord(char) > 0xFFFF else {char.lower(), char.upper()} for char in text)
    return "".join(f"(?:{'|'.join(map(re.escape, sorted(each)))})" for each in forms)


def _wildcard_regex(text: str, where: str, operator_name: str) -> re.Pattern[str]:
    """``*`` matches any run of characters; ``\\*`` and ``\\\\`` are a literal * and \\."""
    parts: list[str] = []
    chars = iter(enumerate(text))
    for index, char in chars:
        if char == "*":
            if text[index + 1 : index + 2] == "*":
                raise _expects(where, operator_name, "no consecutive * characters")
            parts.append(".*")
        elif char == "\\":
            escaped = text[index + 1 : index + 2]
            if escaped not in ("*", "\\"):
                raise _expects(where, operator_name, "a backslash only before * or \\")
            parts.append(re.escape(escaped))
            next(chars)
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _numeric_tests(argument: Any, where: str) -> list[tuple[Callable[[Any, Any], bool], Any]]:
    """[op, n] with op in = > >= < <=, or [">" or ">=", low, "<" or "<=", high], low < high."""
    shape = 'a list such as [">", 0, "<=", 5] or ["=", 5]'
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        raise _expects(where, "numeric", shape)
    ops = argument[0::2]
    bounds = [bound for bound in map(_double, argument[1::2]) if bound is not None]
    if len(bounds) != len(ops):
        raise _expects(where, "numeric", f"numbers a double holds after its operators: {shape}")
    if len(argument) == 2 and ops[0] == "=":
        return [(operator.eq, bounds[0])]
    if len(argument) == 2 and ops[0] in _ONE_BOUND:
        return [(_ONE_BOUND[ops[0]], bounds[0])]
    if len(argument) == 4 and ops[0] in _LOWER_BOUNDS and ops[1] in _UPPER_BOUNDS:
        if not bounds[0] < bounds[1]:
            raise _expects(where, "numeric", "a lower bound below its upper bound")
        return [(_LOWER_BOUNDS[ops[0]], bounds[0]), (_UPPER_BOUNDS[ops[1]], bounds[1])]
    raise _expects(where, "numeric", shape)


def _double(value: Any) -> float | None:
    """A JSON number as Event Ruler compares it: a double, and only when one holds it exactly
    (so not 2**64 + 1, nor a number beyond the double range)."""
    if not _is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and number == value else None


def _ip_address(value: Any) -> _IPAddress | None:
    """``value`` read as an IP address the way Event Ruler reads one, else None.

    Only dotted-quad IPv4 and hex-and-colons IPv6 text counts (no zone, no embedded dotted
    quad), and an IPv4-mapped IPv6 address is its IPv4 address, as Java's ``InetAddress`` has
    it."""
    if not isinstance(value, str) or not (
        _IPV4_SHAPE.fullmatch(value) or _IPV6_SHAPE.fullmatch(value)
    ):
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _cidr_block(text: str, where: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The block ``text`` names; host bits written after the network part are ignored."""
    address_text, slash, bits_text = text.partition("/")
    address = _ip_address(address_text)
    if address is None or not slash or not re.fullmatch("[+-]?[0-9]+", bits_text):
        raise _expects(where, "cidr", 'an IP address block such as "10.0.0.0/24"')
    bits, most = int(bits_text), _MAX_MASK_BITS[address.version]
    if not 0 <= bits <= most:
        raise _expects(
            where,
            "cidr",
            f"IPv{address.version} mask bits from 0 to {most} (list a single address as a value)",
        )
    return ipaddress.ip_network(f"{address}/{bits}", strict=False)


def _exclusion(argument: Any, where: str) -> _Matcher:
    """What anything-but excludes: values, or strings matched by a nested string operator."""
    if isinstance(argument, Mapping):
        return _string_exclusion(argument, where)
    values = argument if isinstance(argument, list) else [argument]
    if values and all(isinstance(value, str) for value in values):
        strings = frozenset(values)
        return lambda value: isinstance(value, str) and value in strings
    if values and all(_double(value) is not None for value in values):
        numbers = frozenset(values)
        return lambda value: _is_number(value) and value in numbers
    raise _expects(
        where,
        "anything-but",
        "a string, a number, a list of only strings or only numbers, "
        'or {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": ...}',
    )


def _string_exclusion(argument: Mapping[str, Any], where: str) -> _Matcher:
    kinds = ("prefix", "suffix", "equals-ignore-case", "wildcard")
    if len(argument) != 1 or next(iter(argument)) not in kinds:
        raise _expects(where, "anything-but", f"an object with one key of {', '.join(kinds)}")
    ((kind, operand),) = argument.items()
    texts = operand if isinstance(operand, list) else [operand]
    if not texts or not all(isinstance(text, str) for text in texts):
        raise _expects(where, f"anything-but/{kind}", "a string or a list of strings")
    if kind in ("prefix", "suffix") and "" in texts:
        raise _expects(where, f"anything-but/{kind}", "non-empty strings")
    tests = [_string_test(kind, text, where) for text in texts]
    return lambda value: isinstance(value, str) and any(test(value) for test in tests)


def _string_test(kind: str, text: str, where: str) -> Callable[[str], bool]:
    if kind == "prefix":
        return lambda value: value.startswith(text)
    if kind == "suffix":
        return lambda value: value.endswith(text)
    if kind == "equals-ignore-case":
        regex = re.compile(_ignore_case_regex(text))
    else:
        regex = _wildcard_regex(text, where, "anything-but/wildcard")
    return lambda value: regex.fullmatch(value) is not None


# Matching an event ---------------------------------------------------------------------------


def _flatten(event: Mapping[str, Any]) -> dict[str, list[_Field]]:
    """The event's leaves by dotted path; array elements are tagged with their index."""
    fields: dict[str, list[_Field]] = {}
    array_ids = itertools.count()
    for name, value, membership in _leaves(event, (), {}, array_ids):
        fields.setdefault(name, []).append(_Field(value, membership))
    return fields


def _leaves(
    node: Any, names: tuple[str, ...], membership: _Membership, array_ids: Iterator[int]
) -> Iterator[tuple[str, Any, _Membership]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _leaves(value, (*names, key), membership, array_ids)
    elif isinstance(node, list):
        array_id = next(array_ids)
        for index, element in enumerate(node):
            yield from _leaves(element, names, {**membership, array_id: index}, array_ids)
    else:
        yield ".".join(names), node, membership


def _branch_matches(branch: _Branch, fields: dict[str, list[_Field]]) -> bool:
    # Fields are visited in sorted order, as Event Ruler does; the order only shows when
    # {"exists": false} meets an array of objects.
    return _match_from(sorted(branch), branch, fields, {})


def _match_from(
    names: list[str], branch: _Branch, fields: dict[str, list[_Field]], membership: _Membership
) -> bool:
    """Can the fields ``names`` all match, using array elements consistent with ``membership``?"""
    if not names:
        return True
    name, rest = names[0], names[1:]
    leaf = branch[name]
    present = [
        (field, merged)
        for field in fields.get(name, [])
        if (merged := _consistent(membership, field.membership)) is not None
    ]
    if leaf.absent_ok and not present and _match_from(rest, branch, fields, membership):
        return True
    return any(
        _match_from(rest, branch, fields, merged)
        for field, merged in present
        if leaf.accepts(field.value)
    )


def _consistent(chosen: _Membership, candidate: _Membership) -> _Membership | None:
    """``chosen`` extended by ``candidate``, or None when they pick different elements."""
    if any(chosen.get(array_id, index) != index for array_id, index in candidate.items()):
        return None
    return {**chosen, **candidate}
