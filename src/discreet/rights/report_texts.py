"""The access report's wording in English, Dutch, German and French.

Labels only: the values come from the export. A missing key in a language is a test
failure (tests/rights/test_access_report.py), never an English word in a Dutch page.
"""

from __future__ import annotations

LANGUAGES = ("en", "nl", "de", "fr")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "The personal data we hold about you",
        "intro": "Reference {reference}. Prepared on {generated}. This page answers your "
        "request for access (GDPR article 15). The file subject.json holds the same data "
        "for computers; portability.json holds the data you gave us, to take elsewhere "
        "(article 20).",
        "your_data": "Your details",
        "field": "Detail",
        "value": "Value",
        "category": "Kind of data",
        "used_for": "What it was used for",
        "not_used": "Kept, not used in a conversation",
        "use_assistant": "Given to the {actor} assistant as a placeholder, for {purpose}",
        "use_recognition": "Only to recognise your details in messages; the assistant did "
        "not see it",
        "use_staff": "Read by our staff ({actor}), for {purpose}",
        "why": "Why we process your data",
        "purpose": "Purpose",
        "legal_basis": "Legal basis",
        "recipients": "Who receives it",
        "recipient_assistant": "The {name} assistant (our AI assistant), only the data "
        "kinds: {categories}",
        "recipient_llm": "The AI model provider at {host}: it receives your messages and "
        "details as placeholders such as [PERSON_1], never the values",
        "recipient_embedded": "No outside AI provider: the assistant runs on our own systems",
        "retention": "How long we keep it",
        "kept_for": "{what}: {period}",
        "source": "Where it comes from",
        "source_text": "You gave us your details when you ordered or registered, and in "
        "your messages to us. Order details are created by us when you order.",
        "rights": "Your rights",
        "rights_text": "You can ask us to correct your data, to erase it, to restrict its "
        "use, or object to its use; and you can take the data you gave us elsewhere. There "
        "is no automated decision with legal effect about you; you can always ask for a "
        "person.",
        "complaint": "If you are not satisfied with how we handle your data, you have the "
        "right to lodge a complaint with a data protection supervisory authority, in "
        "particular in the country where you live or work.",
        "conversations": "Your conversations",
        "conversation": "Conversation of {started}",
        "with_assistant": "with the {name} assistant",
        "turns": "{n} messages from you",
        "handed": "Handed to a person",
        "closed": "Closed on {date}",
        "open": "Open",
        "you": "You",
        "assistant": "Assistant",
        "mentioned": "Personal details mentioned in it",
        "placeholder": "Placeholder",
        "consent": "Your consents",
        "state": "Choice",
        "recorded": "Recorded",
        "limits": "Restrictions and objections",
        "since": "Since",
        "until": "Until",
        "decisions": "Automated decisions",
        "decision": "Decision",
        "when": "When",
        "outcome": "Outcome",
        "requests": "Your requests",
        "request": "Request",
        "received": "Received",
        "due": "Answer due",
        "access_log": "Who looked at your data",
        "who": "Who",
        "what": "What",
        "fields": "Details",
        "none": "None.",
        "yes": "Yes",
        "no": "No",
        "days": "{n} days",
        "years": "{n} years",
        "record_conversation_messages": "Conversation messages",
        "record_token_maps": "The link between placeholders and your details",
        "record_subject_fields": "Your details",
        "record_audit_records": "The record of access",
        "system": "our system",
        "note_closed": (
            "This conversation was closed and the personal details in it were forgotten: the "
            "placeholders such as [PERSON_1] can no longer be turned back into the values."
        ),
        "note_expired": (
            "The personal details behind the placeholders in this conversation are no longer "
            "kept (retention period), so they cannot be shown."
        ),
    },
    "nl": {
        "title": "De persoonsgegevens die wij van u hebben",
        "intro": "Kenmerk {reference}. Opgesteld op {generated}. Deze pagina beantwoordt uw "
        "verzoek om inzage (AVG artikel 15). Het bestand subject.json bevat dezelfde "
        "gegevens voor computers; portability.json bevat de gegevens die u ons gaf, om mee "
        "te nemen (artikel 20).",
        "your_data": "Uw gegevens",
        "field": "Gegeven",
        "value": "Waarde",
        "category": "Soort gegeven",
        "used_for": "Waarvoor het is gebruikt",
        "not_used": "Bewaard, niet gebruikt in een gesprek",
        "use_assistant": "Aan de assistent {actor} gegeven als plaatshouder, voor {purpose}",
        "use_recognition": "Alleen om uw gegevens in berichten te herkennen; de assistent "
        "zag het niet",
        "use_staff": "Ingezien door onze medewerker ({actor}), voor {purpose}",
        "why": "Waarom wij uw gegevens verwerken",
        "purpose": "Doel",
        "legal_basis": "Grondslag",
        "recipients": "Wie ze ontvangt",
        "recipient_assistant": "De assistent {name} (onze AI-assistent), alleen de soorten "
        "gegevens: {categories}",
        "recipient_llm": "De aanbieder van het AI-model op {host}: die krijgt uw berichten en "
        "gegevens als plaatshouders zoals [PERSON_1], nooit de waarden",
        "recipient_embedded": "Geen externe AI-aanbieder: de assistent draait op onze eigen "
        "systemen",
        "retention": "Hoe lang wij ze bewaren",
        "kept_for": "{what}: {period}",
        "source": "Waar ze vandaan komen",
        "source_text": "U gaf ons uw gegevens bij uw bestelling of registratie, en in uw "
        "berichten aan ons. Bestelgegevens maken wij aan wanneer u bestelt.",
        "rights": "Uw rechten",
        "rights_text": "U kunt ons vragen uw gegevens te verbeteren, te wissen, het gebruik "
        "te beperken, of bezwaar maken tegen het gebruik; en u kunt de gegevens die u ons "
        "gaf meenemen. Er is geen geautomatiseerd besluit met rechtsgevolgen over u; u kunt "
        "altijd om een mens vragen.",
        "complaint": "Bent u niet tevreden over hoe wij met uw gegevens omgaan, dan hebt u "
        "het recht een klacht in te dienen bij een toezichthouder voor "
        "gegevensbescherming, in Nederland de Autoriteit Persoonsgegevens, of in het land "
        "waar u woont of werkt.",
        "conversations": "Uw gesprekken",
        "conversation": "Gesprek van {started}",
        "with_assistant": "met de assistent {name}",
        "turns": "{n} berichten van u",
        "handed": "Doorgegeven aan een medewerker",
        "closed": "Gesloten op {date}",
        "open": "Open",
        "you": "U",
        "assistant": "Assistent",
        "mentioned": "Persoonsgegevens die erin genoemd worden",
        "placeholder": "Plaatshouder",
        "consent": "Uw toestemmingen",
        "state": "Keuze",
        "recorded": "Vastgelegd",
        "limits": "Beperkingen en bezwaren",
        "since": "Sinds",
        "until": "Tot",
        "decisions": "Geautomatiseerde beslissingen",
        "decision": "Beslissing",
        "when": "Wanneer",
        "outcome": "Uitkomst",
        "requests": "Uw verzoeken",
        "request": "Verzoek",
        "received": "Ontvangen",
        "due": "Antwoord uiterlijk",
        "access_log": "Wie uw gegevens heeft ingezien",
        "who": "Wie",
        "what": "Wat",
        "fields": "Gegevens",
        "none": "Geen.",
        "yes": "Ja",
        "no": "Nee",
        "days": "{n} dagen",
        "years": "{n} jaar",
        "record_conversation_messages": "Gespreksberichten",
        "record_token_maps": "De koppeling tussen plaatshouders en uw gegevens",
        "record_subject_fields": "Uw gegevens",
        "record_audit_records": "Het overzicht van inzage",
        "system": "ons systeem",
        "note_closed": (
            "Dit gesprek is gesloten en de persoonsgegevens erin zijn vergeten: plaatshouders"
            " zoals [PERSON_1] kunnen niet meer in de waarden worden teruggezet."
        ),
        "note_expired": (
            "De persoonsgegevens achter de plaatshouders in dit gesprek worden niet meer "
            "bewaard (bewaartermijn), dus ze kunnen niet worden getoond."
        ),
    },
    "de": {
        "title": "Die personenbezogenen Daten, die wir über Sie speichern",
        "intro": "Zeichen {reference}. Erstellt am {generated}. Diese Seite beantwortet Ihr "
        "Auskunftsersuchen (DSGVO Artikel 15). Die Datei subject.json enthält dieselben "
        "Daten für Computer; portability.json enthält die Daten, die Sie uns gegeben haben, "
        "zur Mitnahme (Artikel 20).",
        "your_data": "Ihre Angaben",
        "field": "Angabe",
        "value": "Wert",
        "category": "Art der Daten",
        "used_for": "Wofür sie verwendet wurde",
        "not_used": "Gespeichert, in keinem Gespräch verwendet",
        "use_assistant": "Dem Assistenten {actor} als Platzhalter gegeben, für {purpose}",
        "use_recognition": "Nur um Ihre Angaben in Nachrichten zu erkennen; der Assistent "
        "hat sie nicht gesehen",
        "use_staff": "Von unserem Personal ({actor}) eingesehen, für {purpose}",
        "why": "Warum wir Ihre Daten verarbeiten",
        "purpose": "Zweck",
        "legal_basis": "Rechtsgrundlage",
        "recipients": "Wer sie erhält",
        "recipient_assistant": "Der Assistent {name} (unser KI-Assistent), nur die "
        "Datenarten: {categories}",
        "recipient_llm": "Der Anbieter des KI-Modells unter {host}: er erhält Ihre "
        "Nachrichten und Angaben als Platzhalter wie [PERSON_1], nie die Werte",
        "recipient_embedded": "Kein externer KI-Anbieter: der Assistent läuft auf unseren "
        "eigenen Systemen",
        "retention": "Wie lange wir sie speichern",
        "kept_for": "{what}: {period}",
        "source": "Woher sie stammen",
        "source_text": "Sie haben uns Ihre Angaben bei Bestellung oder Registrierung und in "
        "Ihren Nachrichten gegeben. Bestelldaten erstellen wir, wenn Sie bestellen.",
        "rights": "Ihre Rechte",
        "rights_text": "Sie können Berichtigung, Löschung oder Einschränkung der Verarbeitung "
        "verlangen oder der Verarbeitung widersprechen; und Sie können die Daten, die Sie "
        "uns gegeben haben, mitnehmen. Es gibt keine automatisierte Entscheidung mit "
        "rechtlicher Wirkung über Sie; Sie können jederzeit nach einem Menschen fragen.",
        "complaint": "Wenn Sie mit unserem Umgang mit Ihren Daten nicht zufrieden sind, "
        "haben Sie das Recht, sich bei einer Datenschutz-Aufsichtsbehörde zu beschweren, "
        "insbesondere in dem Land, in dem Sie wohnen oder arbeiten.",
        "conversations": "Ihre Gespräche",
        "conversation": "Gespräch vom {started}",
        "with_assistant": "mit dem Assistenten {name}",
        "turns": "{n} Nachrichten von Ihnen",
        "handed": "An einen Menschen übergeben",
        "closed": "Geschlossen am {date}",
        "open": "Offen",
        "you": "Sie",
        "assistant": "Assistent",
        "mentioned": "Darin genannte personenbezogene Daten",
        "placeholder": "Platzhalter",
        "consent": "Ihre Einwilligungen",
        "state": "Entscheidung",
        "recorded": "Erfasst",
        "limits": "Einschränkungen und Widersprüche",
        "since": "Seit",
        "until": "Bis",
        "decisions": "Automatisierte Entscheidungen",
        "decision": "Entscheidung",
        "when": "Wann",
        "outcome": "Ergebnis",
        "requests": "Ihre Anträge",
        "request": "Antrag",
        "received": "Eingegangen",
        "due": "Antwort bis",
        "access_log": "Wer Ihre Daten eingesehen hat",
        "who": "Wer",
        "what": "Was",
        "fields": "Angaben",
        "none": "Keine.",
        "yes": "Ja",
        "no": "Nein",
        "days": "{n} Tage",
        "years": "{n} Jahre",
        "record_conversation_messages": "Gesprächsnachrichten",
        "record_token_maps": "Die Verknüpfung von Platzhaltern und Ihren Angaben",
        "record_subject_fields": "Ihre Angaben",
        "record_audit_records": "Das Zugriffsprotokoll",
        "system": "unser System",
        "note_closed": (
            "Dieses Gespräch wurde geschlossen und die personenbezogenen Daten darin "
            "vergessen: Platzhalter wie [PERSON_1] lassen sich nicht mehr in die Werte "
            "zurückverwandeln."
        ),
        "note_expired": (
            "Die personenbezogenen Daten hinter den Platzhaltern dieses Gesprächs werden "
            "nicht mehr gespeichert (Aufbewahrungsfrist) und können daher nicht gezeigt "
            "werden."
        ),
    },
    "fr": {
        "title": "Les données personnelles que nous détenons sur vous",
        "intro": "Référence {reference}. Établi le {generated}. Cette page répond à votre "
        "demande d'accès (RGPD article 15). Le fichier subject.json contient les mêmes "
        "données pour les ordinateurs ; portability.json contient les données que vous nous "
        "avez fournies, pour les emporter ailleurs (article 20).",
        "your_data": "Vos données",
        "field": "Donnée",
        "value": "Valeur",
        "category": "Type de donnée",
        "used_for": "À quoi elle a servi",
        "not_used": "Conservée, utilisée dans aucune conversation",
        "use_assistant": "Transmise à l'assistant {actor} sous forme d'espace réservé, pour "
        "{purpose}",
        "use_recognition": "Uniquement pour reconnaître vos données dans les messages ; "
        "l'assistant ne l'a pas vue",
        "use_staff": "Consultée par notre personnel ({actor}), pour {purpose}",
        "why": "Pourquoi nous traitons vos données",
        "purpose": "Finalité",
        "legal_basis": "Base juridique",
        "recipients": "Qui les reçoit",
        "recipient_assistant": "L'assistant {name} (notre assistant IA), uniquement les "
        "types de données : {categories}",
        "recipient_llm": "Le fournisseur du modèle d'IA à {host} : il reçoit vos messages et "
        "données sous forme d'espaces réservés comme [PERSON_1], jamais les valeurs",
        "recipient_embedded": "Aucun fournisseur d'IA externe : l'assistant fonctionne sur "
        "nos propres systèmes",
        "retention": "Combien de temps nous les conservons",
        "kept_for": "{what} : {period}",
        "source": "D'où elles proviennent",
        "source_text": "Vous nous avez fourni vos données lors de votre commande ou "
        "inscription, et dans vos messages. Les données de commande sont créées par nous "
        "lorsque vous commandez.",
        "rights": "Vos droits",
        "rights_text": "Vous pouvez nous demander de rectifier vos données, de les effacer, "
        "d'en limiter l'utilisation, ou vous opposer à leur utilisation ; et vous pouvez "
        "emporter les données que vous nous avez fournies. Aucune décision automatisée "
        "produisant des effets juridiques ne vous concerne ; vous pouvez toujours demander "
        "une personne.",
        "complaint": "Si vous n'êtes pas satisfait de la manière dont nous traitons vos "
        "données, vous avez le droit d'introduire une réclamation auprès d'une autorité de "
        "contrôle de la protection des données, en France la CNIL, ou dans le pays où vous "
        "vivez ou travaillez.",
        "conversations": "Vos conversations",
        "conversation": "Conversation du {started}",
        "with_assistant": "avec l'assistant {name}",
        "turns": "{n} messages de votre part",
        "handed": "Transmise à une personne",
        "closed": "Fermée le {date}",
        "open": "Ouverte",
        "you": "Vous",
        "assistant": "Assistant",
        "mentioned": "Données personnelles qui y sont mentionnées",
        "placeholder": "Espace réservé",
        "consent": "Vos consentements",
        "state": "Choix",
        "recorded": "Enregistré",
        "limits": "Limitations et oppositions",
        "since": "Depuis",
        "until": "Jusqu'au",
        "decisions": "Décisions automatisées",
        "decision": "Décision",
        "when": "Quand",
        "outcome": "Résultat",
        "requests": "Vos demandes",
        "request": "Demande",
        "received": "Reçue",
        "due": "Réponse avant",
        "access_log": "Qui a consulté vos données",
        "who": "Qui",
        "what": "Quoi",
        "fields": "Données",
        "none": "Aucune.",
        "yes": "Oui",
        "no": "Non",
        "days": "{n} jours",
        "years": "{n} ans",
        "record_conversation_messages": "Messages des conversations",
        "record_token_maps": "Le lien entre espaces réservés et vos données",
        "record_subject_fields": "Vos données",
        "record_audit_records": "Le registre des accès",
        "system": "notre système",
        "note_closed": (
            "Cette conversation a été fermée et les données personnelles qu'elle contenait "
            "ont été oubliées : les espaces réservés comme [PERSON_1] ne peuvent plus être "
            "retraduits en valeurs."
        ),
        "note_expired": (
            "Les données personnelles derrière les espaces réservés de cette conversation ne "
            "sont plus conservées (durée de conservation) et ne peuvent donc pas être "
            "affichées."
        ),
    },
}

# Field, category, purpose and state names a customer may read, per language. Names not
# listed are shown de-snake-cased ("loyalty_tier" -> "Loyalty tier").
NAMES: dict[str, dict[str, str]] = {
    "en": {
        "first_name": "First name", "last_name": "Last name", "name": "Name",
        "email": "E-mail address", "phone": "Phone number", "street_address": "Address",
        "postal_code": "Postcode", "city": "City", "country": "Country",
        "date_of_birth": "Date of birth", "iban": "Bank account (IBAN)",
        "customer_number": "Customer number", "order_number": "Order number",
        "order_status": "Order status", "order_items": "Ordered items",
        "delivery_date": "Expected delivery", "payment_method": "Payment method",
        "invoice_number": "Invoice number", "outstanding_balance": "Amount outstanding",
        "identity": "Identity", "contact": "Contact details", "location": "Address",
        "order": "Orders", "financial": "Payments", "health": "Health",
        "customer_support": "customer support", "billing": "billing",
        "model_training": "improving the assistant", "analytics": "statistics",
        "data_subject_request": "your request", "contract": "Contract",
        "consent": "Your consent", "legal_obligation": "Legal obligation",
        "legitimate_interests": "Legitimate interests", "vital_interests": "Vital interests",
        "public_task": "Public task", "granted": "Given", "withdrawn": "Withdrawn",
        "access": "Access", "rectification": "Correction", "erasure": "Erasure",
        "restriction": "Restriction", "objection": "Objection",
        "received": "Received", "in_progress": "In progress",
        "blocked_by_hold": "On hold (legal hold)",
        "completed": "Done",
        "rejected": "Refused", "verified": "Identity checked",
        "handoff_to_human": "Handed to a person", "customer_request": "you asked for a person",
        "gateway.turn": "Assistant answer", "subject.read": "Details read",
        "ok": "Done", "denied": "Refused", "error": "Failed",
    },
    "nl": {
        "first_name": "Voornaam", "last_name": "Achternaam", "name": "Naam",
        "email": "E-mailadres", "phone": "Telefoonnummer", "street_address": "Adres",
        "postal_code": "Postcode", "city": "Plaats", "country": "Land",
        "date_of_birth": "Geboortedatum", "iban": "Bankrekening (IBAN)",
        "customer_number": "Klantnummer", "order_number": "Bestelnummer",
        "order_status": "Status van de bestelling", "order_items": "Bestelde artikelen",
        "delivery_date": "Verwachte levering", "payment_method": "Betaalmethode",
        "invoice_number": "Factuurnummer", "outstanding_balance": "Openstaand bedrag",
        "identity": "Identiteit", "contact": "Contactgegevens", "location": "Adres",
        "order": "Bestellingen", "financial": "Betalingen", "health": "Gezondheid",
        "customer_support": "klantenservice", "billing": "facturering",
        "model_training": "het verbeteren van de assistent", "analytics": "statistiek",
        "data_subject_request": "uw verzoek", "contract": "Overeenkomst",
        "consent": "Uw toestemming", "legal_obligation": "Wettelijke plicht",
        "legitimate_interests": "Gerechtvaardigd belang", "vital_interests": "Vitaal belang",
        "public_task": "Publieke taak", "granted": "Gegeven", "withdrawn": "Ingetrokken",
        "access": "Inzage", "rectification": "Correctie", "erasure": "Wissen",
        "restriction": "Beperking", "objection": "Bezwaar",
        "received": "Ontvangen", "in_progress": "In behandeling",
        "blocked_by_hold": "Aangehouden (juridische blokkade)",
        "completed": "Afgehandeld",
        "rejected": "Afgewezen", "verified": "Identiteit gecontroleerd",
        "handoff_to_human": "Doorgegeven aan een medewerker",
        "customer_request": "u vroeg om een medewerker",
        "gateway.turn": "Antwoord van de assistent", "subject.read": "Gegevens gelezen",
        "ok": "Gedaan", "denied": "Geweigerd", "error": "Mislukt",
    },
    "de": {
        "first_name": "Vorname", "last_name": "Nachname", "name": "Name",
        "email": "E-Mail-Adresse", "phone": "Telefonnummer", "street_address": "Adresse",
        "postal_code": "Postleitzahl", "city": "Ort", "country": "Land",
        "date_of_birth": "Geburtsdatum", "iban": "Bankkonto (IBAN)",
        "customer_number": "Kundennummer", "order_number": "Bestellnummer",
        "order_status": "Bestellstatus", "order_items": "Bestellte Artikel",
        "delivery_date": "Voraussichtliche Lieferung", "payment_method": "Zahlungsart",
        "invoice_number": "Rechnungsnummer", "outstanding_balance": "Offener Betrag",
        "identity": "Identität", "contact": "Kontaktdaten", "location": "Adresse",
        "order": "Bestellungen", "financial": "Zahlungen", "health": "Gesundheit",
        "customer_support": "Kundenservice", "billing": "Abrechnung",
        "model_training": "Verbesserung des Assistenten", "analytics": "Statistik",
        "data_subject_request": "Ihren Antrag", "contract": "Vertrag",
        "consent": "Ihre Einwilligung", "legal_obligation": "Rechtliche Verpflichtung",
        "legitimate_interests": "Berechtigtes Interesse",
        "vital_interests": "Lebenswichtiges Interesse", "public_task": "Öffentliche Aufgabe",
        "granted": "Erteilt", "withdrawn": "Widerrufen", "access": "Auskunft",
        "rectification": "Berichtigung", "erasure": "Löschung",
        "restriction": "Einschränkung", "objection": "Widerspruch",
        "received": "Eingegangen", "in_progress": "In Bearbeitung",
        "blocked_by_hold": "Ausgesetzt (Aufbewahrungspflicht)",
        "completed": "Erledigt",
        "rejected": "Abgelehnt", "verified": "Identität geprüft",
        "handoff_to_human": "An einen Menschen übergeben",
        "customer_request": "Sie haben nach einem Menschen gefragt",
        "gateway.turn": "Antwort des Assistenten", "subject.read": "Angaben gelesen",
        "ok": "Erledigt", "denied": "Abgelehnt", "error": "Fehlgeschlagen",
    },
    "fr": {
        "first_name": "Prénom", "last_name": "Nom", "name": "Nom",
        "email": "Adresse e-mail", "phone": "Numéro de téléphone", "street_address": "Adresse",
        "postal_code": "Code postal", "city": "Ville", "country": "Pays",
        "date_of_birth": "Date de naissance", "iban": "Compte bancaire (IBAN)",
        "customer_number": "Numéro client", "order_number": "Numéro de commande",
        "order_status": "Statut de la commande", "order_items": "Articles commandés",
        "delivery_date": "Livraison prévue", "payment_method": "Moyen de paiement",
        "invoice_number": "Numéro de facture", "outstanding_balance": "Montant dû",
        "identity": "Identité", "contact": "Coordonnées", "location": "Adresse",
        "order": "Commandes", "financial": "Paiements", "health": "Santé",
        "customer_support": "le service client", "billing": "la facturation",
        "model_training": "l'amélioration de l'assistant", "analytics": "les statistiques",
        "data_subject_request": "votre demande", "contract": "Contrat",
        "consent": "Votre consentement", "legal_obligation": "Obligation légale",
        "legitimate_interests": "Intérêt légitime", "vital_interests": "Intérêt vital",
        "public_task": "Mission d'intérêt public", "granted": "Donné", "withdrawn": "Retiré",
        "access": "Accès", "rectification": "Rectification", "erasure": "Effacement",
        "restriction": "Limitation", "objection": "Opposition",
        "received": "Reçue", "in_progress": "En cours",
        "blocked_by_hold": "Suspendue (conservation légale)",
        "completed": "Traitée",
        "rejected": "Refusée", "verified": "Identité vérifiée",
        "handoff_to_human": "Transmise à une personne",
        "customer_request": "vous avez demandé une personne",
        "gateway.turn": "Réponse de l'assistant", "subject.read": "Données lues",
        "ok": "Fait", "denied": "Refusé", "error": "Échec",
    },
}  # fmt: skip
