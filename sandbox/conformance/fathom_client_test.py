"""Runs the official, unmodified `fathom-python` SDK against a running tally-sandbox.

Usage: python fathom_client_test.py http://127.0.0.1:PORT REDIRECT_URI

Obtains a token through the real OAuth flow, pages every meeting with the SDK (which
validates responses against its pydantic models) and compares with the sandbox's truth.
Prints `N passed, N failed` last and exits non-zero on any failure.
"""

import json
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request

from fathom_python import Fathom, models

BASE = sys.argv[1].rstrip("/")
REDIRECT = sys.argv[2]
passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS fathom: {name}")
    else:
        failed += 1
        print(f"FAIL fathom: {name} {detail}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def token():
    q = urllib.parse.urlencode({"client_id": "sandbox-fathom-client", "redirect_uri": REDIRECT,
                                "scope": "public_api", "response_type": "code", "state": "c"})
    try:
        urllib.request.build_opener(NoRedirect).open(f"{BASE}/fathom/external/v1/oauth2/authorize?{q}")
        raise RuntimeError("no redirect")
    except urllib.error.HTTPError as e:
        location = e.headers["Location"]
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "client_id": "sandbox-fathom-client",
                                   "client_secret": "sandbox-fathom-secret", "redirect_uri": REDIRECT,
                                   "code": code}).encode()
    tok = json.loads(urllib.request.urlopen(f"{BASE}/fathom/external/v1/oauth2/token", body).read())
    check("token response", tok.get("scope") == "public_api" and "refresh_token" in tok, str(tok.keys()))
    return tok["access_token"]


def main():
    f = Fathom(security=models.Security(bearer_auth=token()), server_url=f"{BASE}/fathom/external/v1")
    truth = json.loads(urllib.request.urlopen(f"{BASE}/_sandbox/truth/fathom/meetings").read())["results"]
    ids = []
    page = f.list_meetings()
    while page is not None:
        ids.extend(m.recording_id for m in page.result.items)
        page = page.next()
    check("every meeting exactly once", sorted(ids) == sorted(m["recording_id"] for m in truth),
          f"{len(ids)} vs {len(truth)}")
    owners = {o["email"] for o in json.loads(urllib.request.urlopen(f"{BASE}/_sandbox/truth/owners").read())["results"]}
    first = f.list_meetings().result.items[0]
    check("recorded_by is a HubSpot owner", first.recorded_by.email in owners, first.recorded_by.email)
    try:
        f.list_meetings(include_transcript=True)
        check("OAuth include_transcript refused", False)
    except Exception as e:  # fathom_python.errors.APIError
        check("OAuth include_transcript refused", getattr(e, "status_code", None) == 400, repr(e))
    t = f.get_recording_transcript(recording_id=first.recording_id)
    check("transcript via recordings endpoint", len(t.transcript) > 0)
    s = f.get_recording_summary(recording_id=first.recording_id)
    check("summary via recordings endpoint", bool(s.summary.markdown_formatted))
    users = f.list_users().result.items
    check("users list the team", {u.email for u in users} <= owners and len(users) > 0)
    check("teams", f.list_teams().result.items[0].name == "Sales")


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
