"""The five seed privacy statements as demo data: one module per controller.

Each module holds CONTROLLER (identity fields), PURPOSES (with their notice texts in nl, nb
and en, written from the statement's own wording), CONTRACT (the slug of the contract purpose
the demo histories assert) and CAST (demo people and the story each one lives through).
docs/demo.md says where in each statement every purpose comes from.
"""

from consent.demo.statements import f_secure, kaspersky, netsecurity, superoffice, topdesk

STATEMENTS = (f_secure, superoffice, netsecurity, topdesk, kaspersky)
