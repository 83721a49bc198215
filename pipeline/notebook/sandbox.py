"""Jinja2's sandbox, bounded: how big a value a narrative may make, and how much it may do.

Jinja2's SandboxedEnvironment keeps a template away from Python's internals, not from memory:
`{{ ("x" * 3000000000) | length }}` allocates 3 GB. Here every operation that makes a value
from others is sized from its operands before it runs, and refused (a LimitError) when the
value would be beyond MAX_SIZE characters: the binary operators (repetition, concatenation,
powers, `%` formatting), `~`, every call (`"x".center(n)`, `.join`, `.format`, `.replace`, …)
and every filter (`center`, `indent`, `join`, `format`, `replace`, `batch`, …); what a call or
filter returns is sized too. The size of a value is what `str()` would make of it: a list
counts its items' sizes, each time it holds them. A render also has a budget of MAX_WORK
steps (characters made, loop turns, calls), so that loops, macros and recursion cannot repeat
small values without end, and its text may be at most MAX_SIZE characters, as may what a
macro, a call block or a `{% set %}` block joins. Jinja2 itself caps `range` at MAX_RANGE.
"""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment
from jinja2.utils import Namespace

from pipeline.exceptions import spaced

#: The most characters (or items) of a value a narrative makes, and of its rendered text.
MAX_SIZE = 1_000_000
#: The most steps of one render: characters made, loop turns and calls.
MAX_WORK = 5_000_000
#: The name compiled templates give their source, which their tracebacks' frames carry.
TEMPLATE_NAME = "<template>"

__all__ = ["MAX_RANGE", "MAX_SIZE", "MAX_WORK", "BoundedSandbox", "LimitError", "template_line"]


class LimitError(SecurityError):
    """A narrative asked for a value, a text or work beyond the sandbox's limits."""



def template_line(error: BaseException) -> int | None:
    """The template's line an error was raised on (Jinja2 rewrites a render's traceback so
    that its frames name the template's lines), or None."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == TEMPLATE_NAME]
    return frames[-1].lineno if frames else None


# ---------------------------------------------------------------- sizes

def size(value: Any, cap: int = MAX_SIZE) -> int:
    """About how many characters `str(value)` makes: a string its length, a number its digits,
    a collection its items' sizes (each time it holds them, as `str` writes them). Counted no
    further than just past `cap`, so that sizing costs no more than the size allowed."""
    if isinstance(value, str):  # itself, unquoted
        return len(value)
    total, pending = 0, [value]
    while pending and total <= cap:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, (bytes, bytearray)):
            total += 4 * len(item) + 3
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1  # decimal digits, from above
        elif isinstance(item, Namespace):  # `<Namespace {…}>`
            attributes = object.__getattribute__(item, "_Namespace__attrs")
            total += 4 * len(attributes) + 14
            pending += [*attributes.keys(), *attributes.values()]
        elif isinstance(item, Undefined):
            total += 16
        elif isinstance(item, Mapping):
            total += 4 * len(item) + 2
            if total <= cap:
                pending += [*item.keys(), *item.values()]
        elif isinstance(item, Collection) and not isinstance(item, range):
            total += 2 * len(item) + 2
            if total <= cap:
                pending += list(item)
        else:  # a float, a range, a function, a generator: a short text
            total += 24
    return total


def _number(value: Any, default: int = 0) -> int:
    """An integer argument as a size (a text's length when it is a text, as `indent` takes it)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return abs(value)
    if isinstance(value, str):
        return len(value)
    return default


def _argument(args: tuple, kwargs: Mapping[str, Any], position: int, name: str, default: Any = None) -> Any:
    return args[position] if len(args) > position else kwargs.get(name, default)


_DIGITS = re.compile(r"\d+")


def _formatted(template: str, fields: int, args: Any, kwargs: Any = None) -> int:
    """What formatting `template` (`%` or `.format`) makes at most: each of its `fields` as wide
    as the widest number it or its arguments give and holding all of the arguments."""
    widths = [int(run) if len(run) <= 9 else 10 ** 9 for run in _DIGITS.findall(template)]
    numbers = [_number(a) for a in (*_items(args), *(kwargs or {}).values()) if isinstance(a, int)]
    widest = max([0, *widths, *numbers])
    return len(template) + fields * (size(args) + size(kwargs or {}) + widest)


def _items(args: Any) -> tuple:
    return tuple(args) if isinstance(args, tuple) else tuple(args.values()) if isinstance(args, Mapping) else (args,)


def _replaced(text: str, old: Any, new: Any, count: Any) -> int:
    """What `text.replace(old, new, count)` makes at most."""
    if not isinstance(old, str) or not isinstance(new, str):
        return len(text)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * len(new)


def _joined(items: list, separator: Any) -> int:
    return _total(items) + len(str(separator)) * len(items)


def _total(values: Iterable) -> int:
    """The sizes of `values` added up, counted no further than just past MAX_SIZE in all."""
    total = 0
    for value in values:
        total += size(value, MAX_SIZE - total)
        if total > MAX_SIZE:
            break
    return total


# What a str method makes at most, from its text and arguments (others: at most thrice the text).
_STR_METHODS: dict[str, Callable[[str, tuple, Mapping[str, Any]], int]] = {
    "center": lambda s, a, k: len(s) + _number(_argument(a, k, 0, "width")),
    "ljust": lambda s, a, k: len(s) + _number(_argument(a, k, 0, "width")),
    "rjust": lambda s, a, k: len(s) + _number(_argument(a, k, 0, "width")),
    "zfill": lambda s, a, k: len(s) + _number(_argument(a, k, 0, "width")),
    "expandtabs": lambda s, a, k: len(s) + s.count("\t") * _number(_argument(a, k, 0, "tabsize", 8)),
    "replace": lambda s, a, k: _replaced(s, _argument(a, k, 0, "old"), _argument(a, k, 1, "new"),
                                         _argument(a, k, 2, "count", -1)),
    "join": lambda s, a, k: _joined(list(a[0]) if a else [], s),
    "format": lambda s, a, k: _formatted(s, s.count("{"), a, k),
    "format_map": lambda s, a, k: _formatted(s, s.count("{"), a[0] if a else {}),
}


# What a filter makes at most, from its value and arguments (others are sized by what they return).
_FILTERS: dict[str, Callable[[Any, tuple, Mapping[str, Any]], int]] = {
    "center": lambda v, a, k: size(v) + _number(_argument(a, k, 0, "width", 80)),
    "indent": lambda v, a, k: size(v) + (str(v).count("\n") + 1) * _number(_argument(a, k, 0, "width", 4)),
    "wordwrap": lambda v, a, k: size(v) * (1 + len(str(_argument(a, k, 3, "wrapstring") or "\n"))),
    "replace": lambda v, a, k: _replaced(str(v), _argument(a, k, 0, "old"), _argument(a, k, 1, "new"),
                                         _argument(a, k, 2, "count")),
    "join": lambda v, a, k: _joined(v, _argument(a, k, 0, "d", "")),
    "format": lambda v, a, k: _formatted(str(v), str(v).count("%"), a, k),
    "batch": lambda v, a, k: size(v) + _number(_argument(a, k, 0, "linecount")),
    "slice": lambda v, a, k: size(v) + 4 * _number(_argument(a, k, 0, "slices")),
    "sum": lambda v, a, k: size(v) + size(_argument(a, k, 1, "start", 0)),
    "urlencode": lambda v, a, k: 9 * size(v),
    "escape": lambda v, a, k: 6 * size(v),
    "e": lambda v, a, k: 6 * size(v),
    "forceescape": lambda v, a, k: 6 * size(v),
    "xmlattr": lambda v, a, k: 6 * size(v),
    "tojson": lambda v, a, k: 6 * size(v) * (1 + _number(_argument(a, k, 0, "indent"))),
    "pprint": lambda v, a, k: 4 * size(v),
    "urlize": lambda v, a, k: 2 * size(v) + 60 * (str(v).count(" ") + str(v).count("\n") + 1),
    **{name: lambda v, a, k: 3 * size(v) for name in ("string", "list", "title", "upper", "lower", "capitalize",
                                                       "striptags")},
}
#: Filters whose value is gathered into a list first (it may be a generator), to be sized.
_GATHERED = frozenset({"join", "sum"})


# ---------------------------------------------------------------- the budget of one render

class _Budget:
    """The steps one render may still take."""

    def __init__(self) -> None:
        self.left = MAX_WORK


_budget: ContextVar[_Budget | None] = ContextVar("narrative_budget", default=None)


def _spend(steps: int) -> None:
    budget = _budget.get()
    if budget is None:  # outside a render (a template compiled, its constants computed)
        return
    budget.left -= steps
    if budget.left < 0:
        raise LimitError(f"more than {spaced(MAX_WORK)} steps (characters made, loop turns, calls): "
                         f"a narrative may take at most {spaced(MAX_WORK)}")


def _within(estimate: int, what: str) -> None:
    """Spend a value's size; refuse it when it would be beyond MAX_SIZE."""
    if estimate > MAX_SIZE:
        raise LimitError(f"{what} would make about {spaced(estimate)} characters: "
                         f"a narrative may make values of at most {spaced(MAX_SIZE)}")
    _spend(max(estimate, 1))


def _gathered(values: Iterable) -> list:
    """The items of a sequence or generator, no more than MAX_SIZE of them."""
    if isinstance(values, (str, Mapping)):
        return list(values)
    items = []
    for item in values:
        items.append(item)
        if len(items) > MAX_SIZE:
            raise LimitError(f"more than {spaced(MAX_SIZE)} items: a narrative may make at most {spaced(MAX_SIZE)}")
    return items


# ---------------------------------------------------------------- the environment

class _BoundedCode(CodeGenerator):
    """Compiles a template for `BoundedSandbox`: every loop's iterable through
    `environment.iterated` (with what a turn costs), every `~` through `environment.concatenated`, and every buffer
    (a macro's, a call, `{% set %}` or filter block's) joined by `environment.joined`."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        self.writeline("concat = environment.joined")  # the runtime's, rebound for every function of the module

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        text = sum(len(data.data) for part in node.body for data in part.find_all(nodes.TemplateData))
        counted = nodes.Call(nodes.EnvironmentAttribute("iterated"), [node.iter, nodes.Const(1 + text)], [],
                             None, None, lineno=node.iter.lineno)
        super().visit_For(nodes.For(node.target, counted, node.body, node.else_, node.test, node.recursive,
                                    lineno=node.lineno), frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concatenated((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's SandboxedEnvironment whose values, work and text are bounded (this module's
    docstring); `render` renders a template within one budget."""

    code_generator_class = _BoundedCode
    intercepted_binops = frozenset(SandboxedEnvironment.default_binop_table)

    def __init__(self, **options: Any) -> None:
        # Not optimized: the optimizer would compute constant expressions while compiling, unbounded.
        super().__init__(optimized=False, finalize=self._shown, **options)
        self.filters = {name: self._bounded(name, function) for name, function in self.filters.items()}

    # -- what the compiled templates call

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _within(self._binop_size(operator, left, right), f"«{operator}»")
        return super().call_binop(context, operator, left, right)

    @staticmethod
    def _binop_size(operator: str, left: Any, right: Any) -> int:
        numbers = (int, float)
        if operator == "*" and isinstance(right, int) and not isinstance(left, numbers):
            return size(left) * max(right, 0)
        if operator == "*" and isinstance(left, int) and not isinstance(right, numbers):
            return size(right) * max(left, 0)
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            return (left.bit_length() // 3 + 1) * right
        if operator == "%" and isinstance(left, str):
            return _formatted(left, left.count("%"), right)
        return size(left) + size(right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja2's
        _spend(1)
        owner, name = __self._str_method(__obj)
        if owner is not None and name in _STR_METHODS:
            if name == "join" and args:
                args = (_gathered(args[0]), *args[1:])
            _within(_STR_METHODS[name](owner, args, kwargs), f"«{name}»")
        elif owner is not None:
            _within(3 * size(owner) + size(args), f"«{name}»")
        elif __obj is __self.globals.get("lipsum"):
            n, most = _number(_argument(args, kwargs, 0, "n", 5)), _number(_argument(args, kwargs, 3, "max", 100))
            _within(n * most * 16, "«lipsum»")
        return __self._made(super().call(__context, __obj, *args, **kwargs), _name(__obj))

    @staticmethod
    def _str_method(function: Any) -> tuple[str | None, str]:
        """The text a method is bound to and its name (`.format` as the sandbox wraps it), or None."""
        bound = getattr(function, "__wrapped__", function)
        owner = getattr(bound, "__self__", None)
        return (owner, bound.__name__) if isinstance(owner, str) else (None, "")

    def _bounded(self, name: str, function: Callable) -> Callable:
        """The filter `function`, its result sized before it is made (`_FILTERS`) and after."""
        estimate = _FILTERS.get(name)
        passes = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # context first

        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            _spend(1)
            if estimate is not None and len(args) > passes:
                value = args[passes]
                if name in _GATHERED and not isinstance(value, Undefined):
                    value = _gathered(value)
                    args = (*args[:passes], value, *args[passes + 1:])
                else:  # first: the estimates may make it text
                    _within(size(value), f"«|{name}»")
                _within(estimate(value, args[passes + 1:], kwargs), f"«|{name}»")
            return self._made(function(*args, **kwargs), f"«|{name}»")
        return bounded

    @staticmethod
    def _made(result: Any, what: str) -> Any:
        _within(size(result), what)
        return result

    def iterated(self, values: Iterable, steps: int) -> Iterator:
        """A loop's items, each turn `steps`: one, and the characters of its body's own text."""
        for item in values:
            _spend(steps)
            yield item

    def concatenated(self, values: tuple) -> str:
        """`a ~ b`, sized first."""
        _within(_total(values), "«~»")
        return "".join(str(v) for v in values)

    def joined(self, parts: Iterable[str]) -> str:
        """A buffer's text (a macro's, a call, set or filter block's), sized first."""
        parts = _gathered(parts)
        _within(_total(parts), "a block of the template")
        return "".join(parts)

    @staticmethod
    def _shown(value: Any) -> Any:
        """What a `{{ … }}` writes, sized before it is made text."""
        _within(size(value), "a placeholder")
        return value

    # -- rendering

    def render(self, source: str, values: Mapping[str, Any]) -> str:
        """`source` rendered with `values` within one budget; its text at most MAX_SIZE characters."""
        template = self.from_string(source)
        token = _budget.set(_Budget())
        try:
            parts, total = [], 0
            for part in template.generate(values):
                total += len(part)
                if total > MAX_SIZE:
                    raise LimitError(f"the narrative renders to more than {spaced(MAX_SIZE)} characters: "
                                     f"a narrative may be at most {spaced(MAX_SIZE)}")
                parts.append(part)
            return "".join(parts)
        finally:
            _budget.reset(token)


def _name(function: Any) -> str:
    return f"«{getattr(function, '__name__', type(function).__name__)}»"
