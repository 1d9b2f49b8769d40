"""Runs the official, unmodified `hubspot-api-client` against a running tally-sandbox.

Usage: python hubspot_client_test.py http://127.0.0.1:PORT REDIRECT_URI

Obtains a token through the real OAuth flow (authorize -> code -> token) with plain HTTP,
then uses the official client to page calls, search meetings by hs_timestamp, read owners
(active and archived), one deal's associations and the deal property definitions, and
compares everything with the sandbox's truth
(control API). Prints `N passed, N failed` last and exits non-zero on any failure.
"""

import json
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request

from hubspot import HubSpot
from hubspot.crm.objects.meetings import Filter, FilterGroup, PublicObjectSearchRequest
from hubspot.utils.signature import Signature

BASE = sys.argv[1].rstrip("/")
REDIRECT = sys.argv[2]
CLIENT_ID = "sandbox-hubspot-client"
CLIENT_SECRET = "sandbox-hubspot-secret"
SCOPES = "oauth crm.objects.contacts.read crm.objects.deals.read crm.objects.owners.read"

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def http_json(url, data=None, method=None):
    req = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read().decode())


def oauth_token():
    q = urllib.parse.urlencode(
        {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": SCOPES, "state": "conformance"}
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"{BASE}/hubspot/oauth/authorize?{q}")
        raise RuntimeError("authorize did not redirect")
    except urllib.error.HTTPError as e:
        if e.code not in (302, 303, 307):
            raise
        location = e.headers["Location"]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    check("authorize redirects to the registered URI", location.startswith(REDIRECT), location)
    check("authorize echoes state", params.get("state") == "conformance", str(params))
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT,
            "code": params["code"],
        }
    ).encode()
    tok = http_json(f"{BASE}/hubspot/oauth/v1/token", data=body)
    check("token response shape", tok.get("token_type") == "bearer" and tok.get("expires_in") == 1800, str(tok.keys()))
    return tok["access_token"]


def truth(path):
    return http_json(f"{BASE}/_sandbox/{path}")


def main():
    token = oauth_token()
    client = HubSpot(access_token=token, host=f"{BASE}/hubspot")

    # Page through every call with the official client.
    ids = []
    after = None
    pages = 0
    while True:
        kwargs = {"limit": 100, "properties": ["hs_timestamp", "hs_call_direction", "hs_call_disposition"]}
        if after:
            kwargs["after"] = after
        page = client.crm.objects.calls.basic_api.get_page(**kwargs)
        pages += 1
        for r in page.results:
            ids.append(r.id)
        if page.paging is None or page.paging.next is None:
            break
        after = page.paging.next.after
    truth_calls = truth("truth/hubspot/calls")["results"]
    truth_ids = [r["id"] for r in truth_calls if not r["archived"]]
    check("calls paged", pages > 1, f"pages={pages}")
    check("every call exactly once", sorted(ids) == sorted(truth_ids) and len(set(ids)) == len(ids),
          f"got {len(ids)} want {len(truth_ids)}")
    first = client.crm.objects.calls.basic_api.get_page(limit=1, properties=["hs_call_direction"]).results[0]
    check("properties are strings", isinstance(first.properties.get("hs_call_direction"), str), str(first.properties))
    check("unrequested properties absent", "hs_call_body" not in first.properties, str(first.properties))

    # Search meetings by hs_timestamp range.
    meetings = truth("truth/hubspot/meetings")["results"]
    stamps = sorted(m["properties"]["hs_timestamp"] for m in meetings)
    lo, hi = stamps[len(stamps) // 4], stamps[len(stamps) * 3 // 4]
    to_ms = lambda s: str(int(__import__("datetime").datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000))
    expected = sorted(m["id"] for m in meetings if lo <= m["properties"]["hs_timestamp"] <= hi)
    found = []
    after = None
    total = None
    while True:
        req = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=[Filter(property_name="hs_timestamp", operator="BETWEEN", value=to_ms(lo), high_value=to_ms(hi))])],
            sorts=[{"propertyName": "hs_timestamp", "direction": "ASCENDING"}],
            properties=["hs_timestamp", "hs_meeting_outcome"],
            limit=50,
            after=after,
        )
        res = client.crm.objects.meetings.search_api.do_search(public_object_search_request=req)
        total = res.total
        found.extend(r.id for r in res.results)
        if res.paging is None or res.paging.next is None:
            break
        after = res.paging.next.after
    check("search total matches truth", total == len(expected), f"{total} vs {len(expected)}")
    check("search results match truth", sorted(found) == expected, f"{len(found)} vs {len(expected)}")

    # Owners.
    owners = client.crm.owners.owners_api.get_page(limit=100).results
    truth_owners = [o for o in truth("truth/owners")["results"] if not o["archived"]]
    check("owners match truth", sorted(o.email for o in owners) == sorted(o["email"] for o in truth_owners),
          f"{[o.email for o in owners]}")
    # Calls are owned by active owners, by the archived former rep (listed with archived=true),
    # by an id the owner list never returns, or by "" (the sandbox's untidy shapes).
    archived = client.crm.owners.owners_api.get_page(limit=100, archived=True).results
    call_owners = {c["properties"].get("hubspot_owner_id") for c in truth_calls}
    unknown = call_owners - {o.id for o in owners} - {o.id for o in archived}
    check("owner ids are hubspot_owner_id values", unknown == {"88888888", ""}, str(unknown))
    check("archived former rep listed with archived=true",
          [o.id for o in archived] == ["69999901"] and "69999901" in call_owners
          and archived[0].user_id is None, str([(o.id, o.user_id) for o in archived]))

    # One deal's associations (v4).
    deal = next(d for d in truth("truth/hubspot/deals")["results"] if d["associations"].get("contacts"))
    assoc = client.crm.associations.v4.basic_api.get_page(object_type="deals", object_id=deal["id"], to_object_type="contacts")
    got = sorted(str(a.to_object_id) for a in assoc.results)
    check("deal associations match truth", got == sorted(deal["associations"]["contacts"]), f"{got}")
    check("association type ids", all(t.type_id == 3 for a in assoc.results for t in a.association_types))

    # Deal read through the official client.
    d = client.crm.deals.basic_api.get_by_id(deal_id=deal["id"], properties=["amount", "dealstage", "pipeline"])
    check("deal read matches truth", d.properties.get("dealstage") == deal["properties"]["dealstage"], str(d.properties))

    # Property definitions, deserialized (and validated) by the client's Property model.
    props = client.crm.properties.core_api.get_all(object_type="deals").results
    by_name = {p.name: p for p in props}
    stored = {k for d in truth("truth/hubspot/deals")["results"] for k in d["properties"]}
    check("every stored deal property is defined", stored <= set(by_name), str(stored - set(by_name)))
    check("custom mrr properties are not hubspot-defined",
          by_name["mrr"].hubspot_defined is False and by_name["monthly_recurring_revenue"].hubspot_defined is False
          and by_name["amount"].hubspot_defined is True and by_name["mrr"].type == "number",
          str(by_name.get("mrr")))
    outcome = client.crm.properties.core_api.get_by_name(object_type="meetings", property_name="hs_meeting_outcome")
    check("single property read", outcome.type == "enumeration" and "COMPLETED" in [o.value for o in outcome.options])

    # Errors surface as the client's ApiException with HubSpot's shape.
    bad = HubSpot(access_token="invalid", host=f"{BASE}/hubspot")
    try:
        bad.crm.objects.calls.basic_api.get_page(limit=1)
        check("bad token rejected", False)
    except Exception as e:  # hubspot.crm.objects.calls.ApiException
        body = json.loads(getattr(e, "body", "{}") or "{}")
        check("bad token rejected with 401", getattr(e, "status", None) == 401 and body.get("category") == "INVALID_AUTHENTICATION", str(e))

    # A webhook the sandbox sends verifies with the official v3 helper.
    import http.server
    import threading
    import time

    received = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            received.append((self.path, dict(self.headers), self.rfile.read(n).decode()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{srv.server_port}/hubspot-hook"
    req = urllib.request.Request(f"{BASE}/_sandbox/webhooks", data=json.dumps({"hubspot_url": hook_url}).encode(),
                                 method="PUT", headers={"content-type": "application/json"})
    urllib.request.urlopen(req).read()
    contact = truth("truth/hubspot/contacts")["results"][0]["id"]
    req = urllib.request.Request(
        f"{BASE}/_sandbox/hubspot/notes",
        data=json.dumps({"properties": {"hs_timestamp": "2026-01-01T12:00:00Z", "hs_note_body": "Spoke with the owner"},
                         "associations": [{"type": "contacts", "id": contact}]}).encode(),
        method="POST", headers={"content-type": "application/json"})
    created = json.loads(urllib.request.urlopen(req).read().decode())
    for _ in range(100):
        if received:
            break
        time.sleep(0.05)
    srv.shutdown()
    check("webhook delivered", len(received) == 1, str(received))
    if received:
        _, headers, body = received[0]
        h = {k.lower(): v for k, v in headers.items()}
        ok = Signature.is_valid(signature=h.get("x-hubspot-signature-v3", ""), client_secret=CLIENT_SECRET,
                                request_body=body, http_uri=hook_url, http_method="POST",
                                signature_version="v3", timestamp=h.get("x-hubspot-request-timestamp"))
        check("webhook v3 signature valid per hubspot.utils.signature", ok, str(h))
        events = json.loads(body)
        check("webhook event shape", events[0]["subscriptionType"] == "object.creation"
              and str(events[0]["objectId"]) == created["id"] and events[0]["objectTypeId"] == "0-46", body)
    # The new note is visible through the official client.
    note = client.crm.objects.notes.basic_api.get_by_id(note_id=created["id"], properties=["hs_note_body"])
    check("created note readable", note.properties.get("hs_note_body") == "Spoke with the owner", str(note.properties))

if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
