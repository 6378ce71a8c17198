"""Netsecurity AS, from its Norwegian privacy statement (Vi bryr om ditt personvern).

The statement gives no postal address or telephone number; only the country is filled in.
"""

CONTROLLER = {
    "slug": "netsecurity",
    "name": "Netsecurity AS",
    "address": {
        "streetAddress": "",
        "addressLocality": "",
        "postalCode": "",
        "addressCountry": "NO",
    },
    "phone": "",
    "contact_email": "personvern@netsecurity.no",
    "dpo_email": "personvern@netsecurity.no",
    "jurisdiction": "NO",
    "authority_name": "Datatilsynet",
    "authority_url": "https://www.datatilsynet.no",
    "policy_url": "https://www.netsecurity.no/personvernerklaring",
    "policy_version": "1.0",
    "default_locale": "nb",
    "inactive_retention": "P5Y",
}

CONTRACT = "delivery"

_CONTACT = ["Name", "Email address", "Phone number", "Employer", "Job title"]
_AS_NEEDED = "As long as needed for the purpose"

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
            "nb": (
                "Nyhetsbrev",
                "Vi informerer deg om nye produkter, tjenester og kampanjer vi kan tilby. Dette "
                "gjør vi med ditt samtykke, og du kan når som helst trekke samtykket tilbake via "
                "lenken i hver e-post.",
            ),
            "nl": (
                "Nieuwsbrief",
                "Wij informeren u over nieuwe producten, diensten en acties die wij kunnen "
                "aanbieden. Wij doen dit met uw toestemming, die u op elk moment kunt intrekken "
                "via de link in elke e-mail.",
            ),
            "en": (
                "Newsletter",
                "We tell you about new products, services and campaigns we can offer. We do this "
                "with your consent, which you can withdraw at any time through the link in every "
                "email.",
            ),
        },
    },
    {
        "slug": "customer-marketing",
        "basis": "legitimate_interest",
        "category": "direct_marketing",
        "channels": ["email"],
        "retention": "During the customer relationship",
        "pii_categories": _CONTACT,
        "texts": {
            "nb": (
                "Markedsføring til eksisterende kunder",
                "Har du et kundeforhold til oss, kan vi kontakte deg om lignende produkter og "
                "tjenester og for kundeoppfølging, slik markedsføringsloven tillater. Dette "
                "bygger på vår berettigede interesse, og du kan når som helst protestere mot "
                "det.",
            ),
            "nl": (
                "Marketing voor bestaande klanten",
                "Hebt u een klantrelatie met ons, dan kunnen wij u benaderen over vergelijkbare "
                "producten en diensten en voor klantopvolging, zoals de wet toestaat. Dit berust "
                "op ons gerechtvaardigd belang; u kunt hier op elk moment bezwaar tegen maken.",
            ),
            "en": (
                "Marketing to existing customers",
                "If you are our customer, we may contact you about similar products and "
                "services and for customer follow-up, as the law allows. This rests on our "
                "legitimate interest; you can object at any time.",
            ),
        },
    },
    {
        "slug": "delivery",
        "basis": "contract",
        "category": "service",
        "channels": ["email"],
        "retention": _AS_NEEDED,
        "pii_categories": _CONTACT + ["Account data"],
        "texts": {
            "nb": (
                "Levering av produkter og tjenester",
                "Vi bruker personopplysningene dine til å levere produktene og tjenestene våre, "
                "behandle forespørslene dine og identifisere deg ved levering. Dette er "
                "nødvendig for å oppfylle avtalen mellom deg og Netsecurity.",
            ),
            "nl": (
                "Levering van producten en diensten",
                "Wij gebruiken uw persoonsgegevens om onze producten en diensten te leveren, uw "
                "verzoeken af te handelen en u bij de levering te identificeren. Dit is nodig "
                "voor de uitvoering van de overeenkomst tussen u en Netsecurity.",
            ),
            "en": (
                "Delivery of products and services",
                "We use your personal data to deliver our products and services, handle your "
                "requests and identify you for delivery. This is needed to perform the agreement "
                "between you and Netsecurity.",
            ),
        },
    },
    {
        "slug": "service-notices",
        "basis": "contract",
        "category": "service",
        "channels": ["email"],
        "retention": _AS_NEEDED,
        "pii_categories": ["Name", "Email address"],
        "texts": {
            "nb": (
                "Kritiske varsler om tjenestene",
                "Vi informerer deg når tjenestene våre har endret seg, og sender deg kritiske "
                "varsler knyttet til produktene og tjenestene dine. Dette hører til "
                "oppfyllelsen av avtalen, og du fortsetter å motta slike varsler.",
            ),
            "nl": (
                "Kritieke meldingen over de diensten",
                "Wij informeren u wanneer onze diensten zijn gewijzigd en sturen u kritieke "
                "meldingen over uw producten en diensten. Dit hoort bij de uitvoering van de "
                "overeenkomst; u blijft deze meldingen ontvangen.",
            ),
            "en": (
                "Critical service notices",
                "We tell you when our services have changed and send you critical notices about "
                "your products and services. This is part of performing the agreement; you keep "
                "receiving these notices.",
            ),
        },
    },
    {
        "slug": "surveys",
        "basis": "consent",
        "category": "research",
        "channels": ["email"],
        "consent_lifetime": "P24M",
        "retention": "Until you withdraw consent",
        "pii_categories": _CONTACT,
        "texts": {
            "nb": (
                "Markedsundersøkelser",
                "Vi inviterer deg til å delta i markedsundersøkelser om produktene og tjenestene "
                "våre. Dette gjør vi bare med ditt samtykke, som du når som helst kan trekke "
                "tilbake.",
            ),
            "nl": (
                "Marktonderzoek",
                "Wij nodigen u uit voor marktonderzoek over onze producten en diensten. Wij doen "
                "dit alleen met uw toestemming, die u op elk moment kunt intrekken.",
            ),
            "en": (
                "Market research",
                "We invite you to take part in market research about our products and services. "
                "We do this only with your consent, which you can withdraw at any time.",
            ),
        },
    },
    {
        "slug": "recommendations",
        "basis": "consent",
        "category": "profiling",
        "channels": ["email"],
        "consent_lifetime": "P24M",
        "retention": "Until you withdraw consent",
        "pii_categories": ["Email address", "Product and service use"],
        "third_parties": ["Third-party content and advertising shown in our services"],
        "texts": {
            "nb": (
                "Tilpassede anbefalinger",
                "Vi bruker personopplysningene dine til å tilpasse tilbudet vårt, lage "
                "anbefalinger og vise tilpasset innhold og annonsering fra Netsecurity og "
                "tredjeparter. Dette gjør vi med ditt samtykke, som du når som helst kan trekke "
                "tilbake.",
            ),
            "nl": (
                "Persoonlijke aanbevelingen",
                "Wij gebruiken uw persoonsgegevens om ons aanbod af te stemmen, aanbevelingen te "
                "doen en aangepaste inhoud en advertenties van Netsecurity en derden te tonen. "
                "Wij doen dit met uw toestemming, die u op elk moment kunt intrekken.",
            ),
            "en": (
                "Personalised recommendations",
                "We use your personal data to tailor our offer, make recommendations and show "
                "tailored content and advertising from Netsecurity and third parties. We do this "
                "with your consent, which you can withdraw at any time.",
            ),
        },
    },
    {
        "slug": "invoices",
        "basis": "legal_obligation",
        "category": "service",
        "channels": ["email"],
        "retention": "As long as accounting law (regnskapsloven) requires",
        "pii_categories": ["Name", "Email address", "Employer", "Invoice details"],
        "texts": {
            "nb": (
                "Fakturaer og regnskap",
                "Vi sender deg fakturaer og oppbevarer regnskapsopplysninger så lenge "
                "regnskapslovgivningen krever det. Dette er en rettslig forpliktelse og kan ikke "
                "velges bort.",
            ),
            "nl": (
                "Facturen en boekhouding",
                "Wij sturen u facturen en bewaren boekhoudgegevens zo lang als de "
                "boekhoudwetgeving voorschrijft. Dit is een wettelijke verplichting waarvoor u "
                "zich niet kunt afmelden.",
            ),
            "en": (
                "Invoices and bookkeeping",
                "We send you invoices and keep accounting records for as long as accounting law "
                "requires. This is a legal obligation and cannot be opted out of.",
            ),
        },
    },
]

CAST = [
    {
        "email": "ola.nordmann@example.no",
        "locale": "nb",
        "story": "customer",
        "contract": "NS-2024-311",
        "extra_consents": ["recommendations"],
    },
    {
        "email": "kari.nordmann@example.no",
        "locale": "nb",
        "story": "objected",
        "contract": "NS-2022-078",
    },
    {"email": "erik.larsen@example.no", "locale": "nb", "story": "pending"},
    {"email": "sarah.miller@example.com", "locale": "en", "story": "withdrew"},
]
