"""The access report a customer reads: their language, human dates and names, the art. 15
information from the policy, what each detail was used for, the art. 20 portability file,
and a layout that fits a phone and a desktop in a real headless Chromium."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.rights.conftest import ALICE, add_conversations, verified

from discreet.audit import AccessContext
from discreet.policy import Policy
from discreet.rights import RequestKind, RightsService
from discreet.rights.report import portability, render_report, report_language
from discreet.rights.report_texts import LANGUAGES, NAMES, TEXTS

LONG_EMAIL = "marieke.van.oosterhout-de-groot-van-der-linden.klantenservice@voorbeeld-bedrijf.nl"


def _archive(rights: RightsService, officer: AccessContext) -> dict[str, Any]:
    rights.vault.update_fields(ALICE, {"email": LONG_EMAIL}, ctx=officer)
    add_conversations(rights.vault, ALICE, officer, 2)
    request = verified(rights, ALICE, RequestKind.ACCESS, officer)
    done = rights.execute(request.id, ALICE, ctx=officer)
    assert done.archive is not None
    with zipfile.ZipFile(io.BytesIO(done.archive)) as zf:
        return {
            "data": json.loads(zf.read("subject.json")),
            "page": zf.read("index.html").decode(),
            "portable": json.loads(zf.read("portability.json")),
        }


def test_every_language_has_every_label() -> None:
    for language in LANGUAGES:
        assert set(TEXTS[language]) == set(TEXTS["en"]), language
        assert set(NAMES[language]) == set(NAMES["en"]), language


def test_the_report_is_readable_and_carries_the_art_15_information(
    rights: RightsService, officer: AccessContext, policy: Policy
) -> None:
    page = _archive(rights, officer)["page"]
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Reference CUST-48213" in text  # the customer's own reference, not the pseudonym
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", page)  # no raw timestamps
    assert "True" not in text and "False" not in text
    assert "E-mail address" in text and "email" not in re.sub(r"\S+@\S+", "", text)
    for name, spec in policy.purposes.items():
        assert spec.legal_basis.value not in re.sub(r"\S+@\S+", "", text) or name
    assert "Why we process your data" in text and "Contract" in text
    assert "Who receives it" in text and "How long we keep it" in text
    assert "Where it comes from" in text
    assert "complaint with a data protection supervisory authority" in text
    assert "Marieke van Oosterhout" in text  # conversations readable with their maps


def test_details_are_marked_by_what_they_were_used_for(
    rights: RightsService, officer: AccessContext, policy: Policy
) -> None:
    data = _archive(rights, officer)["data"]
    records = [
        {"ts": "2027-01-30T14:00:00+00:00", "actor": "support", "actor_kind": "assistant",
         "action": "subject.read", "purpose": "customer_support", "outcome": "ok",
         "fields": ["email", "iban"], "details": {"detection_only_fields": "iban"}},
        {"ts": "2027-01-30T14:00:01+00:00", "actor": "support", "actor_kind": "assistant",
         "action": "gateway.turn", "purpose": "customer_support", "outcome": "ok",
         "fields": ["email"], "details": {}},
    ]  # fmt: skip
    page = render_report({**data, "audit_records": records}, policy=policy, language="en")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"<tr><td[^>]*>([^<]+)</td>(.*?)</tr>", page, re.DOTALL)
    }
    assert "Given to the support assistant as a placeholder" in rows["E-mail address"]
    assert "the assistant did not see it" in rows["Bank account (IBAN)"]
    assert "Given to the support assistant" not in rows["Bank account (IBAN)"]


@pytest.mark.parametrize(
    ("language", "heading", "month"),
    [("nl", "Uw gegevens", "januari"), ("de", "Ihre Angaben", "Januar"),
     ("fr", "Vos données", "janvier"), ("en", "Your details", "January")],
)  # fmt: skip
def test_the_report_speaks_the_customers_language(
    rights: RightsService, officer: AccessContext, language: str, heading: str, month: str
) -> None:
    data = _archive(rights, officer)["data"]
    page = render_report(data, language=language)
    assert f'<html lang="{language}">' in page
    assert heading in page and month in page


def test_the_language_is_that_of_the_customers_own_messages() -> None:
    def data(text: str) -> dict[str, Any]:
        return {"conversations": [{"messages": [{"role": "user", "text": text}]}]}

    assert report_language(data("Hallo, waar blijft mijn bestelling? Ik wacht al lang.")) == "nl"
    assert (
        report_language(data("Bonjour, où est ma commande ? J'attends depuis longtemps.")) == "fr"
    )
    assert report_language({"conversations": []}) == "en"


def test_portability_holds_what_the_customer_provided(
    rights: RightsService, officer: AccessContext
) -> None:
    archive = _archive(rights, officer)
    portable = archive["portable"]
    assert portable == portability(archive["data"])
    assert portable["format"] == "discreet.portability/1"
    assert portable["details"]["email"] == LONG_EMAIL
    assert portable["messages"] and all("[PERSON_1]" not in m["text"] for m in portable["messages"])
    assert "Thanks" not in json.dumps(portable)  # the assistant's answers are not theirs
    assert "audit_records" not in portable


# Measured inside the page, written onto the host page that --dump-dom prints.
_MEASURE = """<script>
(() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(
      e => e.getBoundingClientRect().right > width + 1).map(e => e.tagName);
  parent.document.body.setAttribute('data-overflow',
      JSON.stringify({scroll: document.documentElement.scrollWidth, width, wide}));
})();
</script></body>"""


def _host(page: str, width: int) -> str:
    """The report in an iframe exactly `width` px wide: headless Chromium will not make a
    window narrower than 500 px, and the iframe is the viewport its media queries see."""
    inner = html.escape(page.replace("</body>", _MEASURE), quote=True)
    return (
        "<!doctype html><html><body style='margin:0'>"
        f"<iframe srcdoc=\"{inner}\" style='width:{width}px;height:900px;border:0'></iframe>"
        "</body></html>"
    )


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium is needed (Debian package `chromium`, see .ci/run)")
    return found


@pytest.mark.parametrize("width", [375, 1280])
def test_nothing_overflows_on_a_phone_or_a_desktop(
    rights: RightsService, officer: AccessContext, tmp_path: Path, width: int
) -> None:
    page = _archive(rights, officer)["page"]
    path = tmp_path / "index.html"
    path.write_text(_host(page, width), encoding="utf-8")
    dom = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1400,1000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    found = re.search(r"data-overflow=\"([^\"]+)\"", dom)
    assert found is not None, "the page did not render"
    measured = json.loads(found.group(1).replace("&quot;", '"'))
    assert measured["width"] == width
    assert measured["scroll"] <= width, measured
    assert measured["wide"] == [], measured
