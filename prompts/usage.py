"""The usage line of each `/collab` subcommand that takes words, as a slip's reply and the help show it."""

USAGE = {
    "org add": "/collab org add <organisation name>",
    "org type": ("/collab org type <organisation> "
                 "<nhs trust|foundation trust|local authority|voluntary|independent|other>"),
    "org rename": "/collab org rename <organisation> to <new name>",
    "members add": "/collab members add @person <organisation> <chair|secretary|member|observer>",
    "members remove": "/collab members remove @person",
    "members nominate": "/collab members nominate @person",
    "history": "/collab history CB-2026-001",
    "reviews remove": "/collab reviews remove <number>",
}
CHECKLIST_USAGE = {
    "checklist open": "/collab checklist open [template] [closes YYYY-MM-DD]",
    "checklist close": "/collab checklist close [template]",
}
DELEGATION_USAGE = {
    "authority set": "/collab authority set @person <category> <limit> [from YYYY-MM-DD] [until YYYY-MM-DD]",
    "authority": "/collab authority [@person]",
    "chain": "/collab chain <organisation>",
    "deputy": "/collab deputy @approver @deputy <organisation> from YYYY-MM-DD until YYYY-MM-DD",
    "rule": "/collab rule <category> <consensus|unanimous|supermajority [2/3]|majority|advisory|default>",
}
