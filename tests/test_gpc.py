"""Global Privacy Control: Sec-GPC: 1 is an objection to profiling, recorded once (Art. 21(5))."""

from tests.support.pages import events, link_for, state, submit, world

GPC = {"Sec-GPC": "1"}


def test_gpc_header_records_an_objection_to_profiling_once(client, make):
    c, s, p = world(make)
    token = link_for(c, s, locale="en")
    assert state(s, p["profile"]).reachable
    page = client.get(f"/preferences/{token}", headers=GPC)
    assert page.status_code == 200
    assert "Global Privacy Control" in page.get_data(True)
    [objection] = events(s, kind="objection_recorded")
    assert objection.source == "gpc" and objection.purpose_id == p["profile"].id
    assert not state(s, p["profile"]).reachable
    assert state(s, p["offers"]).reachable  # marketing is not profiling
    client.get(f"/preferences/{token}", headers=GPC)
    assert len(events(s, kind="objection_recorded")) == 1


def test_no_signal_records_nothing(client, make):
    c, s, p = world(make)
    count = len(events(s))
    page = client.get(f"/preferences/{link_for(c, s, locale='en')}", headers={"Sec-GPC": "0"})
    assert "Global Privacy Control" not in page.get_data(True)
    assert len(events(s)) == count


def test_a_later_choice_on_the_page_is_not_overruled_by_the_signal(client, make):
    c, s, p = world(make)
    token = link_for(c, s, locale="en")
    client.get(f"/preferences/{token}", headers=GPC)
    submit(client, token, {"keep-profile-email": "on"})
    assert state(s, p["profile"]).reachable
    client.get(f"/preferences/{token}", headers=GPC)
    assert state(s, p["profile"]).reachable
    assert len(events(s, source="gpc")) == 1
