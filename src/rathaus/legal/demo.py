"""The legal pages of the demo authorities: real texts, marked as demo values to be checked."""

from __future__ import annotations

from rathaus.core.demo import Tally
from rathaus.core.models import Authority
from rathaus.legal.models import LegalTexts

LFD_SACHSEN_ANHALT = (
    "Landesbeauftragter für den Datenschutz Sachsen-Anhalt\n"
    "Otto-von-Guericke-Straße 34a\n39104 Magdeburg\n"
    "Internet: https://datenschutz.sachsen-anhalt.de"
)
SCHLICHTUNG_SACHSEN_ANHALT = (
    "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz des Landes Sachsen-Anhalt "
    "bei der oder dem Beauftragten der Landesregierung für die Belange der Menschen mit "
    "Behinderungen\nTurmschanzenstraße 25\n39114 Magdeburg\n\n"
    "Sie können einen Antrag auf Schlichtung stellen, wenn Sie auf Ihre Rückmeldung keine oder "
    "keine zufriedenstellende Antwort erhalten haben."
)

EASY_LANGUAGE = """## Das ist das digitale Rathaus

Hier können Sie Sachen mit der Gemeinde Barleben erledigen.
Sie müssen dafür nicht ins Rathaus gehen.
Sie brauchen einen Computer oder ein Handy.

## Das können Sie hier machen

- Sie können Informationen über Leistungen lesen. Zum Beispiel: Was kostet ein Personalausweis?
- Sie können einen Termin im Rathaus machen.
- Sie können Anträge schicken. Ein Antrag ist ein Brief an das Amt. Sie bitten das Amt um etwas.
- Sie können der Gemeinde etwas melden. Zum Beispiel: Eine Straßenlampe ist kaputt.

## Ein Termin machen

Klicken Sie oben auf: Termine.
Suchen Sie aus: Wofür brauchen Sie den Termin?
Suchen Sie einen Tag und eine Uhrzeit aus.
Schreiben Sie Ihren Namen und Ihre E-Mail-Adresse auf.
Sie bekommen dann eine E-Mail.
In der E-Mail steht Ihr Termin.

## Ein Nutzerkonto

Sie können ein Nutzerkonto machen.
Dann müssen Sie Ihre Daten nicht jedes Mal neu schreiben.
Im Nutzerkonto gibt es ein Postfach.
Dort schickt Ihnen das Amt Briefe.
Ein Nutzerkonto ist freiwillig.

## Hilfe

Sie haben Fragen?
Rufen Sie uns an: 039203 565-0.
Oder kommen Sie ins Rathaus.
Wir helfen Ihnen gern."""

SIGN_LANGUAGE = (
    "Auf dieser Seite erklären wir das digitale Rathaus in Deutscher Gebärdensprache.\n\n"
    "Im Video zeigen wir: Wie Sie Informationen über Leistungen finden, wie Sie einen Termin "
    "buchen, wie Sie einen Antrag stellen und wie Sie uns etwas melden.\n\n"
    "Sie können uns auch schreiben: Nutzen Sie das Formular „Anliegen an die Gemeinde“ oder "
    "schreiben Sie eine E-Mail an info@barleben.example. Für einen Termin im Rathaus können wir "
    "eine Gebärdensprachdolmetscherin oder einen Gebärdensprachdolmetscher bestellen; bitte "
    "sagen Sie uns das bei der Buchung."
)

TEXTS = {
    "barleben": {
        "representative": "Erika Beispiel, Bürgermeisterin (erfundener Name)",
        "legal_form": "Die Gemeinde Barleben ist eine Körperschaft des öffentlichen Rechts.",
        "supervisory_authority": (
            "Landkreis Börde, Kommunalaufsicht\nGerikestraße 104\n39340 Haldensleben"
        ),
        "imprint_notes": (
            "## Verantwortlich für den Inhalt\n\n"
            "Erika Beispiel, Bürgermeisterin, Anschrift wie oben.\n\n"
            "## Technik\n\nDas Portal läuft mit rathaus, freier Software unter der EUPL-1.2."
        ),
        "data_protection_officer": (
            "Datenschutzbeauftragte der Gemeinde Barleben\nErnst-Thälmann-Straße 22\n"
            "39179 Barleben\nE-Mail: datenschutz@barleben.example"
        ),
        "data_protection_authority": LFD_SACHSEN_ANHALT,
        "accessibility_contact": (
            "Sie erreichen uns auch so:\n"
            "Gemeinde Barleben, Ernst-Thälmann-Straße 22, 39179 Barleben\n"
            "Telefon: 039203 565-0\nE-Mail: barrierefreiheit@barleben.example"
        ),
        "conciliation_body": SCHLICHTUNG_SACHSEN_ANHALT,
        "easy_language": EASY_LANGUAGE,
        "sign_language": SIGN_LANGUAGE,
        "demo": True,
    },
    "landkreis-boerde": {
        "representative": "die Landrätin oder der Landrat",
        "legal_form": "Der Landkreis Börde ist eine Körperschaft des öffentlichen Rechts.",
        "supervisory_authority": (
            "Landesverwaltungsamt Sachsen-Anhalt\nErnst-Kamieth-Straße 2\n06112 Halle (Saale)"
        ),
        "data_protection_officer": (
            "Datenschutzbeauftragte des Landkreises Börde\nGerikestraße 104\n39340 Haldensleben"
        ),
        "data_protection_authority": LFD_SACHSEN_ANHALT,
        "conciliation_body": SCHLICHTUNG_SACHSEN_ANHALT,
        "demo": True,
    },
}


def load(tally: Tally) -> None:
    for slug, values in TEXTS.items():
        authority = Authority.objects.filter(slug=slug).first()
        if authority is not None:
            tally.upsert(LegalTexts, {"authority": authority}, values)
