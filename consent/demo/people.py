"""The demo people: who they are and the story each lives through, per demo controller.

The controllers and their purposes come from the catalogue files beside this module;
`contract` names the purpose whose contract the customer stories assert (evidence: the
contract number of the person).
"""

PEOPLE = {
    "f-secure": {
        "contract": "licence-delivery",
        "cast": [
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
        ],
    },
    "superoffice": {
        "contract": "free-trial",
        "cast": [
            {
                "email": "ingrid.hansen@example.no",
                "locale": "nb",
                "story": "customer",
                "contract": "SO-48213",
            },
            {"email": "jeroen.smit@example.nl", "locale": "nl", "story": "withdrew"},
            {
                "email": "tom.evans@example.com",
                "locale": "en",
                "story": "objected",
                "contract": "SO-11802",
            },
            {"email": "sophie.mulder@example.nl", "locale": "nl", "story": "pending"},
        ],
    },
    "netsecurity": {
        "contract": "account",
        "cast": [
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
        ],
    },
    "topdesk": {
        "contract": "service",
        "cast": [
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
        ],
    },
    "kaspersky": {
        "contract": "support",
        "cast": [
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
        ],
    },
}
