"""SuperOffice AS, from its Dutch privacy statement published on 20 March 2018."""

CONTROLLER = {
    "slug": "superoffice",
    "name": "SuperOffice AS",
    "address": {
        "streetAddress": "Wergelandsveien 27",
        "addressLocality": "Oslo",
        "postalCode": "0167",
        "addressCountry": "NO",
    },
    "phone": "",
    "contact_email": "privacy@superoffice.com",
    "dpo_email": "privacy@superoffice.com",
    "jurisdiction": "NO",
    "authority_name": "Autoriteit Persoonsgegevens",
    "authority_url": "https://autoriteitpersoonsgegevens.nl",
    "policy_url": "https://www.superoffice.nl/privacy/",
    "policy_version": "2018-03-20",
    "default_locale": "nl",
    "inactive_retention": "P24M",
}

CONTRACT = "invoices"

_CONTACT = ["Name", "Phone number", "Job title", "Email address", "Company"]
_AFTER_LAST = "A reasonable period after your last interaction with us"

PURPOSES = [
    {
        "slug": "newsletter",
        "basis": "consent",
        "category": "direct_marketing",
        "channels": ["email"],
        "consent_lifetime": "P24M",
        "double_opt_in": True,
        "retention": "Until you withdraw consent, then a reasonable period",
        "pii_categories": _CONTACT,
        "texts": {
            "nl": (
                "Nieuwsbrief en marketingcommunicatie",
                "Wij sturen u de marketingcommunicatie waarom u hebt gevraagd: informatie over "
                "onze producten en diensten, evenementen, activiteiten en promoties van "
                "producten en diensten van onze partners. Dit gebeurt op abonnementsbasis en "
                "met uw toestemming, die u op elk moment kunt intrekken via de link voor het "
                "beheer van uw abonnementen in elke e-mail.",
            ),
            "nb": (
                "Nyhetsbrev og markedsføring",
                "Vi sender deg markedsføringen du har bedt om: informasjon om produktene og "
                "tjenestene våre, arrangementer, aktiviteter og kampanjer for produkter og "
                "tjenester fra partnerne våre. Dette skjer som et abonnement og med ditt "
                "samtykke, som du når som helst kan trekke tilbake via lenken for å "
                "administrere abonnementene dine i hver e-post.",
            ),
            "en": (
                "Newsletter and marketing emails",
                "We send you the marketing communication you asked for: news about our products "
                "and services, events, activities and promotions of our partners' products and "
                "services. It is a subscription based on your consent, which you can withdraw at "
                "any time through the subscription link in every email.",
            ),
        },
    },
    {
        "slug": "customer-marketing",
        "basis": "legitimate_interest",
        "category": "direct_marketing",
        "channels": ["email"],
        "retention": _AFTER_LAST,
        "pii_categories": _CONTACT,
        "texts": {
            "nl": (
                "Informatie over uw SuperOffice-producten",
                "Als klant sturen wij u informatie over de producten en diensten die u bij ons "
                "hebt gekocht en over aanvullende mogelijkheden. Wij doen dit op grond van ons "
                "gerechtvaardigd belang; u kunt hier op elk moment bezwaar tegen maken.",
            ),
            "nb": (
                "Informasjon om SuperOffice-produktene dine",
                "Som kunde får du informasjon fra oss om produktene og tjenestene du har kjøpt, "
                "og om tilleggsmuligheter. Vi gjør dette på grunnlag av vår berettigede "
                "interesse, og du kan når som helst protestere mot det.",
            ),
            "en": (
                "About your SuperOffice products",
                "As a customer you receive information from us about the products and services "
                "you bought and related options. We do this on the basis of our legitimate "
                "interest; you can object at any time.",
            ),
        },
    },
    {
        "slug": "sales-calls",
        "basis": "legitimate_interest",
        "category": "direct_marketing",
        "channels": ["phone"],
        "retention": _AFTER_LAST,
        "pii_categories": _CONTACT,
        "texts": {
            "nl": (
                "Directe verkoop",
                "Wij nemen contact met u op voor directe verkoop wanneer wij een wederzijds "
                "belang voor u en SuperOffice hebben vastgesteld. Dit berust op ons "
                "gerechtvaardigd belang; u kunt hier bezwaar tegen maken.",
            ),
            "nb": (
                "Direktesalg",
                "Vi kontakter deg for direktesalg når vi har fastslått en felles interesse for "
                "deg og SuperOffice. Dette bygger på vår berettigede interesse, og du kan "
                "protestere mot det.",
            ),
            "en": (
                "Direct sales",
                "We contact you for direct sales when we have established a mutual interest for "
                "you and SuperOffice. This rests on our legitimate interest; you can object to "
                "it.",
            ),
        },
    },
    {
        "slug": "invoices",
        "basis": "contract",
        "category": "service",
        "channels": ["email", "post"],
        "retention": "Contract term, then as long as the law requires",
        "pii_categories": _CONTACT,
        "third_parties": ["SuperOffice partners that hold your contract"],
        "texts": {
            "nl": (
                "Opdrachtbevestigingen, licenties en facturen",
                "Wij sturen u opdrachtbevestigingen, licentiedetails, facturen en herinneringen. "
                "Dit is nodig voor de uitvoering van de overeenkomst met SuperOffice of een "
                "partner van SuperOffice; u blijft deze berichten ontvangen, ook als u zich "
                "afmeldt voor marketing.",
            ),
            "nb": (
                "Ordrebekreftelser, lisenser og fakturaer",
                "Vi sender deg ordrebekreftelser, lisensdetaljer, fakturaer og purringer. Dette "
                "er nødvendig for å oppfylle avtalen med SuperOffice eller en SuperOffice-"
                "partner, og du fortsetter å få disse meldingene selv om du melder deg av "
                "markedsføring.",
            ),
            "en": (
                "Order confirmations, licences and invoices",
                "We send you order confirmations, licence details, invoices and reminders. This "
                "is needed to perform the agreement with SuperOffice or a SuperOffice partner; "
                "you keep receiving these even if you unsubscribe from marketing.",
            ),
        },
    },
    {
        "slug": "service-alerts",
        "basis": "contract",
        "category": "service",
        "channels": ["email"],
        "retention": "Contract term",
        "pii_categories": ["Name", "Email address"],
        "texts": {
            "nl": (
                "Systeemberichten bij storingen",
                "Wij waarschuwen u bij een storing in onze dienstverlening. Deze systeemberichten "
                "horen bij de uitvoering van de overeenkomst en blijven komen zolang u de dienst "
                "gebruikt.",
            ),
            "nb": (
                "Systemvarsler ved driftsforstyrrelser",
                "Vi varsler deg når det er en driftsforstyrrelse i tjenestene våre. Disse "
                "systemvarslene hører til oppfyllelsen av avtalen og kommer så lenge du bruker "
                "tjenesten.",
            ),
            "en": (
                "System notices about outages",
                "We warn you when our service is disrupted. These system messages are part of "
                "performing the agreement and keep coming while you use the service.",
            ),
        },
    },
    {
        "slug": "webinars",
        "basis": "contract",
        "category": "events",
        "channels": ["email"],
        "retention": _AFTER_LAST,
        "pii_categories": _CONTACT,
        "texts": {
            "nl": (
                "Webinars en evenementen",
                "Hebt u zich aangemeld voor een webinar of evenement, dan sturen wij u "
                "informatie over de inhoud en de locatie. Dit is nodig om uw aanmelding uit te "
                "voeren.",
            ),
            "nb": (
                "Webinarer og arrangementer",
                "Har du meldt deg på et webinar eller arrangement, sender vi deg informasjon om "
                "innholdet og stedet. Dette er nødvendig for å gjennomføre påmeldingen din.",
            ),
            "en": (
                "Webinars and events",
                "When you have signed up for a webinar or event, we send you information about "
                "its content and location. This is needed to carry out your registration.",
            ),
        },
    },
    {
        "slug": "support",
        "basis": "contract",
        "category": "support",
        "channels": ["email", "phone"],
        "retention": _AFTER_LAST,
        "pii_categories": _CONTACT + ["Messages and call notes"],
        "texts": {
            "nl": (
                "Klantondersteuning",
                "Wij geven opvolging aan uw verzoeken via klantondersteuning, e-mail, chat of "
                "telefoon en geven toegang tot het portaal Klantondersteuning en de SuperOffice "
                "Community. Dit is nodig voor de uitvoering van de overeenkomst.",
            ),
            "nb": (
                "Kundestøtte",
                "Vi følger opp henvendelsene dine via kundestøtte, e-post, chat eller telefon og "
                "gir tilgang til kundestøtteportalen og SuperOffice Community. Dette er "
                "nødvendig for å oppfylle avtalen.",
            ),
            "en": (
                "Customer support",
                "We follow up your requests through customer support, email, chat or phone, and "
                "give access to the support portal and the SuperOffice Community. This is "
                "needed to perform the agreement.",
            ),
        },
    },
    {
        "slug": "surveys",
        "basis": "legitimate_interest",
        "category": "research",
        "channels": ["email", "phone"],
        "retention": _AFTER_LAST,
        "pii_categories": _CONTACT,
        "texts": {
            "nl": (
                "Uw mening over onze producten",
                "Wij nemen contact met u op om uw mening te peilen over onze producten en "
                "diensten. Wij doen dit op grond van ons gerechtvaardigd belang; u kunt hier "
                "bezwaar tegen maken.",
            ),
            "nb": (
                "Din mening om produktene våre",
                "Vi kontakter deg for å høre din mening om produktene og tjenestene våre. Vi gjør "
                "dette på grunnlag av vår berettigede interesse, og du kan protestere mot det.",
            ),
            "en": (
                "Your opinion of our products",
                "We contact you to ask your opinion of our products and services. We do this on "
                "the basis of our legitimate interest; you can object to it.",
            ),
        },
    },
]

CAST = [
    {
        "email": "ingrid.hansen@example.no",
        "locale": "nb",
        "story": "customer",
        "contract": "SO-48213",
    },
    {"email": "jeroen.smit@example.nl", "locale": "nl", "story": "withdrew"},
    {"email": "tom.evans@example.com", "locale": "en", "story": "objected", "contract": "SO-11802"},
    {"email": "sophie.mulder@example.nl", "locale": "nl", "story": "pending"},
]
