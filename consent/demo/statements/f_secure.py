"""F-Secure Corporation, from its Dutch business privacy statement (Zakelijk privacybeleid)."""

CONTROLLER = {
    "slug": "f-secure",
    "name": "F-Secure Corporation",
    "address": {
        "streetAddress": "Tammasaarenkatu 7, PL 24",
        "addressLocality": "Helsinki",
        "postalCode": "00180",
        "addressCountry": "FI",
    },
    "phone": "+358 9 2520 0700",
    "contact_email": "privacy@f-secure.com",
    "dpo_email": "privacy@f-secure.com",
    "jurisdiction": "FI",
    "authority_name": "Autoriteit Persoonsgegevens",
    "authority_url": "https://autoriteitpersoonsgegevens.nl",
    "policy_url": "https://www.f-secure.com/nl/legal/privacy",
    "policy_version": "1.0",
    "default_locale": "nl",
    "inactive_retention": "P24M",
}

CONTRACT = "licence-delivery"

_PROSPECT_DATA = ["Name", "Email address", "Company", "Job title", "Country", "Phone number"]
_CUSTOMER_RETENTION = "Licence or subscription term plus five years"

PURPOSES = [
    {
        "slug": "newsletter",
        "basis": "consent",
        "category": "direct_marketing",
        "channels": ["email"],
        "consent_lifetime": "P24M",
        "double_opt_in": True,
        "retention": "Deleted after 24 months without a response or a visit to our web pages",
        "pii_categories": _PROSPECT_DATA,
        "texts": {
            "nl": (
                "Nieuwsbrief over cyberbeveiliging",
                "Wij sturen u per e-mail informatie en know-how over cyberbeveiliging en over "
                "de services van F-Secure. Wij doen dit met uw toestemming; u kunt deze "
                "toestemming op elk gewenst moment intrekken via de link in elke e-mail.",
            ),
            "nb": (
                "Nyhetsbrev om cybersikkerhet",
                "Vi sender deg informasjon og kunnskap om cybersikkerhet og om F-Secures "
                "tjenester på e-post. Dette gjør vi med ditt samtykke, og du kan når som helst "
                "trekke samtykket tilbake via lenken i hver e-post.",
            ),
            "en": (
                "Cyber security newsletter",
                "We email you information and know-how about cyber security and F-Secure's "
                "services. We do this with your consent, which you can withdraw at any time "
                "through the link in every email.",
            ),
        },
    },
    {
        "slug": "customer-marketing",
        "basis": "legitimate_interest",
        "category": "direct_marketing",
        "channels": ["email", "phone"],
        "retention": _CUSTOMER_RETENTION,
        "pii_categories": ["Name", "Job title", "Email address", "Phone number", "Language"],
        "texts": {
            "nl": (
                "Gepersonaliseerde marketing voor klanten en partners",
                "Is uw werkgever een bestaande partner of eindklant van F-Secure, dan "
                "informeren wij u over producten van F-Secure, licentie- en serviceverlengingen "
                "en up- of cross-selling. Wij doen dit op grond van ons gerechtvaardigd belang; "
                "u kunt hier op elk moment bezwaar tegen maken.",
            ),
            "nb": (
                "Tilpasset markedsføring til kunder og partnere",
                "Er arbeidsgiveren din en eksisterende partner eller sluttkunde av F-Secure, "
                "informerer vi deg om F-Secures produkter, fornyelse av lisenser og tjenester "
                "og mersalg. Vi gjør dette på grunnlag av vår berettigede interesse, og du kan "
                "når som helst protestere mot det.",
            ),
            "en": (
                "Personalised marketing for customers and partners",
                "If your employer is an existing F-Secure partner or end customer, we tell you "
                "about F-Secure products, licence and service renewals, and up- or "
                "cross-selling. We do this on the basis of our legitimate interest; you can "
                "object at any time.",
            ),
        },
    },
    {
        "slug": "sales-calls",
        "basis": "legitimate_interest",
        "category": "direct_marketing",
        "channels": ["phone"],
        "retention": "Deleted after 24 months without a response or a visit to our web pages",
        "pii_categories": _PROSPECT_DATA,
        "third_parties": ["F-Secure reseller partners in your area"],
        "texts": {
            "nl": (
                "Contact met besluitvormers",
                "Wij benaderen personen in invloedrijke, besluitvormende functies bij bedrijven "
                "die voordeel kunnen halen uit onze services, en geven uw gegevens zo nodig "
                "door aan onze resellerpartner in uw gebied. Wij doen dit op grond van het "
                "gerechtvaardigd belang van F-Secure en uw werkgever; u kunt hier bezwaar "
                "tegen maken.",
            ),
            "nb": (
                "Kontakt med beslutningstakere",
                "Vi kontakter personer i innflytelsesrike, beslutningstakende roller i "
                "virksomheter som kan ha nytte av tjenestene våre, og gir ved behov "
                "opplysningene dine videre til vår forhandlerpartner i ditt område. Vi gjør "
                "dette på grunnlag av F-Secures og arbeidsgiverens berettigede interesse, og du "
                "kan protestere mot det.",
            ),
            "en": (
                "Sales contact with decision makers",
                "We approach people in influential, decision-making roles at companies that may "
                "benefit from our services, and where needed pass your details to our reseller "
                "partner in your area. We do this on the basis of the legitimate interest of "
                "F-Secure and your employer; you can object to it.",
            ),
        },
    },
    {
        "slug": "profiling",
        "basis": "consent",
        "category": "profiling",
        "channels": ["email"],
        "consent_lifetime": "P24M",
        "retention": "Interest data deleted 12 months after you unsubscribe, unless you return",
        "pii_categories": ["Device data", "IP address", "Website activity", "Email address"],
        "texts": {
            "nl": (
                "Profilering van websitebezoek",
                "Wij koppelen uw activiteit op onze zakelijke webpagina's aan uw e-mailadres, "
                "zodat wij u berichten sturen over de oplossingen waarin u geïnteresseerd bent "
                "en niet alleen algemene marketing. Wij doen dit alleen met uw toestemming, die u "
                "op elk moment kunt intrekken; uw webverkeer buiten de websites van F-Secure "
                "leggen wij niet vast.",
            ),
            "nb": (
                "Profilering av nettstedsbesøk",
                "Vi knytter aktiviteten din på bedriftsnettsidene våre til e-postadressen din, "
                "slik at vi sender deg meldinger om løsningene du er interessert i, og ikke "
                "bare generell markedsføring. Dette gjør vi bare med ditt samtykke, som du når "
                "som helst kan trekke tilbake, og vi registrerer ikke nettrafikken din utenfor "
                "F-Secures nettsteder.",
            ),
            "en": (
                "Profiling of website visits",
                "We link your activity on our business web pages to your email address, so "
                "that we send you messages about the solutions you are interested in rather "
                "than only general marketing. We do this only with your consent, which you can "
                "withdraw at any time, and we do not record your web traffic outside "
                "F-Secure's websites.",
            ),
        },
    },
    {
        "slug": "surveys",
        "basis": "legitimate_interest",
        "category": "research",
        "channels": ["email"],
        "retention": _CUSTOMER_RETENTION,
        "pii_categories": ["Name", "Email address", "Company"],
        "texts": {
            "nl": (
                "Klantenenquêtes en feedback",
                "Wij vragen u af en toe om uw mening over onze producten en services, zodat wij "
                "ze kunnen verbeteren. Wij doen dit op grond van ons gerechtvaardigd belang; u "
                "kunt hier bezwaar tegen maken.",
            ),
            "nb": (
                "Kundeundersøkelser og tilbakemeldinger",
                "Vi ber deg av og til om din mening om produktene og tjenestene våre, slik at vi "
                "kan forbedre dem. Vi gjør dette på grunnlag av vår berettigede interesse, og du "
                "kan protestere mot det.",
            ),
            "en": (
                "Customer surveys and feedback",
                "Now and then we ask for your opinion of our products and services so that we "
                "can improve them. We do this on the basis of our legitimate interest; you can "
                "object to it.",
            ),
        },
    },
    {
        "slug": "licence-delivery",
        "basis": "contract",
        "category": "service",
        "channels": ["email"],
        "retention": _CUSTOMER_RETENTION,
        "pii_categories": ["Name", "Job title", "Email address", "Licensed legal entity"],
        "texts": {
            "nl": (
                "Levering van licentiecertificaten",
                "Wij sturen u het licentiecertificaat, technische informatie over uw producten "
                "en berichten over bestellingen en verlengingen. Dit is nodig voor de uitvoering "
                "van de overeenkomst met uw organisatie; u blijft deze berichten ontvangen "
                "zolang de overeenkomst loopt.",
            ),
            "nb": (
                "Levering av lisenssertifikater",
                "Vi sender deg lisenssertifikatet, teknisk informasjon om produktene dine og "
                "meldinger om bestillinger og fornyelser. Dette er nødvendig for å oppfylle "
                "avtalen med organisasjonen din, og du fortsetter å motta disse meldingene så "
                "lenge avtalen løper.",
            ),
            "en": (
                "Licence certificate delivery",
                "We send you the licence certificate, technical information about your products "
                "and messages about orders and renewals. This is needed to perform the "
                "agreement with your organisation; you keep receiving these messages while the "
                "agreement runs.",
            ),
        },
    },
    {
        "slug": "invoices",
        "basis": "contract",
        "category": "service",
        "channels": ["email", "post"],
        "retention": _CUSTOMER_RETENTION,
        "pii_categories": ["Name", "Email address", "Postal address", "Licensed legal entity"],
        "texts": {
            "nl": (
                "Facturering",
                "Wij sturen facturen voor de overeengekomen services naar u als contactpersoon "
                "van uw organisatie. Dit is nodig voor de uitvoering van de overeenkomst.",
            ),
            "nb": (
                "Fakturering",
                "Vi sender fakturaer for de avtalte tjenestene til deg som kontaktperson for "
                "organisasjonen din. Dette er nødvendig for å oppfylle avtalen.",
            ),
            "en": (
                "Invoicing",
                "We send invoices for the agreed services to you as your organisation's contact "
                "person. This is needed to perform the agreement.",
            ),
        },
    },
]

CAST = [
    {
        "email": "mark.degroot@example.nl",
        "locale": "nl",
        "story": "customer",
        "contract": "FS-2024-0117",
        "extra_consents": ["profiling"],
    },
    {"email": "pieter.jansen@example.nl", "locale": "nl", "story": "withdrew"},
    {
        "email": "emma.bakker@example.nl",
        "locale": "nl",
        "story": "objected",
        "contract": "FS-2023-0932",
    },
    {"email": "lars.virtanen@example.com", "locale": "en", "story": "pending"},
    {"email": "sanne.visser@example.nl", "locale": "nl", "story": "lapsed"},
]
