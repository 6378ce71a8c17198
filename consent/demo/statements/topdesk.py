"""TOPdesk Nederland B.V., from its Dutch privacy statement last updated 24 December 2021.

The statement gives no postal address; the one here is TOPdesk's registered office in Delft.
"""

CONTROLLER = {
    "slug": "topdesk",
    "name": "TOPdesk Nederland B.V.",
    "address": {
        "streetAddress": "Martinus Nijhofflaan 2",
        "addressLocality": "Delft",
        "postalCode": "2624 ES",
        "addressCountry": "NL",
    },
    "phone": "",
    "contact_email": "privacy@topdesk.com",
    "dpo_email": "privacy@topdesk.com",
    "jurisdiction": "NL",
    "authority_name": "Autoriteit Persoonsgegevens",
    "authority_url": "https://autoriteitpersoonsgegevens.nl",
    "policy_url": "https://www.topdesk.com/nl/privacyverklaring/",
    "policy_version": "2021-12-24",
    "default_locale": "nl",
    "inactive_retention": "P2Y",
}

CONTRACT = "service"

_CONTACT = ["Name", "Business phone number", "Business email address", "Organisation"]
_REASONABLE = "Deleted a reasonable period after the purpose is fulfilled"

PURPOSES = [
    {
        "slug": "newsletter",
        "basis": "consent",
        "category": "direct_marketing",
        "channels": ["email"],
        "consent_lifetime": "P24M",
        "double_opt_in": True,
        "retention": "Until you withdraw consent",
        "pii_categories": _CONTACT,
        "texts": {
            "nl": (
                "Nieuwsbrief",
                "Wij sturen u per e-mail nieuws over onze producten en diensten. Wij vragen "
                "hiervoor altijd eerst expliciet om uw toestemming; u kunt deze op elk moment "
                "intrekken met de knop die in elke e-mail van ons te vinden is.",
            ),
            "nb": (
                "Nyhetsbrev",
                "Vi sender deg nyheter om produktene og tjenestene våre på e-post. Vi ber alltid "
                "først uttrykkelig om ditt samtykke, og du kan når som helst trekke det tilbake "
                "med knappen i hver e-post fra oss.",
            ),
            "en": (
                "Newsletter",
                "We email you news about our products and services. We always ask for your "
                "explicit consent first, and you can withdraw it at any time with the button in "
                "every email from us.",
            ),
        },
    },
    {
        "slug": "customer-marketing",
        "basis": "legitimate_interest",
        "category": "direct_marketing",
        "channels": ["email"],
        "retention": "Until the agreement's term has expired",
        "pii_categories": _CONTACT,
        "texts": {
            "nl": (
                "Informatie over andere producten en diensten",
                "Als klant informeren wij u soms over andere producten of diensten die wij "
                "aanbieden. Wij doen dit op grond van ons gerechtvaardigd belang; u kunt hier op "
                "elk moment bezwaar tegen maken.",
            ),
            "nb": (
                "Informasjon om andre produkter og tjenester",
                "Som kunde informerer vi deg av og til om andre produkter eller tjenester vi "
                "tilbyr. Vi gjør dette på grunnlag av vår berettigede interesse, og du kan når "
                "som helst protestere mot det.",
            ),
            "en": (
                "About our other products and services",
                "As a customer we sometimes tell you about other products or services we offer. "
                "We do this on the basis of our legitimate interest; you can object at any time.",
            ),
        },
    },
    {
        "slug": "service",
        "basis": "contract",
        "category": "service",
        "channels": ["email", "phone"],
        "retention": "Until the agreement's term has expired; longer where tax law requires",
        "pii_categories": _CONTACT + ["Payment details", "Invoice details", "Message content"],
        "texts": {
            "nl": (
                "Onze dienstverlening",
                "Wij gebruiken uw gegevens om de overeenkomst tussen u en TOPdesk naar behoren "
                "uit te voeren en de klantrelatie met u te onderhouden. Dit is nodig voor de "
                "uitvoering van de overeenkomst; u blijft deze berichten ontvangen zolang de "
                "overeenkomst loopt.",
            ),
            "nb": (
                "Våre tjenester",
                "Vi bruker opplysningene dine til å oppfylle avtalen mellom deg og TOPdesk på "
                "riktig måte og til å ivareta kundeforholdet. Dette er nødvendig for å oppfylle "
                "avtalen, og du fortsetter å motta disse meldingene så lenge avtalen løper.",
            ),
            "en": (
                "Our services",
                "We use your details to perform the agreement between you and TOPdesk properly "
                "and to maintain our customer relationship. This is needed to perform the "
                "agreement; you keep receiving these messages while it runs.",
            ),
        },
    },
    {
        "slug": "demo",
        "basis": "contract",
        "category": "service",
        "channels": ["email", "phone"],
        "retention": _REASONABLE,
        "pii_categories": _CONTACT + ["Job title"],
        "texts": {
            "nl": (
                "Contact of verzoek om een demo",
                "Vraagt u een demo of toegang tot onze online omgeving aan, dan gebruiken wij uw "
                "gegevens om u een login te verschaffen of de demo uit te voeren en daarna "
                "contact met u te onderhouden. Wij verwijderen deze gegevens na een redelijke "
                "termijn nadat het doel is bereikt.",
            ),
            "nb": (
                "Kontakt eller forespørsel om demo",
                "Ber du om en demo eller tilgang til vårt nettbaserte miljø, bruker vi "
                "opplysningene dine til å gi deg innlogging eller gjennomføre demoen og deretter "
                "holde kontakten med deg. Vi sletter opplysningene innen rimelig tid etter at "
                "formålet er oppnådd.",
            ),
            "en": (
                "Contact or demo request",
                "When you ask for a demo or access to our online environment, we use your "
                "details to give you a login or run the demo and to stay in touch afterwards. We "
                "delete these details within a reasonable time once the purpose is fulfilled.",
            ),
        },
    },
    {
        "slug": "webinars",
        "basis": "contract",
        "category": "events",
        "channels": ["email", "post"],
        "retention": _REASONABLE,
        "pii_categories": _CONTACT + ["Job title", "Business address", "Invoice details"],
        "third_parties": ["Event organisers and venues", "Sponsors", "Postal and parcel services"],
        "texts": {
            "nl": (
                "Webinars en evenementen",
                "Schrijft u zich in voor een webinar of evenement van TOPdesk, dan sturen wij u "
                "een offerte, voorlichtingsdocumenten en praktische informatie en factureren wij "
                "indien van toepassing. Dit is nodig om uw inschrijving uit te voeren.",
            ),
            "nb": (
                "Webinarer og arrangementer",
                "Melder du deg på et webinar eller arrangement hos TOPdesk, sender vi deg "
                "tilbud, informasjonsmateriell og praktisk informasjon og fakturerer der det er "
                "aktuelt. Dette er nødvendig for å gjennomføre påmeldingen din.",
            ),
            "en": (
                "Webinars and events",
                "When you sign up for a TOPdesk webinar or event, we send you a quote, "
                "information material and practical details, and invoice you where applicable. "
                "This is needed to carry out your registration.",
            ),
        },
    },
    {
        "slug": "support",
        "basis": "legitimate_interest",
        "category": "support",
        "channels": ["email", "phone"],
        "retention": _REASONABLE,
        "pii_categories": _CONTACT + ["Message content"],
        "texts": {
            "nl": (
                "Vragen en verzoeken",
                "Neemt u via onze website, e-mail of telefoon contact met ons op, dan gebruiken "
                "wij uw gegevens om uw vraag of verzoek naar behoren af te handelen. Wij "
                "verwijderen deze gegevens na een redelijke termijn nadat uw vraag is "
                "afgehandeld.",
            ),
            "nb": (
                "Spørsmål og henvendelser",
                "Kontakter du oss via nettstedet, e-post eller telefon, bruker vi opplysningene "
                "dine til å behandle spørsmålet eller henvendelsen din på riktig måte. Vi sletter "
                "opplysningene innen rimelig tid etter at henvendelsen er behandlet.",
            ),
            "en": (
                "Questions and requests",
                "When you contact us through our website, email or phone, we use your details to "
                "handle your question or request properly. We delete these details within a "
                "reasonable time after it is handled.",
            ),
        },
    },
    {
        "slug": "invoices",
        "basis": "legal_obligation",
        "category": "service",
        "channels": ["email", "post"],
        "retention": "As long as tax law requires (Dutch fiscal retention: seven years)",
        "pii_categories": ["Name", "Organisation", "Payment details", "Invoice details"],
        "texts": {
            "nl": (
                "Facturen en fiscale bewaarplicht",
                "Wij verwerken uw betalings- en factuurgegevens en bewaren ze zo lang als de "
                "fiscale wetgeving ons verplicht, ook nadat de overeenkomst is beëindigd. Dit is "
                "een wettelijke verplichting.",
            ),
            "nb": (
                "Fakturaer og oppbevaringsplikt",
                "Vi behandler betalings- og fakturaopplysningene dine og oppbevarer dem så lenge "
                "skattelovgivningen pålegger oss, også etter at avtalen er avsluttet. Dette er en "
                "rettslig forpliktelse.",
            ),
            "en": (
                "Invoices and tax retention",
                "We process your payment and invoice details and keep them as long as tax law "
                "obliges us, also after the agreement has ended. This is a legal obligation.",
            ),
        },
    },
]

CAST = [
    {
        "email": "anna.devries@example.nl",
        "locale": "nl",
        "story": "customer",
        "contract": "TD-2023-5521",
    },
    {"email": "bram.hendriks@example.nl", "locale": "nl", "story": "withdrew"},
    {
        "email": "fleur.kok@example.nl",
        "locale": "nl",
        "story": "objected",
        "contract": "TD-2021-1409",
    },
    {"email": "jonas.berg@example.no", "locale": "nb", "story": "pending"},
]
