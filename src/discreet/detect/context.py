"""Context words that make an ambiguous pattern match personal data, per type and language.

A nine-digit number passing the BSN 11-proof is one number in eleven; next to "BSN" it is
almost surely one. Recognizers look these words up here rather than keeping their own lists,
so a reviewer can read every cue the engine trusts in one place.

Keys are entity type names (``"PHONE_NUMBER"``) or, where a type has subtypes with their own
vocabulary, the subtype (``"NL_BSN"``). Words are matched case-insensitively as whole words.

Recognizers use the words of *all* languages whatever the text's language: identifying the
language of a short chat message is unreliable, and customers mix languages ("mijn BSN",
"my IBAN", "meine E-Mail"). The per-language split is kept for maintenance and review.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

Words = tuple[str, ...]

CONTEXT: Mapping[str, Mapping[str, Words]] = {
    "PHONE_NUMBER": {
        "en": (
            "phone",
            "phone number",
            "telephone",
            "tel",
            "tel.",
            "mobile",
            "cell",
            "cellphone",
            "call",
            "call me",
            "ring me",
            "text me",
            "whatsapp",
            "sms",
            "fax",
            "reach me",
            "my number",
            "number is",
            "ext",
            "extension",
        ),
        "nl": (
            "telefoon",
            "telefoonnummer",
            "tel.nr",
            "telnr",
            "mobiel",
            "mobiele nummer",
            "mobiel nummer",
            "06-nummer",
            "bel",
            "bellen",
            "gsm",
            "faxnummer",
            "bereikbaar",
            "mijn nummer",
            "toestel",
        ),
        "de": (
            "telefon",
            "telefonnummer",
            "handy",
            "handynummer",
            "mobil",
            "mobilnummer",
            "rufnummer",
            "anrufen",
            "ruf",
            "festnetz",
            "erreichbar",
            "erreichen",
            "meine nummer",
            "durchwahl",
        ),
        "fr": (
            "téléphone",
            "telephone",
            "tél",
            "tél.",
            "portable",
            "mobile",
            "appeler",
            "appelez",
            "joindre",
            "fixe",
            "joignable",
            "mon numéro",
            "poste",
        ),
    },
    "IBAN": {
        "en": ("iban", "account", "bank account", "account number", "transfer", "refund"),
        "nl": ("rekening", "rekeningnummer", "bankrekening", "overmaken", "terugbetaling"),
        "de": ("konto", "kontonummer", "bankverbindung", "überweisung", "erstattung"),
        "fr": ("compte", "numéro de compte", "rib", "virement", "remboursement"),
    },
    "BANK_ACCOUNT": {
        "en": (
            "account number",
            "bank account",
            "account no",
            "acct",
            "sort code",
            "routing number",
        ),
        "nl": (
            "rekeningnummer",
            "bankrekening",
            "bankrekeningnummer",
            "rekeningnr",
            "girorekening",
            "gironummer",
        ),
        "de": ("kontonummer", "konto-nr", "kontonr", "bankkonto", "bankverbindung"),
        "fr": ("numéro de compte", "numero de compte", "compte bancaire", "n° de compte", "rib"),
    },
    "CREDIT_CARD": {
        "en": (
            "card",
            "credit card",
            "debit card",
            "card number",
            "visa",
            "mastercard",
            "amex",
            "american express",
            "cc",
        ),
        "nl": ("kaart", "creditcard", "kaartnummer", "betaalpas", "pinpas", "bankpas"),
        "de": ("karte", "kreditkarte", "kartennummer", "bankkarte", "ec-karte", "girocard"),
        "fr": ("carte", "carte bancaire", "carte de crédit", "numéro de carte", "cb"),
    },
    "NL_BSN": {
        "en": ("bsn", "citizen service number", "social security", "sofi", "sofi number"),
        "nl": (
            "bsn",
            "bsn-nummer",
            "burgerservicenummer",
            "sofinummer",
            "sofi-nummer",
            "persoonsnummer",
            "fiscaal nummer",
        ),
        "de": ("bsn", "bürgerservicenummer"),
        "fr": ("bsn", "numéro bsn"),
    },
    "US_SSN": {
        "en": ("ssn", "social security", "social security number", "social", "ss#", "ssn#"),
        "nl": ("ssn", "social security"),
        "de": ("ssn", "sozialversicherungsnummer"),
        "fr": ("ssn", "numéro de sécurité sociale"),
    },
    "UK_NINO": {
        "en": ("national insurance", "national insurance number", "ni number", "nino", "nin"),
        "nl": ("national insurance",),
        "de": ("national insurance",),
        "fr": ("national insurance",),
    },
    "DE_STEUER_ID": {
        "en": ("tax id", "tax identification number", "tin", "steuer-id"),
        "nl": ("belastingnummer", "steuer-id", "fiscaal nummer"),
        "de": (
            "steuer-id",
            "steuerid",
            "steuer-idnr",
            "steueridentifikationsnummer",
            "steuer-identifikationsnummer",
            "identifikationsnummer",
            "idnr",
            "steuernummer",
        ),
        "fr": ("numéro fiscal", "identifiant fiscal", "steuer-id"),
    },
    "FR_NIR": {
        "en": ("social security", "social security number", "nir", "insee"),
        "nl": ("sofinummer", "nir"),
        "de": ("sozialversicherungsnummer", "nir"),
        "fr": (
            "numéro de sécurité sociale",
            "numero de securite sociale",
            "sécurité sociale",
            "securite sociale",
            "sécu",
            "secu",
            "nir",
            "insee",
            "carte vitale",
        ),
    },
    "BE_RRN": {
        "en": ("national number", "national register number", "rrn", "nrn"),
        "nl": (
            "rijksregisternummer",
            "rijksregister",
            "insz",
            "insz-nummer",
            "identificatienummer",
        ),
        "de": ("nationalregisternummer", "nationalnummer"),
        "fr": (
            "numéro national",
            "numero national",
            "registre national",
            "numéro de registre national",
            "niss",
        ),
    },
    "VAT_ID": {
        "en": ("vat", "vat number", "vat id", "tax number"),
        "nl": ("btw", "btw-nummer", "btw-id", "btw nummer", "omzetbelastingnummer"),
        "de": (
            "ust-id",
            "ust-idnr",
            "umsatzsteuer-id",
            "umsatzsteuer-identifikationsnummer",
            "ustid",
        ),
        "fr": ("tva", "numéro de tva", "numero de tva", "tva intracommunautaire"),
    },
    "IP_ADDRESS": {
        "en": ("ip", "ip address", "ipv4", "ipv6", "host", "server"),
        "nl": ("ip-adres", "ip adres"),
        "de": ("ip-adresse",),
        "fr": ("adresse ip",),
    },
    "MAC_ADDRESS": {
        "en": ("mac", "mac address"),
        "nl": ("mac-adres",),
        "de": ("mac-adresse",),
        "fr": ("adresse mac",),
    },
    # A date next to one of these is a date of birth.
    "DATE_OF_BIRTH": {
        "en": (
            "born",
            "born on",
            "date of birth",
            "birth date",
            "birthdate",
            "dob",
            "d.o.b.",
            "birthday",
        ),
        "nl": ("geboren", "geboortedatum", "geb.", "geb", "geboortedag", "verjaardag"),
        "de": ("geboren", "geburtsdatum", "geb.", "geb", "geburtstag"),
        "fr": (
            "né le",
            "née le",
            "ne le",
            "nee le",
            "né",
            "née",
            "date de naissance",
            "anniversaire",
        ),
    },
    "POSTAL_CODE": {
        "en": ("zip", "zip code", "zipcode", "postcode", "post code", "postal code"),
        "nl": ("postcode", "postcodes"),
        "de": ("plz", "postleitzahl"),
        "fr": ("code postal", "cp", "cedex"),
    },
    "LICENSE_PLATE": {
        "en": ("license plate", "licence plate", "registration", "number plate", "plate"),
        "nl": ("kenteken", "kentekenplaat", "nummerplaat"),
        "de": ("kennzeichen", "nummernschild", "autokennzeichen"),
        "fr": ("plaque", "immatriculation", "plaque d'immatriculation"),
    },
    "PASSPORT": {
        "en": ("passport", "passport number", "passport no", "travel document"),
        "nl": ("paspoort", "paspoortnummer", "reisdocument", "documentnummer"),
        "de": ("reisepass", "reisepassnummer", "passnummer", "ausweisnummer"),
        "fr": ("passeport", "numéro de passeport", "numero de passeport"),
    },
    "DRIVER_LICENSE": {
        "en": (
            "driver's license",
            "drivers license",
            "driver license",
            "driving licence",
            "driving license",
            "driver's licence",
            "licence number",
            "license number",
        ),
        "nl": ("rijbewijs", "rijbewijsnummer"),
        "de": ("führerschein", "führerscheinnummer", "fuehrerschein"),
        "fr": ("permis de conduire", "numéro de permis", "permis"),
    },
    # Trigger phrases: the identifier follows right after (see recognizers/identifiers.py).
    "CUSTOMER_ID": {
        "en": (
            "customer number",
            "customer no",
            "customer id",
            "customer nr",
            "client number",
            "client id",
            "account id",
            "member number",
            "membership number",
        ),
        "nl": ("klantnummer", "klantnr", "klant-id", "klantid", "lidnummer", "relatienummer"),
        "de": ("kundennummer", "kunden-nr", "kundennr", "kunden-id", "mitgliedsnummer"),
        "fr": (
            "numéro client",
            "numero client",
            "numéro de client",
            "numero de client",
            "n° client",
            "identifiant client",
            "numéro d'adhérent",
        ),
    },
    "ORDER_ID": {
        "en": (
            "order number",
            "order no",
            "order nr",
            "order id",
            "order",
            "invoice number",
            "tracking number",
            "ticket number",
            "reference number",
            "case number",
        ),
        "nl": (
            "bestelnummer",
            "bestelling",
            "ordernummer",
            "factuurnummer",
            "trackingnummer",
            "zendingnummer",
            "referentienummer",
            "dossiernummer",
        ),
        "de": (
            "bestellnummer",
            "bestellung",
            "auftragsnummer",
            "rechnungsnummer",
            "sendungsnummer",
            "vorgangsnummer",
            "referenznummer",
        ),
        "fr": (
            "numéro de commande",
            "numero de commande",
            "commande",
            "n° de commande",
            "numéro de facture",
            "numéro de suivi",
            "numéro de dossier",
        ),
    },
    "USERNAME": {
        "en": ("username", "user name", "user id", "userid", "login", "login name", "handle"),
        "nl": ("gebruikersnaam", "inlognaam", "gebruikers-id"),
        "de": ("benutzername", "benutzerkennung", "anmeldename", "nutzername"),
        "fr": ("nom d'utilisateur", "identifiant", "pseudo"),
    },
    # Words after which the next token is a password or PIN (see recognizers/secrets.py).
    "SECRET": {
        "en": (
            "password",
            "passwd",
            "pwd",
            "passcode",
            "pin",
            "pin code",
            "api key",
            "api_key",
            "apikey",
            "secret",
            "client secret",
            "access token",
            "token",
        ),
        "nl": ("wachtwoord", "pincode", "toegangscode", "inlogcode"),
        "de": ("passwort", "kennwort", "pin", "geheimzahl", "zugangscode"),
        "fr": ("mot de passe", "mdp", "code pin", "code secret", "code d'accès"),
    },
}


def all_languages(key: str) -> dict[str, Words]:
    """The words for `key` in every language, under "*" (the form `PatternRecognizer` takes).

    Unknown keys are a programming error and raise KeyError naming the key.
    """
    per_language = CONTEXT[key]
    merged = sorted({w for words in per_language.values() for w in words})
    return {"*": tuple(merged)}


def phrases(key: str) -> Words:
    """Every word for `key`, longest first, for building a trigger regex."""
    per_language = CONTEXT[key]
    return tuple(
        sorted({w for words in per_language.values() for w in words}, key=len, reverse=True)
    )


def word_regex(key: str) -> re.Pattern[str]:
    """One regex matching any word for `key` as a whole word, for lower-cased text.

    Same matching rules as `PatternRecognizer`'s context check, for recognizers that need
    to know *where* the word is (a date of birth is the date right after "born").
    """
    alternatives = "|".join(re.escape(w.lower()) for w in phrases(key))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
