"""The stewards' portal (log-in, the check page, status pages) and its commands ``samla portal`` and
``samla portal-password``."""

MESSAGES = {
    "portal.name": {"sv": "Samla – för dataansvariga", "en": "Samla – for data stewards"},
    "portal.logged_in_as": {"sv": "Inloggad: {name}", "en": "Logged in: {name}"},
    "portal.logout": {"sv": "Logga ut", "en": "Log out"},
    "portal.refused_title": {"sv": "Det gick inte", "en": "Not possible"},
    "portal.back_home": {"sv": "Till startsidan", "en": "To the start page"},
    "portal.login.title": {"sv": "Logga in", "en": "Log in"},
    "portal.login.intro": {
        "sv": "Logga in med din e-postadress (den som projektkontoret har registrerat för er kommun) och "
              "lösenordet du fått från projektkontoret.",
        "en": "Log in with your e-mail address (the one the project office registered for your municipality) "
              "and the password the project office gave you."},
    "portal.login.email": {"sv": "E-postadress", "en": "E-mail address"},
    "portal.login.password": {"sv": "Lösenord", "en": "Password"},
    "portal.login.submit": {"sv": "Logga in", "en": "Log in"},
    "portal.login.wrong": {"sv": "Fel e-postadress eller lösenord.", "en": "Wrong e-mail address or password."},
    "portal.login.limited": {
        "sv": "För många misslyckade inloggningar. Vänta {minutes} minuter och försök igen, eller be "
              "projektkontoret om ett nytt lösenord.",
        "en": "Too many failed log-ins. Wait {minutes} minutes and try again, or ask the project office for a "
              "new password."},
    "portal.csrf_refused": {
        "sv": "Formuläret kom inte från den här sidan eller är för gammalt. Ladda om sidan och försök igen.",
        "en": "The form did not come from this page or is too old. Reload the page and try again."},
    "portal.login_needed": {"sv": "Logga in först.", "en": "Log in first."},
    "portal.not_yours": {
        "sv": "Den källan är inte din: du ser och kontrollerar bara filer för dina egna källor.",
        "en": "That source is not yours: you see and check files of your own sources only."},
    "portal.home.title": {"sv": "Dina källor", "en": "Your sources"},
    "portal.home.intro": {
        "sv": "Kontrollera en fil innan du levererar den, eller se hur dina leveranser har gått.",
        "en": "Check a file before you deliver it, or see how your deliveries went."},
    "portal.check_link": {"sv": "Kontrollera en fil", "en": "Check a file"},
    "portal.status_link": {"sv": "Leveranser och karantän", "en": "Deliveries and quarantine"},
    "portal.check.title": {"sv": "Kontrollera en fil före leverans: {source}",
                           "en": "Check a file before delivery: {source}"},
    "portal.check.intro": {
        "sv": "Filen kontrolleras med exakt samma regler som en leverans. Ingenting sparas: filen tas bort "
              "så snart svaret är klart.",
        "en": "The file is checked by exactly the rules of a delivery. Nothing is stored: the file is removed "
              "as soon as the answer is ready."},
    "portal.check.file": {"sv": "Filen du vill leverera", "en": "The file you mean to deliver"},
    "portal.check.file_hint": {
        "sv": "Namnet säger datamängd och period, som vid leverans ({pattern}). Högst {limit} byte.",
        "en": "Its name says the dataset and period, as in a delivery ({pattern}). At most {limit} bytes."},
    "portal.check.participants": {"sv": "Periodens deltagarfil (valfri)",
                                  "en": "The period's participants file (optional)"},
    "portal.check.participants_hint": {
        "sv": "För närvaro, enkät och aktiviteter: personerna kontrolleras mot deltagarfilen för samma period.",
        "en": "For attendance, survey and activities: the persons are checked against the participants file "
              "of the same period."},
    "portal.check.dataset": {"sv": "Datamängd", "en": "Dataset"},
    "portal.check.from_name": {"sv": "enligt filnamnet", "en": "as the file name says"},
    "portal.check.period": {"sv": "Period (valfri)", "en": "Period (optional)"},
    "portal.check.period_hint": {"sv": "ÅÅÅÅ-MM, annars enligt filnamnet", "en": "YYYY-MM, else as the file name says"},
    "portal.check.submit": {"sv": "Kontrollera", "en": "Check"},
    "portal.check.again": {"sv": "Kontrollera en fil till", "en": "Check another file"},
    "portal.check.no_file": {"sv": "Välj en fil att kontrollera.", "en": "Choose a file to check."},
    "portal.check.malformed": {"sv": "Formuläret kunde inte läsas. Ladda om sidan och försök igen.",
                               "en": "The form could not be read. Reload the page and try again."},
    "portal.check.too_large": {
        "sv": "Filen är för stor: en leverans får vara högst {limit} byte ({setting}). Inget har lästs eller "
              "sparats.",
        "en": "The file is too large: a delivery may be at most {limit} bytes ({setting}). Nothing was read "
              "or stored."},
    "portal.status.title": {"sv": "Leveranser: {source}", "en": "Deliveries: {source}"},
    "portal.status.deliveries": {
        "sv": "Senaste leveransen per datamängd och period (perioden visar karantänen)",
        "en": "The newest delivery per dataset and period (the period shows the quarantine)"},
    "portal.password_short": {"sv": "Lösenordet måste ha minst {n} tecken.",
                              "en": "The password must have at least {n} characters."},
    "portal.password_long": {"sv": "Lösenordet får vara högst {n} byte (UTF-8).",
                             "en": "The password may be at most {n} bytes (UTF-8)."},
    "cli_help.portal": {"sv": "webbsidorna för dataansvariga: kontroll före leverans och status",
                        "en": "the data stewards' web pages: check before delivery, and status"},
    "cli_help.portal.description": {
        "sv": "Startar portalen för dataansvariga på 127.0.0.1 (bakom samma proxy som Airflows gränssnitt). "
              "Dataansvariga loggar in med e-postadressen i källfilen och ett lösenord som sätts med "
              "`samla portal-password`.",
        "en": "Starts the data stewards' portal on 127.0.0.1 (behind the same proxy as Airflow's UI). Stewards "
              "log in with the e-mail address of the sources file and a password set with "
              "`samla portal-password`."},
    "cli_help.portal.host": {"sv": "adressen att lyssna på (standard 127.0.0.1)",
                             "en": "the address to listen on (default 127.0.0.1)"},
    "cli_help.portal.port": {"sv": "porten (standard 8090)", "en": "the port (default 8090)"},
    "cli_help.portal.root_path": {"sv": "sökvägen proxyn visar portalen under, t.ex. /samla-portal",
                                  "en": "the path the proxy shows the portal under, e.g. /samla-portal"},
    "cli_help.portal_password": {"sv": "sätt en dataansvarigs lösenord till portalen",
                                 "en": "set a data steward's portal password"},
    "cli_help.portal_password.description": {
        "sv": "Sätter lösenordet för en dataansvarig (en e-postadress som en källa i källfilen anger under "
              "steward). Lösenordet läses från terminalen, eller från standard in med --stdin; bara ett "
              "bcrypt-hash sparas, i datamappens portal/accounts.json.",
        "en": "Sets the password of a data steward (an e-mail address a source of the sources file names "
              "under steward). The password is read from the terminal, or from standard input with --stdin; "
              "only a bcrypt hash is stored, in the data folder's portal/accounts.json."},
    "cli_help.portal_password.stdin": {"sv": "läs lösenordet från standard in (en rad)",
                                       "en": "read the password from standard input (one line)"},
    "cli.portal.password_prompt": {"sv": "Nytt lösenord för {email}: ", "en": "New password for {email}: "},
    "cli.portal.password_again": {"sv": "Samma lösenord igen: ", "en": "The same password again: "},
    "cli.portal.password_mismatch": {"sv": "lösenorden var inte lika; inget ändrat",
                                     "en": "the passwords differ; nothing changed"},
    "cli.portal.password_set": {"sv": "lösenordet för {email} är satt ({file})",
                                "en": "the password of {email} is set ({file})"},
    "cli.portal.not_a_steward": {
        "sv": "{email} är ingen dataansvarig i källfilen (steward.email); kända: {known}",
        "en": "{email} is no data steward of the sources file (steward.email); known: {known}"},
    "cli.portal.serving": {"sv": "portalen för dataansvariga: {url} (avsluta med Ctrl+C)",
                           "en": "the data stewards' portal: {url} (stop with Ctrl+C)"},
}
