"""AO Kaspersky Lab, from its Dutch privacy statement for technical support.

The statement covers technical support only. The newsletter and customer-marketing purposes
are demo additions every controller carries; their notices say only what a consent or the
existing-customer exception allows, in the statement's own vocabulary.
"""

CONTROLLER = {
    "slug": "kaspersky",
    "name": "AO Kaspersky Lab",
    "address": {
        "streetAddress": "39A/3 Leningradskoe Shosse",
        "addressLocality": "Moscow",
        "postalCode": "125212",
        "addressCountry": "RU",
    },
    "phone": "+49 841 98 18 90",
    "contact_email": "info@kaspersky.de",
    "dpo_email": "dpo@kaspersky.com",
    "jurisdiction": "RU",
    "authority_name": "Autoriteit Persoonsgegevens",
    "authority_url": "https://autoriteitpersoonsgegevens.nl",
    "policy_url": "https://www.kaspersky.com/global-privacy-policy",
    "policy_version": "1.0",
    "default_locale": "nl",
    "inactive_retention": "P3Y",
}

CONTRACT = "support"

_NO_LONGER = "No longer than necessary for the purpose"
_GROUP = ["Kaspersky Lab group companies", "External technical service providers"]

PURPOSES = [
    {
        "slug": "newsletter",
        "basis": "consent",
        "category": "direct_marketing",
        "channels": ["email"],
        "consent_lifetime": "P24M",
        "double_opt_in": True,
        "retention": "Until you withdraw consent",
        "pii_categories": ["Name", "Email address", "Country"],
        "texts": {
            "nl": (
                "Nieuwsbrief",
                "Wij sturen u per e-mail nieuws over Kaspersky-producten en beveiligingstips. "
                "Wij doen dit alleen met uw toestemming, die u op elk moment met betrekking tot "
                "de toekomst kunt intrekken.",
            ),
            "nb": (
                "Nyhetsbrev",
                "Vi sender deg nyheter om Kaspersky-produkter og sikkerhetstips på e-post. Dette "
                "gjør vi bare med ditt samtykke, som du når som helst kan trekke tilbake med "
                "virkning fremover.",
            ),
            "en": (
                "Newsletter",
                "We email you news about Kaspersky products and security tips. We do this only "
                "with your consent, which you can withdraw at any time with effect for the "
                "future.",
            ),
        },
    },
    {
        "slug": "customer-marketing",
        "basis": "legitimate_interest",
        "category": "direct_marketing",
        "channels": ["email"],
        "retention": _NO_LONGER,
        "pii_categories": ["Name", "Email address", "Kaspersky e-store order details"],
        "texts": {
            "nl": (
                "Aanbiedingen voor bestaande klanten",
                "Hebt u in de Kaspersky e-store gekocht, dan kunnen wij u informeren over "
                "verlengingen en vergelijkbare producten. Wij doen dit op grond van ons "
                "gerechtvaardigd belang; u kunt hier op elk moment bezwaar tegen maken.",
            ),
            "nb": (
                "Tilbud til eksisterende kunder",
                "Har du kjøpt i Kaspersky e-store, kan vi informere deg om fornyelser og "
                "lignende produkter. Vi gjør dette på grunnlag av vår berettigede interesse, og "
                "du kan når som helst protestere mot det.",
            ),
            "en": (
                "Offers for existing customers",
                "If you bought from the Kaspersky e-store, we may tell you about renewals and "
                "similar products. We do this on the basis of our legitimate interest; you can "
                "object at any time.",
            ),
        },
    },
    {
        "slug": "support",
        "basis": "contract",
        "category": "support",
        "channels": ["email", "phone"],
        "retention": _NO_LONGER,
        "pii_categories": [
            "Name",
            "Email address",
            "Phone number",
            "Static IP address",
            "Call, chat, email and ticket content",
            "Call and remote-session recordings",
            "Uploaded files",
            "Activation code and licence number",
        ],
        "third_parties": _GROUP,
        "texts": {
            "nl": (
                "Technische ondersteuning",
                "Wij gebruiken uw persoonsgegevens om u via chat, e-mail en telefoon van "
                "technische ondersteuning te voorzien. Deze verwerking is noodzakelijk voor de "
                "uitvoering van de overeenkomst tussen Kaspersky en u (art. 6 lid 1 sub b AVG).",
            ),
            "nb": (
                "Teknisk støtte",
                "Vi bruker personopplysningene dine til å gi deg teknisk støtte via chat, e-post "
                "og telefon. Behandlingen er nødvendig for å oppfylle avtalen mellom Kaspersky "
                "og deg (personvernforordningen art. 6 nr. 1 bokstav b).",
            ),
            "en": (
                "Technical support",
                "We use your personal data to give you technical support by chat, email and "
                "phone. This processing is necessary to perform the agreement between Kaspersky "
                "and you (GDPR Art. 6(1)(b)).",
            ),
        },
    },
    {
        "slug": "service-quality",
        "basis": "legitimate_interest",
        "category": "research",
        "channels": ["email"],
        "retention": _NO_LONGER,
        "pii_categories": ["Call, chat, email and ticket content", "Time and date of contact"],
        "third_parties": _GROUP,
        "texts": {
            "nl": (
                "Verbetering van onze dienstkwaliteit",
                "Wij gebruiken uw gegevens om onze dienstkwaliteit te verbeteren en uw verzoeken "
                "beter te begrijpen in vergelijking met eerdere chats. Dit berust op ons "
                "gerechtvaardigd belang (art. 6 lid 1 sub f AVG); u kunt hier op elk moment "
                "bezwaar tegen maken.",
            ),
            "nb": (
                "Forbedring av tjenestekvaliteten",
                "Vi bruker opplysningene dine til å forbedre tjenestekvaliteten og forstå "
                "henvendelsene dine bedre sammenlignet med tidligere chatter. Dette bygger på "
                "vår berettigede interesse (personvernforordningen art. 6 nr. 1 bokstav f), og "
                "du kan når som helst protestere mot det.",
            ),
            "en": (
                "Improving our service quality",
                "We use your details to improve our service quality and understand your requests "
                "better compared with earlier chats. This rests on our legitimate interest (GDPR "
                "Art. 6(1)(f)); you can object at any time.",
            ),
        },
    },
    {
        "slug": "refunds",
        "basis": "contract",
        "category": "service",
        "channels": ["email"],
        "retention": _NO_LONGER,
        "pii_categories": ["Bank account number", "Billing address", "E-store order details"],
        "texts": {
            "nl": (
                "Terugbetalingen",
                "Moet een aankoop via overboeking worden terugbetaald, dan gebruiken wij uw "
                "bankrekeningnummer, factuuradres en de bestelgegevens uit de Kaspersky e-store. "
                "Dit is nodig voor de uitvoering van de overeenkomst.",
            ),
            "nb": (
                "Tilbakebetalinger",
                "Må et kjøp betales tilbake via bankoverføring, bruker vi kontonummeret ditt, "
                "fakturaadressen og bestillingsopplysningene fra Kaspersky e-store. Dette er "
                "nødvendig for å oppfylle avtalen.",
            ),
            "en": (
                "Refunds",
                "When a purchase must be refunded by bank transfer, we use your bank account "
                "number, billing address and the Kaspersky e-store order details. This is needed "
                "to perform the agreement.",
            ),
        },
    },
]

CAST = [
    {
        "email": "daan.meijer@example.nl",
        "locale": "nl",
        "story": "customer",
        "contract": "KL-77120934",
    },
    {"email": "lisa.vandijk@example.nl", "locale": "nl", "story": "pending"},
    {"email": "noah.peeters@example.nl", "locale": "nl", "story": "withdrew"},
    {
        "email": "olivia.brown@example.com",
        "locale": "en",
        "story": "erased",
        "contract": "KL-55310077",
    },
]
