"""Privacy rules a steward or operator meets: a weak pseudonym key, digits Samla does not read, a month not over."""

MESSAGES = {
    # {name} is the setting (SAMLA_PSEUDONYM_KEY, or the new key of rotate-key); {recipe} a command making a key
    "privacy.key_weak": {
        "sv": "{name} är ingen stark hemlighet: {why}. Skapa en nyckel med: {recipe}",
        "en": "{name} is not a strong secret: {why}. Make a key with: {recipe}",
    },
    "privacy.key_blank": {"sv": "den består bara av blanksteg", "en": "it is only whitespace"},
    "privacy.key_few_characters": {
        "sv": "den har bara {count} olika tecken (minst {minimum} behövs)",
        "en": "it has only {count} different characters (at least {minimum} are needed)",
    },
    "privacy.key_recipe": {"sv": "Skapa en nyckel med: {recipe}", "en": "Make a key with: {recipe}"},
    # a cell of a numeric or date column written with digits other than 0-9 (Arabic-Indic, Devanagari …)
    "privacy.foreign_digits": {
        "sv": "{column}: {value} har andra siffror än 0–9; skriv med vanliga siffror",
        "en": "{column}: {value} has digits other than 0-9; write it with ordinary digits",
    },
    # an integer column holding 1e3 or 2E+2 (a spreadsheet's scientific notation)
    "privacy.integer_exponent": {
        "sv": "{column}: {value} är skrivet i exponentform; skriv heltalet med siffror (1000, inte 1e3)",
        "en": "{column}: {value} is written in exponent form; write the whole number in digits (1000, not 1e3)",
    },
    # a participants snapshot (state at the end of a month) delivered before that month ended
    "privacy.month_not_over": {
        "sv": "Filen gäller {period}, en månad som inte är slut än (i dag är det {today}): deltagarfilen är en "
              "ögonblicksbild vid månadens slut. Leverera den när månaden är slut.",
        "en": "The file is for {period}, a month that has not ended yet (today is {today}): the participants file "
              "is a snapshot at the month's end. Deliver it once the month is over.",
    },
}
