#!/usr/bin/env python3
"""Runs Airbyte's HubSpot source (airbyte-source-hubspot, unmodified on disk)
against the Tally sandbox instead of https://api.hubapi.com.

Usage (from the bench venv):
    PEER_HUBSPOT_BASE=http://127.0.0.1:PORT/hubspot \
    PEER_PROPERTIES=properties.json \
    python run_airbyte.py read --config config.json --catalog catalog.json

How it is pointed at the sandbox (see bench/README.md):
  * The connector hard-codes https://api.hubapi.com in its manifest and Python
    streams; it has no base-URL option. Every HTTP request of the connector and
    of airbyte-cdk goes through requests' HTTPAdapter.send, so this wrapper
    patches that one method in memory: a URL starting with
    https://api.hubapi.com is rewritten to PEER_HUBSPOT_BASE + the same path and
    query. Nothing else about the request (method, headers, body, retries,
    back-off, concurrency) changes.
  * Two adaptations for what the sandbox does not serve, both documented:
      - the legacy /properties/v2/{entity}/properties (used to learn which
        properties exist) is answered from the sandbox's
        /crm/v3/properties/{entity} (one real, rate-limited request, as on
        HubSpot), extended with the properties the sandbox generates for that
        object (PEER_PROPERTIES), in the v2 list shape;
      - association types the sandbox does not model (tickets) are dropped from
        the `associations` query parameter (HubSpot would return none);
      - GET /crm/v3/schemas (custom objects, read at start-up to build dynamic
        streams) is sent to the sandbox, which has no such route; its 404 is
        answered as HubSpot answers a portal without custom objects:
        {"results": []}.
"""

import json
import os
import re
import sys
from urllib.parse import parse_qsl, urlencode

import requests.adapters

ORIGIN = "https://api.hubapi.com"
BASE = os.environ["PEER_HUBSPOT_BASE"].rstrip("/")
with open(os.environ["PEER_PROPERTIES"], encoding="utf-8") as f:
    PROPERTIES = json.load(f)
SUPPORTED_ASSOCIATIONS = {"contacts", "companies", "deals", "calls", "meetings", "notes", "emails", "tasks"}
V2_PROPERTIES = re.compile(r"^/properties/v2/([^/]+)/properties$")
PLURAL = {"company": "companies", "contact": "contacts", "deal": "deals", "call": "calls", "meeting": "meetings"}

_send = requests.adapters.HTTPAdapter.send


def _v2_shape(entity, response):
    defined = {d["name"]: d for d in response.json().get("results", [])}
    names = list(PROPERTIES.get(PLURAL.get(entity, entity), [])) + [n for n in defined if n not in PROPERTIES.get(PLURAL.get(entity, entity), [])]
    out = []
    for name in names:
        d = defined.get(name, {})
        out.append({
            "name": name,
            "label": d.get("label", name),
            "type": d.get("type", "datetime" if name.endswith("date") or name.endswith("_time") or name == "hs_timestamp" else "string"),
            "fieldType": d.get("fieldType", "text"),
            "groupName": d.get("groupName", "sandbox"),
            "options": d.get("options", []),
        })
    return out


def send(self, request, *args, **kwargs):
    url = request.url
    if not url.startswith(ORIGIN):
        return _send(self, request, *args, **kwargs)
    rest = url[len(ORIGIN):]
    path, _, query = rest.partition("?")
    m = V2_PROPERTIES.match(path)
    if m:
        entity = m.group(1)
        request.url = f"{BASE}/crm/v3/properties/{entity}"
        response = _send(self, request, *args, **kwargs)
        if response.status_code == 200:
            response._content = json.dumps(_v2_shape(entity, response)).encode()
        return response
    if path == "/crm/v3/schemas":
        request.url = BASE + rest
        response = _send(self, request, *args, **kwargs)
        if response.status_code == 404:
            response.status_code = 200
            response._content = b'{"results": []}'
            response.headers["Content-Type"] = "application/json"
        return response
    if query:
        pairs = []
        for k, v in parse_qsl(query, keep_blank_values=True):
            if k == "associations":
                v = ",".join(a for a in v.split(",") if a in SUPPORTED_ASSOCIATIONS)
                if not v:
                    continue
            pairs.append((k, v))
        query = urlencode(pairs, safe=",")
    request.url = BASE + path + ("?" + query if query else "")
    return _send(self, request, *args, **kwargs)


requests.adapters.HTTPAdapter.send = send

if __name__ == "__main__":
    from source_hubspot.run import run

    sys.argv = ["source-hubspot"] + sys.argv[1:]
    run()
