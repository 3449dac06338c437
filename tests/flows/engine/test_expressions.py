import datetime as dt

import pytest

from apps.flows.engine.expressions import ExpressionError, ExpressionSecurityError, build_scope, check_syntax, evaluate

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def scope(item=None):
    return build_scope(
        item=item if item is not None else {"name": "김민지", "amount": 1200, "items": [1, 2], "nested": {"x": 1}},
        item_index=0,
        node_outputs={"Webhook": {"json": {"body": {"email": "a@b.example"}}}},
        run={"id": 42},
        flow={"name": "Daily"},
        variables={"region": "Seoul"},
        now=NOW,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ json.amount * 2 }}", 2400),
        ("{{ json.name }}", "김민지"),
        ("Hello {{ json.name }}, you owe {{ json.amount }}원", "Hello 김민지, you owe 1200원"),
        ("{{ json.items }}", [1, 2]),  # a field named like a dict method wins
        ("{{ json.nested }}", {"x": 1}),
        ("data: {{ json.nested }}", 'data: {"x": 1}'),
        ("{{ nodes['Webhook'].json.body.email }}", "a@b.example"),
        ("{{ run.id }}-{{ flow.name }}-{{ vars.region }}", "42-Daily-Seoul"),
        ("{{ now().strftime('%Y-%m-%d %H:%M') }}", "2026-11-25 09:30"),
        ("{{ (today() + days(7)).isoformat() }}", "2026-12-02"),
        ("{{ json.name | length }}", 3),
        ("{{ json.missing is defined }}", False),
        ("{{ json.get('missing', 'fallback') }}", "fallback"),
        ("{{ 'a,b,c'.split(',') | join('-') | upper }}", "A-B-C"),
        ("{{ json.amount > 1000 and json.name.startswith('김') }}", True),
        ("{{ 2 ** 10 }}", 1024),
        ("{{ from_json('{\"k\": [1]}').k[0] }}", 1),
    ],
)
def test_expressions_evaluate(text, expected):
    assert evaluate(text, scope()) == expected


def test_values_without_expressions_are_untouched_and_nested_values_resolve():
    assert evaluate(123, scope()) == 123
    assert evaluate({"a": ["{{ json.amount }}", "plain"]}, scope()) == {"a": [1200, "plain"]}


ESCAPES = [
    "{{ json.__class__ }}",
    "{{ json.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ now.__globals__ }}",
    "{{ now().__class__ }}",
    "{{ days.__globals__['__builtins__'] }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ config }}",
    "{{ request }}",
    "{{ json | attr('__class__') }}",
    "{{ json | attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ '{0.__class__.__mro__}'.format(json) }}",
    "{{ '{0.__globals__}'.format(now) }}",
    "{{ '%s' % json }}",
    "{{ json.items.__self__ }}",
    "{{ json.get.__self__.__class__ }}",
    "{{ ''.join.__self__ }}",
    "{{ range.__self__ }}",
    "{{ dict.mro() }}",
    "{{ dict.__subclasses__() }}",
    "{{ json.keys().__iter__ }}",
    "{{ json | map('attr', '__class__') | list }}",
    "{{ json.name.encode('utf-8') }}",
    "{{ import('os') }}",
    "{{ __import__('os').system('id') }}",
    "{{ open('/etc/passwd').read() }}",
    "{{ globals() }}",
    "{{ getattr(json, '__class__') }}",
    "{{ eval('1+1') }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_escape_payloads_are_refused_with_a_clear_error(payload):
    with pytest.raises(ExpressionError) as exc_info:
        evaluate(payload, scope())
    assert exc_info.value.message
    assert "/bin" not in exc_info.value.message and "root:" not in exc_info.value.message


RESOURCE_BOMBS = [
    "{{ range(10**9) | list }}",
    "{{ range(100000) | list | length * 'x' * 1000000 }}",
    "{{ 'x' * 10**9 }}",
    "{{ [1] * 10**8 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ 10 ** 100000 }}",
    "{{ 'x'.center(10**9) }}",
    "{{ 'x'.ljust(999999999) }}",
    "{{ 'x' | center(10**9) }}",
    "{{ 'x' | indent(10**9) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ 'ab' | replace('a', 'a' * 100000) | replace('a', 'a' * 100000) }}",
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "{{ " + "[" * 2000 + "]" * 2000 + " }}",
    "{{ json.name" + " ~ json.name" * 2000 + " }}",
    "{{ 'a' * 100000 ~ 'b' }}" * 1,
]


@pytest.mark.parametrize("payload", RESOURCE_BOMBS)
def test_resource_bombs_are_refused_quickly(payload):
    import time

    started = time.perf_counter()
    try:
        value = evaluate(payload, scope())
    except ExpressionError:
        value = None
    assert time.perf_counter() - started < 2.0
    assert value is None or len(str(value)) <= 1_000_001


def test_undefined_names_and_syntax_errors_are_clear():
    with pytest.raises(ExpressionError) as exc_info:
        evaluate("{{ nope.x }}", scope())
    assert exc_info.value.code == "undefined"
    with pytest.raises(ExpressionError) as exc_info:
        evaluate("{{ json.amount + }}", scope())
    assert exc_info.value.code == "syntax_error"
    assert check_syntax("{{ json.a }} and {{ json.b + }}") and not check_syntax("{{ json.a }}")
    assert check_syntax("{{ json.a ")


def test_security_errors_are_marked_as_such():
    with pytest.raises(ExpressionSecurityError):
        evaluate("{{ json.__class__ }}", scope())


def test_a_missing_field_names_the_field_and_the_fields_that_exist_not_python():
    with pytest.raises(ExpressionError) as exc_info:
        evaluate("{{ json.body.amount }}", scope({"name": "Kim", "amount": 12000}))
    error = exc_info.value
    assert error.code == "missing_field"
    assert error.message == "The previous step's result has no 'body' field. Fields it has: name, amount"
    assert "dict object" not in error.message and "attribute" not in error.message
    assert error.translatable["values"] == {"field": "body", "fields": "name, amount"}

    with pytest.raises(ExpressionError, match="no 'body' field: it is empty"):
        evaluate("{{ json.body.amount * 2 }}", scope({}))
    with pytest.raises(ExpressionError, match="There is no 'phone' field here. Fields there are: x"):
        evaluate("{{ json.nested.phone | upper }}", scope())
    many = {f"f{i}": i for i in range(20)}
    with pytest.raises(ExpressionError, match=r"f11 … \(\+8\)"):
        evaluate("{{ json.body.x }}", scope(many))
    assert evaluate("{{ json.body }}", scope({"name": "Kim"})) is None  # a missing field alone is still simply empty


def test_the_missing_field_message_is_translated(settings):
    from django.utils import translation

    from apps.flows.error_text import engine_error_text

    with pytest.raises(ExpressionError) as exc_info:
        evaluate("{{ json.body.amount }}", scope({"name": "Kim", "amount": 12000}))
    with translation.override("ko"):
        text = engine_error_text(exc_info.value.message, exc_info.value.translatable)
    assert text == "이전 단계의 결과에 'body' 항목이 없습니다. 있는 항목: name, amount"
