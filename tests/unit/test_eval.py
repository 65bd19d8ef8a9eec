"""The evaluation harness types its test collections' queries into the product as words, never as query
syntax. The harness itself, run on a tiny collection: tests/system/test_eval.py."""

from evaluation.product import typed_query


def test_typed_queries_have_no_query_syntax():
    assert typed_query("WHAT IS (AERO)ELASTIC? NOT \"X\" -Y U.S. 1.5") == \
        "what is  aero elastic  not  x   y u.s  1.5"
