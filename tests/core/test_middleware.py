from tests.conftest import ApiClient


def test_nul_characters_are_refused_with_a_reason(api: ApiClient) -> None:
    r = api.get("/conversations", q="a\x00b")
    assert r.status_code == 400 and "NUL" in r.json()["detail"]
    r = api.post("/teams", {"name": "a\u0000b"})
    assert r.status_code == 400
    assert api.get("/conversations", q="ab").status_code == 200
