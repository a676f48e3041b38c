from tests.conftest import ApiClient, inbound


def test_inbound_is_idempotent(api: ApiClient) -> None:
    first = api.post("/inbound", inbound("abc"))
    assert first.status_code == 202, first.content
    again = api.post("/inbound", inbound("abc"))
    assert again.status_code == 202
    assert again.json()["message_id"] == first.json()["message_id"]
    assert again.json()["duplicate"] is True
