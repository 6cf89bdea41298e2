"""What the operator reads about the reporting warehouse: its schema version and the reporting role."""

MESSAGES = {
    "warehouse.role_invalid": {
        "sv": "{name}={raw}: ett rollnamn med små bokstäver a–z, siffror och _ (högst 63 tecken, inte "
              "först en siffra), t.ex. samla_reporting",
        "en": "{name}={raw}: a role name of lower-case letters a–z, digits and _ (at most 63 characters, "
              "not starting with a digit), e.g. samla_reporting",
    },
    "warehouse.revision_none": {
        "sv": "tomt lager",
        "en": "empty warehouse",
    },
    "warehouse.revision_unversioned": {
        "sv": "utan version (känd som {base})",
        "en": "unversioned (recognised as {base})",
    },
    "warehouse.upgraded": {
        "sv": "Lagret {url}: schemat uppgraderat från {before} till {after}.",
        "en": "Warehouse {url}: schema upgraded from {before} to {after}.",
    },
    "warehouse.current": {
        "sv": "Lagret {url}: schemat är redan aktuellt ({after}); inget ändrat.",
        "en": "Warehouse {url}: the schema is already current ({after}); nothing changed.",
    },
    "warehouse.granted": {
        "sv": "Rollen {role} får läsa de publicerade tabellerna och vyerna (inte schemat restricted).",
        "en": "Role {role} may read the published tables and views (not schema restricted).",
    },
    "warehouse.no_grants_sqlite": {
        "sv": "SAMLA_REPORTING_ROLE={role} används inte: SQLite har inga roller (läsrätt ges av filens behörigheter).",
        "en": "SAMLA_REPORTING_ROLE={role} is not used: SQLite has no roles (file permissions govern reading).",
    },
    "cli_help.warehouse": {
        "sv": "rapportlagret: uppgradera schemat",
        "en": "the reporting warehouse: upgrade its schema",
    },
    "cli_help.warehouse.description": {
        "sv": "Underhåll av rapportlagret (SAMLA_WAREHOUSE_URL).",
        "en": "Maintenance of the reporting warehouse (SAMLA_WAREHOUSE_URL).",
    },
    "cli_help.warehouse.upgrade": {
        "sv": "för lagrets schema till aktuell version (publicerad historik och publication_log behålls)",
        "en": "bring the warehouse's schema to the current version (published history and publication_log kept)",
    },
    "cli_help.warehouse.upgrade.description": {
        "sv": "Uppgraderar schemat i lagret i SAMLA_WAREHOUSE_URL till aktuell version i en transaktion, "
              "inklusive tabellen i schemat restricted. Ett lager från före versioneringen känns igen och "
              "märks med grundversionen först. Väntar på en pågående publicering. Vyerna skapas om och "
              "SAMLA_REPORTING_ROLE får läsrätt igen. Publiceringen gör samma sak av sig själv.",
        "en": "Upgrades the schema of the warehouse at SAMLA_WAREHOUSE_URL to the current version in one "
              "transaction, the table in schema restricted included. A warehouse from before versioning is "
              "recognised and stamped with the base revision first. Waits for a running publish. The views are "
              "made again and SAMLA_REPORTING_ROLE is granted read access again. Publishing does the same by itself.",
    },
}
