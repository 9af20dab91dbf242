"""Draft breach notifications from templates, in English, Dutch, German and French.

* To the supervisory authority (art. 33(3)): (a) the nature of the breach with the
  categories and approximate number of subjects, (b) the contact point, (c) the likely
  consequences, (d) the measures taken or proposed; plus, when late, the reasons for the
  delay (art. 33(1)).
* To the customers affected (art. 34(2)): the same (b)-(d) in clear and plain language.

A draft is filled with the register's facts (kind, categories, counts, times); what only a
person can say (consequences, measures, contact) is left as a visible ``[TO COMPLETE: ...]``
marker, so a draft cannot be sent by accident as if it were finished. Drafts name no
subject: the customer letter is addressed generically and a mail merge adds the address.
"""

from __future__ import annotations

from datetime import datetime
from string import Template

from discreet.errors import InvalidInput
from discreet.ops.incidents import Incident, zone

LANGUAGES = ("en", "nl", "de", "fr")
TODO = "[TO COMPLETE: {}]"

_KIND = {
    "en": {
        "confidentiality": "a confidentiality breach (personal data disclosed to "
        "someone not entitled to it)",
        "integrity": "an integrity breach (personal data altered without authorisation)",
        "availability": "an availability breach (personal data lost or inaccessible)",
    },
    "nl": {
        "confidentiality": "een inbreuk op de vertrouwelijkheid (persoonsgegevens "
        "verstrekt aan iemand die er geen recht op had)",
        "integrity": "een inbreuk op de integriteit (persoonsgegevens zonder "
        "toestemming gewijzigd)",
        "availability": "een inbreuk op de beschikbaarheid (persoonsgegevens "
        "verloren of ontoegankelijk)",
    },
    "de": {
        "confidentiality": "eine Verletzung der Vertraulichkeit (personenbezogene Daten "
        "an Unbefugte offengelegt)",
        "integrity": "eine Verletzung der Integrität (personenbezogene Daten unbefugt verändert)",
        "availability": "eine Verletzung der Verfügbarkeit (personenbezogene Daten "
        "verloren oder nicht zugänglich)",
    },
    "fr": {
        "confidentiality": "une atteinte à la confidentialité (données personnelles "
        "divulguées à une personne non autorisée)",
        "integrity": "une atteinte à l'intégrité (données personnelles modifiées "
        "sans autorisation)",
        "availability": "une atteinte à la disponibilité (données personnelles "
        "perdues ou inaccessibles)",
    },
}

_AUTHORITY = {
    "en": """Notification of a personal data breach (GDPR article 33)
Reference: $id

1. Nature of the breach
We became aware on $aware of $kind.
Data categories concerned: $categories.
Approximate number of data subjects concerned: $subjects.
Timeline: $timeline

2. Contact point
$contact

3. Likely consequences
$consequences

4. Measures taken or proposed
$measures
$delay""",
    "nl": """Melding van een datalek (AVG artikel 33)
Kenmerk: $id

1. Aard van de inbreuk
Wij zijn op $aware op de hoogte geraakt van $kind.
Betrokken categorieën persoonsgegevens: $categories.
Geschat aantal betrokkenen: $subjects.
Tijdlijn: $timeline

2. Contactpunt
$contact

3. Waarschijnlijke gevolgen
$consequences

4. Genomen of voorgestelde maatregelen
$measures
$delay""",
    "de": """Meldung einer Verletzung des Schutzes personenbezogener Daten (DSGVO Artikel 33)
Aktenzeichen: $id

1. Art der Verletzung
Wir haben am $aware Kenntnis erlangt von $kind.
Betroffene Datenkategorien: $categories.
Ungefähre Zahl der betroffenen Personen: $subjects.
Zeitlicher Ablauf: $timeline

2. Anlaufstelle
$contact

3. Wahrscheinliche Folgen
$consequences

4. Ergriffene oder vorgeschlagene Maßnahmen
$measures
$delay""",
    "fr": """Notification d'une violation de données à caractère personnel (RGPD article 33)
Référence : $id

1. Nature de la violation
Nous avons pris connaissance le $aware d'$kind.
Catégories de données concernées : $categories.
Nombre approximatif de personnes concernées : $subjects.
Chronologie : $timeline

2. Point de contact
$contact

3. Conséquences probables
$consequences

4. Mesures prises ou envisagées
$measures
$delay""",
}

_CUSTOMER = {
    "en": """Subject: Important information about your personal data

Dear customer,

On $aware we discovered $kind that concerns your personal data ($categories).

What this may mean for you: $consequences

What we have done and what we are doing: $measures

If you have questions, please contact: $contact

We are sorry for any concern this may cause.""",
    "nl": """Onderwerp: Belangrijke informatie over uw persoonsgegevens

Beste klant,

Op $aware hebben wij $kind ontdekt die uw persoonsgegevens betreft ($categories).

Wat dit voor u kan betekenen: $consequences

Wat wij hebben gedaan en nog doen: $measures

Heeft u vragen, neem dan contact op met: $contact

Het spijt ons dat dit u zorgen kan baren.""",
    "de": """Betreff: Wichtige Information zu Ihren personenbezogenen Daten

Sehr geehrte Kundin, sehr geehrter Kunde,

am $aware haben wir $kind festgestellt, die Ihre personenbezogenen Daten betrifft ($categories).

Was das für Sie bedeuten kann: $consequences

Was wir getan haben und tun: $measures

Bei Fragen wenden Sie sich bitte an: $contact

Wir bedauern die Unannehmlichkeiten.""",
    "fr": """Objet : Information importante concernant vos données personnelles

Chère cliente, cher client,

Le $aware, nous avons découvert $kind concernant vos données personnelles ($categories).

Ce que cela peut signifier pour vous : $consequences

Ce que nous avons fait et faisons : $measures

Pour toute question, contactez : $contact

Nous vous prions de nous excuser pour cette situation.""",
}

_DELAY = {
    "en": "\n5. Reasons for the delay (notified after 72 hours)\n{}",
    "nl": "\n5. Redenen voor de vertraging (gemeld na 72 uur)\n{}",
    "de": "\n5. Gründe für die Verzögerung (Meldung nach 72 Stunden)\n{}",
    "fr": "\n5. Motifs du retard (notification après 72 heures)\n{}",
}

_NONE = {"en": "none recorded", "nl": "geen vastgelegd", "de": "keine erfasst", "fr": "aucune"}


def _language(language: str) -> str:
    lang = language.strip().lower()
    if lang not in LANGUAGES:
        raise InvalidInput(f"--language must be one of: {', '.join(LANGUAGES)}")
    return lang


def draft(
    incident: Incident,
    *,
    to: str,
    language: str = "en",
    tz: str = "UTC",
    now: datetime | None = None,
    contact: str | None = None,
) -> str:
    """A draft notification for `incident`: ``to`` is ``authority`` or ``subjects``."""
    lang = _language(language)
    if to not in ("authority", "subjects"):
        raise InvalidInput("--to must be authority or subjects")
    local = zone(tz)
    aware = incident.aware_at.astimezone(local).strftime("%Y-%m-%d %H:%M %Z")
    timeline = "; ".join(
        f"{e.at.astimezone(local):%Y-%m-%d %H:%M} {e.kind}" for e in incident.timeline
    )
    values = {
        "id": incident.id,
        "aware": aware,
        "kind": _KIND[lang][incident.kind.value],
        "categories": ", ".join(incident.categories) or _NONE[lang],
        "subjects": str(incident.subject_count),
        "timeline": timeline or _NONE[lang],
        "contact": contact or TODO.format("contact of the data protection officer"),
        "consequences": TODO.format("likely consequences for the people concerned"),
        "measures": TODO.format("measures taken or proposed, including to limit harm"),
        "delay": "",
    }
    if to == "subjects":
        return Template(_CUSTOMER[lang]).substitute(values)
    status = incident.clock(now or incident.opened_at)
    if status.late or status.overdue:
        values["delay"] = _DELAY[lang].format(TODO.format("reasons for the delay"))
    return Template(_AUTHORITY[lang]).substitute(values)
