"""A SHACL Core checker for the constraints ``ontology/shapes.ttl`` uses, in plain
Python over an index of the data.

Why not pySHACL alone: it looks every value up through rdflib, one triple pattern
at a time, and copies the data graph to mix the ontology in; on a build of 1 000
documents it took a third of the build. This checker reads the shapes once,
indexes the data once (subject → predicate → objects, and the instances of every
class through ``rdfs:subClassOf``) and checks each constraint by dictionary
lookups. It gives the results pySHACL gives (tests/test_shacl.py compares the two
on the bundled graph, a broken fixture and generated faults), and it refuses a
shape it does not understand (:class:`UnsupportedShape`) rather than pass it:
``kg.graph.validate`` then runs pySHACL instead.

Supported: targets ``sh:targetClass`` and ``sh:targetSubjectsOf``; paths that are a
property or an ``sh:alternativePath`` of properties; ``sh:minCount``,
``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:minLength``,
``sh:pattern`` (without ``sh:flags``), ``sh:minInclusive``, ``sh:maxInclusive``,
``sh:in``, ``sh:lessThan``, ``sh:or`` and ``sh:not``; ``sh:message``, ``sh:name``.
Every result is a violation (the shapes set no other severity).

A corpus too large to index at once is checked bucket by bucket
(:meth:`Checker.check_buckets` over a :class:`kg.graph.spill.UnionSpill`): a bucket
holds every triple of its subjects, which is all a focus node's own constraints
read; a test that reads another node (``sh:class`` reads the types of a value) is
put off to that node's bucket and run there. Shapes that would need two nodes'
data at once cannot be split so (:class:`NotSplittable`); the caller then indexes
the whole union.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

SH = Namespace("http://www.w3.org/ns/shacl#")
# rdflib makes a new term on every namespace attribute access: the hot loops use these
_MIN_COUNT, _MAX_COUNT, _LESS_THAN = SH.minCount, SH.maxCount, SH.lessThan
_RDF_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf

# sh: terms that describe a shape without constraining anything
_DESCRIPTIVE = {SH.message, SH.name, SH.description, SH.order, SH.group}
_VALUE_CONSTRAINTS = {SH["class"], SH.datatype, SH.nodeKind, SH.minLength, SH.pattern,
                      SH.minInclusive, SH.maxInclusive, SH["in"], SH["or"], SH["not"]}
_FOCUS_CONSTRAINTS = {SH.minCount, SH.maxCount, SH.lessThan}
_STRUCTURE = {SH.path, SH.property, SH.targetClass, SH.targetSubjectsOf}
_NODE_KINDS = {
    SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


# what a value test reads of the data besides the value: nothing, the value's types
# (sh:class), or more (the value's own properties)
READS_NOTHING, READS_TYPES, READS_MORE = 0, 1, 2


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature this checker does not implement."""


class NotSplittable(ValueError):
    """The shapes read data of two nodes at once (a value's value, say): they cannot
    be checked one bucket at a time."""


class _Elsewhere(Exception):  # noqa: N818 - control flow, never seen by a caller
    """A bucket's index was asked about a node of another bucket."""

    def __init__(self, node):
        super().__init__(node)
        self.node = node


@dataclass(frozen=True)
class Result:
    focus: object
    source_shape: object  # the shape the constraint belongs to (its node in the shapes graph)
    path: object | None  # sh:resultPath: the property, or the sh:alternativePath node
    value: object | None
    message: str


@dataclass
class Shape:
    node: object
    path: tuple[URIRef, ...] | None = None  # None: a node shape (checks the focus itself)
    path_node: object | None = None
    message: str | None = None
    # (constraint, argument, test(value, index) -> bool), compiled once
    value_constraints: list[tuple[URIRef, object, object]] = field(default_factory=list)
    reads: list[int] = field(default_factory=list)  # per value constraint: READS_*
    focus_constraints: list[tuple[URIRef, object]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    target_classes: list[URIRef] = field(default_factory=list)
    target_subjects_of: list[URIRef] = field(default_factory=list)


class Index:
    """The data, each triple once: objects by subject and predicate (a single
    object stored bare, several in a set: most properties have one value), and
    the class hierarchy (``rdfs:subClassOf`` in the data or given apart)."""

    def __init__(self, triples: Iterable[tuple] = ()):
        self.out: dict = {}
        self._hierarchy: dict = defaultdict(set)  # subClassOf axioms given apart
        # derived on first use, dropped when anything is added
        self._supers: dict = {}
        self._classes: dict = {}
        self._instances: dict | None = None
        self._subjects_of: dict = {}
        self.add_all(triples)

    def add_all(self, triples: Iterable[tuple]) -> None:
        out = self.out
        for s, p, o in triples:
            props = out.get(s)
            if props is None:
                props = out[s] = {}
            have = props.get(p)
            if have is None:
                props[p] = o
            elif isinstance(have, set):
                have.add(o)
            elif have != o:
                props[p] = {have, o}
        self._supers.clear()
        self._classes.clear()
        self._instances = None
        self._subjects_of.clear()

    def add_hierarchy(self, subclass_triples: Iterable[tuple]) -> None:
        """``rdfs:subClassOf`` axioms from elsewhere (the ontology), not data."""
        for s, _p, o in subclass_triples:
            self._hierarchy[s].add(o)
        self._supers.clear()
        self._classes.clear()
        self._instances = None

    def __len__(self) -> int:
        return sum(len(v) if isinstance(v, set) else 1
                   for props in self.out.values() for v in props.values())

    def triples(self) -> Iterator[tuple]:
        for s, props in self.out.items():
            for p, v in props.items():
                for o in (v if isinstance(v, set) else (v,)):
                    yield s, p, o

    def subjects_of(self, prop) -> set:
        if prop not in self._subjects_of:
            self._subjects_of[prop] = {s for s, props in self.out.items() if prop in props}
        return self._subjects_of[prop]

    def values(self, node, path: tuple[URIRef, ...]) -> set:
        props = self.out.get(node)
        if not props:
            return set()
        found: set = set()
        for p in path:
            v = props.get(p)
            if v is None:
                continue
            if isinstance(v, set):
                found |= v
            else:
                found.add(v)
        return found

    def superclasses(self, cls) -> set:
        """The class and every class above it (rdfs:subClassOf, transitively)."""
        if cls not in self._supers:
            seen, todo = {cls}, [cls]
            while todo:
                c = todo.pop()
                for parent in self._hierarchy.get(c, set()) | self.values(c, (_SUBCLASS,)):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._supers[cls] = seen
        return self._supers[cls]

    def classes(self, node) -> frozenset:
        """Every class the node is an instance of (its types and their superclasses)."""
        found = self._classes.get(node)
        if found is None:
            found = frozenset().union(*(self.superclasses(t)
                                        for t in self.values(node, (_RDF_TYPE,))))
            self._classes[node] = found
        return found

    def is_instance(self, node, cls) -> bool:
        return not isinstance(node, Literal) and cls in self.classes(node)

    def instances(self, cls) -> set:
        if self._instances is None:
            self._instances = defaultdict(set)
            for s in self.subjects_of(_RDF_TYPE):
                for c in self.classes(s):
                    self._instances[c].add(s)
        return self._instances.get(cls, set())


class BucketIndex(Index):
    """The triples of one bucket's subjects, and the class hierarchy of the whole
    data (``hierarchy``: every ``rdfs:subClassOf`` triple, given apart); asking
    about a node of another bucket raises :class:`_Elsewhere`."""

    def __init__(self, triples: Iterable[tuple], home, hierarchy: Iterable[tuple] = ()):
        self.home = home  # node -> bool: its triples are in this bucket
        super().__init__(triples)
        self.add_hierarchy(hierarchy)

    def values(self, node, path: tuple[URIRef, ...]) -> set:
        if not self.home(node):
            raise _Elsewhere(node)
        return super().values(node, path)

    def superclasses(self, cls) -> set:
        # the whole hierarchy came apart (its subjects are classes, in other buckets)
        if cls not in self._supers:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self._hierarchy.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._supers[cls] = seen
        return self._supers[cls]


class Checker:
    """The node shapes of a shapes graph, compiled once; ``check(index)`` gives the results."""

    def __init__(self, shapes: Graph):
        self.g = shapes
        self._compiled: dict = {}
        self._compiling: set = set()  # recursion: a shape's reads are not known yet
        self.node_shapes = [self._compile(s) for s in
                            sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str)]
        self._numbered = list(self._compiled.values())  # put-off tests name shapes by number

    # ------------------------------------------------------------------ compiling
    def _list(self, node) -> list:
        return list(Collection(self.g, node))

    def _compile(self, node) -> Shape:
        if node in self._compiled:
            return self._compiled[node]
        shape = self._compiled[node] = Shape(node)
        self._compiling.add(node)
        for p, o in sorted(self.g.predicate_objects(node)):
            if not str(p).startswith(str(SH)) or p in _DESCRIPTIVE:
                if p == SH.message:
                    shape.message = str(o)
                continue
            if p == SH.path:
                shape.path_node = o
                if isinstance(o, URIRef):
                    shape.path = (o,)
                elif (alt := self.g.value(o, SH.alternativePath)) is not None \
                        and len(set(self.g.predicate_objects(o))) == 1:
                    shape.path = tuple(self._list(alt))
                    if not all(isinstance(x, URIRef) for x in shape.path):
                        raise UnsupportedShape(f"{node}: an alternative path of paths")
                else:
                    raise UnsupportedShape(f"{node}: a path other than a property or "
                                           "sh:alternativePath")
            elif p == SH.property:
                shape.properties.append(self._compile(o))
            elif p == SH.targetClass:
                shape.target_classes.append(o)
            elif p == SH.targetSubjectsOf:
                shape.target_subjects_of.append(o)
            elif p in _VALUE_CONSTRAINTS:
                arg, test = self._value_test(node, p, o)
                shape.value_constraints.append((p, arg, test))
                shape.reads.append(self._reads(p, arg))
            elif p in _FOCUS_CONSTRAINTS:
                kind = next(k for k in (_MIN_COUNT, _MAX_COUNT, _LESS_THAN) if k == p)
                shape.focus_constraints.append((kind, o if kind is _LESS_THAN else int(o)))
            elif p not in _STRUCTURE:
                raise UnsupportedShape(f"{node}: {p} is not supported")
        self._compiling.discard(node)
        return shape

    def _reads(self, kind, arg) -> int:
        if kind == SH["class"]:
            return READS_TYPES
        if kind in (SH["or"], SH["not"]):
            return max(map(self._shape_reads, arg if isinstance(arg, list) else [arg]),
                       default=READS_NOTHING)
        return READS_NOTHING

    def _shape_reads(self, shape: Shape) -> int:
        """What checking ``shape`` on a node reads of the data besides the node."""
        if (shape.node in self._compiling or shape.path is not None or shape.properties
                or shape.focus_constraints):
            return READS_MORE
        return max(shape.reads, default=READS_NOTHING)

    def _value_test(self, node, kind, o):
        """The constraint's argument as shown in messages, and its test of one value."""
        if kind == SH["class"]:
            return o, lambda v, index: index.is_instance(v, o)
        if kind == SH.datatype:
            return o, lambda v, index: _has_datatype(v, o)
        if kind == SH.nodeKind:
            if o not in _NODE_KINDS:
                raise UnsupportedShape(f"{node}: sh:nodeKind {o}")
            kinds = _NODE_KINDS[o]
            return o, lambda v, index: isinstance(v, kinds)
        if kind == SH.minLength:
            n = int(o)
            return o, lambda v, index: not isinstance(v, BNode) and len(str(v)) >= n
        if kind == SH.pattern:
            if self.g.value(node, SH.flags) is not None:
                raise UnsupportedShape(f"{node}: sh:flags")
            pattern = re.compile(str(o))
            return o, lambda v, index: (not isinstance(v, BNode)
                                        and pattern.search(str(v)) is not None)
        if kind == SH.minInclusive:
            return o, lambda v, index: _compare(v, o, lambda a, b: a >= b)
        if kind == SH.maxInclusive:
            return o, lambda v, index: _compare(v, o, lambda a, b: a <= b)
        if kind == SH["in"]:
            members = frozenset(self._list(o))
            return members, lambda v, index: v in members
        if kind == SH["or"]:
            shapes = [self._compile(m) for m in self._list(o)]
            return shapes, lambda v, index: any(self.conforms(m, v, index) for m in shapes)
        if kind == SH["not"]:
            inner = self._compile(o)
            return inner, lambda v, index: not self.conforms(inner, v, index)
        raise UnsupportedShape(f"{node}: {kind}")

    # ------------------------------------------------------------------ checking
    def check(self, index: Index, put_off=None) -> list[Result]:
        results: list[Result] = []
        for shape in self.node_shapes:
            focus_nodes = set()
            for cls in shape.target_classes:
                focus_nodes |= index.instances(cls)
            for prop in shape.target_subjects_of:
                focus_nodes |= index.subjects_of(prop)
            for focus in focus_nodes:
                results += self._validate(shape, focus, index, put_off)
        return results

    def check_buckets(self, spill, context=None, hierarchy: Iterable[tuple] = ()
                      ) -> list[tuple[Result, object]]:
        """Check a :class:`kg.graph.spill.UnionSpill` one bucket at a time: the
        results, each with ``context(focus, index)`` (taken from the focus node's
        bucket: what a report says about where the node came from). The class
        hierarchy is the data's ``rdfs:subClassOf`` triples (which the spill must
        keep) and ``hierarchy`` (the ontology's). Tests put off to another bucket
        wait on disk (``spill.put_off``), not in memory. Raises
        :class:`NotSplittable` when the shapes need two buckets at once."""
        context = context or (lambda focus, index: None)
        number = {id(shape): n for n, shape in enumerate(self._numbered)}
        hierarchy = [*spill.kept(_SUBCLASS), *hierarchy]

        def index_of(b: int, only=None) -> BucketIndex:
            return BucketIndex(spill.bucket(b, only=only), spill.home(b), hierarchy)

        results: list[tuple[Result, object]] = []
        for b in range(spill.buckets):
            index = index_of(b)

            def later(shape, i, focus, value):
                spill.put_off(spill.bucket_of(value), (number[id(shape)], i, focus, value))
            try:
                found = self.check(index, later)
            except _Elsewhere as e:
                raise NotSplittable(f"a constraint reads {e.node} while checking another "
                                    "node") from None
            results += [(r, context(r.focus, index)) for r in found]
        late: dict[int, list[Result]] = defaultdict(list)  # by the focus node's bucket
        for b in range(spill.buckets):
            # most put-off tests read only the value's types: the bucket's rdf:type
            # triples, a small part of it, do for them
            index = full = None
            passed: dict[tuple, bool] = {}  # (shape, test, value): one run each
            for n, i, focus, value in spill.put_off_in(b):
                shape = self._numbered[n]
                kind, arg, test = shape.value_constraints[i]
                if shape.reads[i] == READS_MORE and full is None:
                    index = full = index_of(b)
                elif index is None:
                    index = index_of(b, only=_RDF_TYPE)
                ok = passed.get((n, i, value))
                if ok is None:
                    try:
                        ok = passed[(n, i, value)] = test(value, index)
                    except _Elsewhere as e:
                        raise NotSplittable(f"a constraint on {value} reads {e.node}") from None
                if not ok:
                    late[spill.bucket_of(focus)].append(Result(
                        focus, shape.node, shape.path_node, value,
                        shape.message or _default_message(kind, arg)))
        for b, found in sorted(late.items()):  # their context, from their focus' bucket
            index = index_of(b)
            results += [(r, context(r.focus, index)) for r in found]
        return results

    def conforms(self, shape: Shape, focus, index: Index) -> bool:
        return next(self._validate(shape, focus, index), None) is None

    def _validate(self, shape: Shape, focus, index: Index, put_off=None) -> Iterator[Result]:
        """The results of ``focus`` against ``shape``; with ``put_off``, a value test
        that needs the value's data from another bucket is handed to
        ``put_off(shape, test number, focus, value)`` instead."""
        msg = shape.message
        if shape.path is None:
            values = {focus}
        else:
            values = index.values(focus, shape.path)
            for kind, arg in shape.focus_constraints:
                if kind is _MIN_COUNT and len(values) < arg:
                    yield Result(focus, shape.node, shape.path_node, None,
                                 msg or f"fewer than {arg} values")
                elif kind is _MAX_COUNT and len(values) > arg:
                    yield Result(focus, shape.node, shape.path_node, None,
                                 msg or f"more than {arg} values")
                elif kind is _LESS_THAN:
                    others = index.values(focus, (arg,))
                    for v in values:
                        if not all(_less(v, w) for w in others):
                            yield Result(focus, shape.node, shape.path_node, v,
                                         msg or f"not less than the values of {arg}")
        for v in values:
            for i, (kind, arg, test) in enumerate(shape.value_constraints):
                try:
                    ok = test(v, index)
                except _Elsewhere as e:
                    if put_off is None or e.node != v:
                        raise
                    put_off(shape, i, focus, v)
                    continue
                if not ok:
                    yield Result(focus, shape.node, shape.path_node, v,
                                 msg or _default_message(kind, arg))
        for prop in shape.properties:
            for v in values:
                yield from self._validate(prop, v, index, put_off)


def _has_datatype(v, datatype) -> bool:
    if not isinstance(v, Literal):
        return False
    if datatype == XSD.string:
        return v.language is None and v.datatype in (None, XSD.string)
    return v.datatype == datatype and not v.ill_typed


def _compare(v, bound: Literal, ok) -> bool:
    if not isinstance(v, Literal) or v.ill_typed:
        return False
    try:
        return bool(ok(v.toPython(), bound.toPython()))
    except TypeError:  # not comparable (a string against a number)
        return False


def _less(a, b) -> bool:
    return _compare(a, b, lambda x, y: x < y) if isinstance(b, Literal) else False


def _default_message(kind, arg) -> str:
    """A result's message where the shape has no sh:message of its own."""
    name = str(kind).rsplit("#", 1)[-1]
    if isinstance(arg, list | Shape):  # sh:or, sh:not: the shapes are no short text
        return f"breaks sh:{name}"
    shown = sorted(map(str, arg)) if isinstance(arg, frozenset) else arg
    return f"breaks sh:{name} {shown}"
