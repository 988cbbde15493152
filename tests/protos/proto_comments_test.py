#!/usr/bin/env python3
"""Every field and enum value of the public APIs carries a comment (issue 2).

    python3 tests/protos/proto_comments_test.py <repo root>
    python3 tests/protos/proto_comments_test.py --self-test

Parses every .proto under <repo root>/protos/pressrelay and fails (exit 1), listing
file:line and the name, for any message field, oneof field, map field or enum value
(including the *_UNSPECIFIED ones) that has neither

  * a leading `//` comment on the line(s) directly above the line it starts on (a blank
    line in between means no comment), nor
  * a trailing `//` comment on its line (the line it starts on or the line of its `;`).

A comment must say something: one made only of punctuation (a "// -----" divider) does not
count, and neither does a /* block */ comment. A comment can only describe a declaration
that has its lines to itself: two fields or enum values on one line always fail. A
one-line message such as `message GetAgencyRequest { string code = 1; }` has one field on
its line, so the comment above that line counts for it.

Nested messages and enums, oneof blocks, map fields, extend blocks, proto2 groups,
`reserved`, `extensions` and `option` statements (including aggregate values) and field
options spanning several lines are understood; services are skipped. Anything the parser
does not understand is an error, never a silent pass.

The normal run first checks the checker itself against inline snippets (--self-test runs
only that): a fully commented file must pass, and files with an uncommented field, a
comment separated by a blank line, an uncommented enum value and other gaps must fail
with exactly the expected names and lines. Python 3 standard library only.
"""

import os
import re
import sys

PROTO_DIR = os.path.join("protos", "pressrelay")


class ParseError(Exception):
    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


class Token:
    __slots__ = ("kind", "value", "line")

    def __init__(self, kind, value, line):
        self.kind = kind  # "ident", "number", "string", "punct"
        self.value = value
        self.line = line

    def __repr__(self):
        return "%s(%r)@%d" % (self.kind, self.value, self.line)


class Source:
    """The tokens of one file, and what each line holds: code, a // comment, both or nothing."""

    _IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    _NUMBER = re.compile(r"[0-9](?:[eE][+-]|[0-9A-Za-z_.])*|\.[0-9](?:[eE][+-]|[0-9A-Za-z_.])*")

    def __init__(self, text):
        self.tokens = []
        self.code_lines = set()  # lines with a token or part of a /* */ comment
        self.comments = {}  # line -> text of its // comment
        self._tokenize(text)

    def _tokenize(self, text):
        i, line, n = 0, 1, len(text)
        while i < n:
            c = text[i]
            if c == "\n":
                line += 1
                i += 1
            elif c in " \t\r\f\v":
                i += 1
            elif text.startswith("//", i):
                end = text.find("\n", i)
                end = n if end < 0 else end
                self.comments[line] = text[i + 2:end]
                i = end
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    raise ParseError(line, "unterminated /* comment")
                for _ in range(text.count("\n", i, end) + 1):
                    self.code_lines.add(line)
                    line += 1
                line -= 1
                i = end + 2
            elif c in "\"'":
                start_line, j = line, i + 1
                while True:
                    if j >= n or text[j] == "\n":
                        raise ParseError(start_line, "unterminated string")
                    if text[j] == "\\":
                        j += 2
                        continue
                    if text[j] == c:
                        break
                    j += 1
                self._add("string", text[i:j + 1], line)
                i = j + 1
            else:
                m = self._IDENT.match(text, i) or self._NUMBER.match(text, i)
                if m:
                    self._add("ident" if m.re is self._IDENT else "number", m.group(0), line)
                    i = m.end()
                else:
                    self._add("punct", c, line)
                    i += 1

    def _add(self, kind, value, line):
        self.tokens.append(Token(kind, value, line))
        self.code_lines.add(line)

    def is_comment_only(self, line):
        return line in self.comments and line not in self.code_lines

    def leading_comment(self, line):
        """The text of the // lines directly above `line`, or None."""
        texts = []
        above = line - 1
        while above >= 1 and self.is_comment_only(above):
            texts.append(self.comments[above])
            above -= 1
        return "\n".join(reversed(texts)) if texts else None

    def trailing_comment(self, line):
        return self.comments.get(line) if line in self.code_lines else None


class Decl:
    """A field or enum value: what must carry a comment."""

    __slots__ = ("kind", "name", "first", "last")

    def __init__(self, kind, name, first, last):
        self.kind = kind  # "field", "oneof field", "map field", "extension field", "enum value"
        self.name = name  # qualified within the file, e.g. "StatementDraft.kind"
        self.first = first  # line it starts on
        self.last = last  # line of its ';' (or of a group's '{')

    @property
    def is_enum_value(self):
        return self.kind == "enum value"


class Parser:
    _OPENERS = {"{": "}", "[": "]", "(": ")"}

    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0
        self.decls = []

    # --- token helpers ---------------------------------------------------------------------

    def peek(self, k=0):
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def peek_value(self, k=0):
        t = self.peek(k)
        return t.value if t is not None else None

    def body_value(self):
        """The next token's value inside a block, where the file must not end."""
        if self.peek() is None:
            raise ParseError(self.tokens[-1].line if self.tokens else 1, "unexpected end of file (missing '}'?)")
        return self.peek_value()

    def next(self):
        t = self.peek()
        if t is None:
            last = self.tokens[-1].line if self.tokens else 1
            raise ParseError(last, "unexpected end of file")
        self.i += 1
        return t

    def expect(self, value):
        t = self.next()
        if t.value != value:
            raise ParseError(t.line, "expected %r, found %r" % (value, t.value))
        return t

    def ident(self):
        t = self.next()
        if t.kind != "ident":
            raise ParseError(t.line, "expected a name, found %r" % t.value)
        return t

    def skip_statement(self):
        """Consumes up to and including the ';' that ends the statement (brackets balanced)."""
        stack = []
        while True:
            t = self.next()
            if t.kind != "punct":
                continue
            if t.value in self._OPENERS:
                stack.append(self._OPENERS[t.value])
            elif t.value in ("}", "]", ")"):
                if not stack or stack.pop() != t.value:
                    raise ParseError(t.line, "unbalanced %r" % t.value)
            elif t.value == ";" and not stack:
                return t

    def skip_block(self):
        """Consumes a '{' ... '}' block, nested blocks included."""
        self.expect("{")
        depth = 1
        while depth:
            t = self.next()
            if t.kind == "punct" and t.value == "{":
                depth += 1
            elif t.kind == "punct" and t.value == "}":
                depth -= 1

    def is_block(self, keyword):
        """`keyword Name {` (or `extend a.b.C {`) starts here."""
        if self.peek_value() != keyword:
            return False
        k = 1
        while self.peek(k) is not None and (self.peek(k).kind == "ident" or self.peek_value(k) == "."):
            k += 1
        return k > 1 and self.peek_value(k) == "{"

    def block_name(self):
        self.next()  # the keyword
        parts = []
        while self.peek_value() != "{":
            parts.append(self.next().value)
        self.expect("{")
        return "".join(parts)

    # --- grammar ---------------------------------------------------------------------------

    def parse_file(self):
        while self.peek() is not None:
            v = self.peek_value()
            if v == ";":
                self.next()
            elif v in ("syntax", "edition", "package", "import", "option"):
                self.skip_statement()
            elif self.is_block("message"):
                self.message_body(self.block_name())
            elif self.is_block("enum"):
                self.enum_body(self.block_name())
            elif self.is_block("extend"):
                self.message_body("extend " + self.block_name(), extension=True)
            elif self.is_block("service"):
                self.next()
                self.ident()
                self.skip_block()
            else:
                t = self.peek()
                raise ParseError(t.line, "unexpected %r at file level" % t.value)
        return self.decls

    def message_body(self, scope, extension=False):
        while True:
            v = self.body_value()
            if v == "}":
                self.next()
                return
            if v == ";":
                self.next()
            elif self.is_block("message"):
                self.message_body(scope + "." + self.block_name())
            elif self.is_block("enum"):
                self.enum_body(scope + "." + self.block_name())
            elif self.is_block("extend"):
                self.message_body(scope + ".extend " + self.block_name(), extension=True)
            elif self.is_block("oneof"):
                self.oneof_body(scope)
            elif v in ("option", "reserved", "extensions"):
                self.skip_statement()
            else:
                self.field(scope, "extension field" if extension else None)

    def oneof_body(self, scope):
        self.block_name()
        while True:
            v = self.body_value()
            if v == "}":
                self.next()
                return
            if v == ";":
                self.next()
            elif v == "option":
                self.skip_statement()
            else:
                self.field(scope, "oneof field")

    def field(self, scope, kind):
        first = self.peek()
        if kind is None:
            kind = "map field" if first.value == "map" and self.peek_value(1) == "<" else "field"
        name = None
        previous = None
        stack = []
        while True:
            t = self.next()
            if t.kind == "punct" and not stack:
                if t.value == "=" and name is None:
                    if previous is None or previous.kind != "ident" or previous is first:
                        raise ParseError(t.line, "cannot tell the field's name")
                    name = previous.value
                elif t.value == ";":
                    break
                elif t.value == "{":
                    # proto2 group: `optional group Name = 1 { ... }`.
                    if name is None or first.value not in ("group", "optional", "required", "repeated"):
                        raise ParseError(t.line, "unexpected '{' in a field")
                    self.decls.append(Decl(kind, scope + "." + name, first.line, t.line))
                    self.message_body(scope + "." + name)
                    return
                elif t.value == "}":
                    raise ParseError(t.line, "unexpected '}' in a field (missing ';'?)")
            if t.kind == "punct":
                if t.value in self._OPENERS:
                    stack.append(self._OPENERS[t.value])
                elif t.value in ("}", "]", ")"):
                    if not stack or stack.pop() != t.value:
                        raise ParseError(t.line, "unbalanced %r" % t.value)
            previous = t
        if name is None:
            raise ParseError(first.line, "a statement that is not a field: %r" % first.value)
        self.decls.append(Decl(kind, scope + "." + name, first.line, t.line))

    def enum_body(self, scope):
        while True:
            v = self.body_value()
            if v == "}":
                self.next()
                return
            if v == ";":
                self.next()
            elif v in ("option", "reserved"):
                self.skip_statement()
            else:
                first = self.ident()
                if self.peek_value() != "=":
                    raise ParseError(first.line, "expected '=' after enum value %s" % first.value)
                end = self.skip_statement()
                self.decls.append(Decl("enum value", scope + "." + first.value, first.line, end.line))


def says_something(comment):
    return comment is not None and any(ch.isalnum() for ch in comment)


def check_text(text):
    """Returns (declarations, problems); a problem is (line, message)."""
    source = Source(text)
    decls = Parser(source.tokens).parse_file()
    owners = {}  # line -> declarations touching it
    for d in decls:
        for line in range(d.first, d.last + 1):
            owners.setdefault(line, []).append(d)
    problems = []
    for d in decls:
        shared = [o for o in owners[d.first] if o is not d]
        if shared:
            problems.append((d.first, "%s %s shares its line with %s: put each on its own line with its own "
                                      "comment" % (d.kind, d.name, shared[0].name)))
            continue
        comments = [source.leading_comment(d.first), source.trailing_comment(d.first)]
        if len(owners[d.last]) == 1:
            comments.append(source.trailing_comment(d.last))
        if not any(says_something(c) for c in comments):
            problems.append((d.first, "%s %s has no comment" % (d.kind, d.name)))
    return decls, problems


# --- self-test ------------------------------------------------------------------------------

GOOD = r'''// A file comment.
syntax = "proto3";

package selftest.v1;

import "google/protobuf/timestamp.proto";

option cc_enable_arenas = true;

// A message.
message Outer {
  // The id.
  string id = 1;
  int32 count = 2;  // A trailing comment.
  reserved 3, 4;
  reserved "old";
  option deprecated = false;
  // Options over several lines; a "quoted" string; fake = 99;
  string url = 5 [
    deprecated = true,
    json_name = "u//rl"
  ];
  // A map.
  map<string, int32> counts = 6;
  /* string hidden = 70; */
  // Covers the oneof, not its fields.
  oneof choice {
    // The text choice.
    string text = 7;
    int64 number = 8;  // The number choice.
  }
  // A nested message.
  message Inner {
    // Deep.
    repeated string tags = 1;
    // A nested enum.
    enum Mode {
      // Not set; rejected.
      MODE_UNSPECIFIED = 0;
      MODE_FAST = 1;  // Fast.
    }
    // Its mode.
    Mode mode = 2;
  }
  // The inner one.
  Inner inner = 9;
  // A time;
  // over two lines.
  google.protobuf.Timestamp at = 10;
  // Ends on the line of its ';'.
  string last = 11
      [deprecated = true];
}

// One line, one field: this comment covers it.
message Wrapper { Outer outer = 1; }

// A top-level enum.
enum Colour {
  option allow_alias = true;
  // Not set; rejected.
  COLOUR_UNSPECIFIED = 0;
  // Red.
  COLOUR_RED = 1;
  COLOUR_ROUGE = 1 [deprecated = true];  // The same as red.
  reserved 5 to 10;
  reserved "COLOUR_BLUE";
}

// Skipped.
service S {
  rpc Get(Wrapper) returns (Outer) { option deprecated = true; }
  rpc Put(Outer) returns (Wrapper);
}
'''

# (name, snippet, expected problems as (line, qualified name)).
BAD = [
    ("an uncommented field", '''syntax = "proto3";
// M.
message M {
  // Commented.
  string a = 1;
  string b = 2;
}
''', [(6, "M.b")]),
    ("a comment separated by a blank line", '''syntax = "proto3";
// M.
message M {
  // Meant for b, but a blank line separates it.

  string b = 1;
}
''', [(6, "M.b")]),
    ("an uncommented enum value", '''syntax = "proto3";
// E.
enum E {
  // Not set; rejected.
  E_UNSPECIFIED = 0;
  E_ONE = 1;
  // Two.
  E_TWO = 2;
}
''', [(6, "E.E_ONE")]),
    ("an uncommented _UNSPECIFIED value", '''syntax = "proto3";
// E.
enum E {
  E_UNSPECIFIED = 0;
  // One.
  E_ONE = 1;
}
''', [(4, "E.E_UNSPECIFIED")]),
    ("uncommented oneof, map, nested, multi-line and one-line fields", '''syntax = "proto3";
// M: this comment is the message's.
message M {
  // The oneof's comment, not x's.
  oneof o {
    string x = 1;
  }
  map<string, string> m = 2;
  string y = 3 [
    deprecated = true
  ];
  // N.
  message N {
    int32 z = 1;
  }
  // -------------------------
  string w = 4;
  /* A block comment. */
  string v = 5;
  string s = 6 [json_name = "a//b"];
  string t = 7; string u = 8;  // Which one?
  // P.
  enum P { P_UNSPECIFIED = 0; P_ONE = 1; }
}
message One { string q = 1; }
''', [(6, "M.x"), (8, "M.m"), (9, "M.y"), (14, "M.N.z"), (17, "M.w"), (19, "M.v"), (20, "M.s"),
      (21, "M.t"), (21, "M.u"), (23, "M.P.P_UNSPECIFIED"), (23, "M.P.P_ONE"), (25, "One.q")]),
]


def self_test():
    """Returns a list of what went wrong; empty if the checker behaves."""
    failures = []
    decls, problems = check_text(GOOD)
    fields = sum(1 for d in decls if not d.is_enum_value)
    values = sum(1 for d in decls if d.is_enum_value)
    if problems:
        failures.append("the fully commented snippet failed: %s" % problems)
    if (fields, values) != (12, 5):
        failures.append("the fully commented snippet has 12 fields and 5 enum values, the checker found %d and %d: %s"
                        % (fields, values, [d.name for d in decls]))
    for name, snippet, expected in BAD:
        _, problems = check_text(snippet)
        found = []
        for line, message in problems:
            m = re.search(r"(?:field|value) (\S+) ", message)
            found.append((line, m.group(1) if m else message))
        if sorted(found) != sorted(expected):
            failures.append("the snippet with %s: expected failures %s, got %s" % (name, expected, found))
    for name, snippet in [("no closing brace", 'syntax = "proto3";\nmessage M {\n  // A.\n  string a = 1;\n'),
                          ("a statement without a name", 'syntax = "proto3";\nmessage M {\n  // A.\n  = 1;\n}\n')]:
        try:
            check_text(snippet)
            failures.append("a snippet with %s parsed without error" % name)
        except ParseError:
            pass
    return failures


def main(argv):
    args = argv[1:]
    only_self_test = "--self-test" in args
    args = [a for a in args if a != "--self-test"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: %s [--self-test] [repo root]" % argv[0], file=sys.stderr)
        return 2

    failures = self_test()
    if failures:
        print("SELF-TEST FAILED: the checker itself is wrong:", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print("self-test: %d snippets behave as expected" % (1 + len(BAD)))
    if only_self_test:
        return 0

    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    top = os.path.join(root, PROTO_DIR)
    paths = []
    for directory, subdirs, files in os.walk(top):
        subdirs.sort()
        paths.extend(os.path.join(directory, f) for f in sorted(files) if f.endswith(".proto"))
    if not paths:
        print("no .proto files under %s" % top, file=sys.stderr)
        return 1

    fields = values = 0
    problems = []
    for path in paths:
        shown = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            decls, found = check_text(text)
        except ParseError as e:
            problems.append("%s:%d: cannot parse: %s" % (shown, e.line, e.message))
            continue
        fields += sum(1 for d in decls if not d.is_enum_value)
        values += sum(1 for d in decls if d.is_enum_value)
        problems.extend("%s:%d: %s" % (shown, line, message) for line, message in found)

    for p in problems:
        print(p)
    print("checked %d fields and %d enum values in %d files" % (fields, values, len(paths)))
    if problems:
        print("FAILED: %d without a comment that says what it means to a newsroom (issue 2)" % len(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
