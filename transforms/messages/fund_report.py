"""Texts of the Excel fund report (transforms/publish/fund_report.py).

Words that are the same in both languages ("Period", "Region", "Status") are not
here: the catalogue holds only texts that need translating.
"""

MESSAGES = {
    # level, gender, kind, dataset and state labels
    "fund.level.federation": {"sv": "Delregion", "en": "Federation"},
    "fund.level.municipality": {"sv": "Kommun", "en": "Municipality"},
    "fund.gender.all": {"sv": "Totalt", "en": "Total"},
    "fund.gender.female": {"sv": "Kvinnor", "en": "Women"},
    "fund.gender.male": {"sv": "Män", "en": "Men"},
    "fund.gender.nonbinary": {"sv": "Icke-binära", "en": "Non-binary"},
    "fund.kind.count": {"sv": "Antal", "en": "Count"},
    "fund.kind.rate": {"sv": "Andel", "en": "Rate"},
    "fund.dataset.participants": {"sv": "Deltagare", "en": "Participants"},
    "fund.dataset.attendance": {"sv": "Närvaro", "en": "Attendance"},
    "fund.dataset.survey": {"sv": "Enkät", "en": "Survey"},
    "fund.dataset.activities": {"sv": "Aktiviteter", "en": "Activities"},
    "fund.state.missing": {"sv": "Saknas", "en": "Missing"},
    "fund.state.rejected": {"sv": "Avvisad", "en": "Rejected"},
    "fund.state.delivered": {"sv": "Levererad", "en": "Delivered"},
    # column labels
    "fund.col.level": {"sv": "Nivå", "en": "Level"},
    "fund.col.code": {"sv": "Kod", "en": "Code"},
    "fund.col.area": {"sv": "Område", "en": "Area"},
    "fund.col.indicator": {"sv": "Indikator", "en": "Indicator"},
    "fund.col.name": {"sv": "Benämning", "en": "Name"},
    "fund.col.gender": {"sv": "Kön", "en": "Gender"},
    "fund.col.value": {"sv": "Värde", "en": "Value"},
    "fund.col.numerator": {"sv": "Täljare", "en": "Numerator"},
    "fund.col.denominator": {"sv": "Nämnare", "en": "Denominator"},
    "fund.col.source": {"sv": "Källa", "en": "Source"},
    "fund.col.dataset": {"sv": "Datamängd", "en": "Dataset"},
    "fund.col.file": {"sv": "Fil", "en": "File"},
    "fund.col.snapshot": {"sv": "Förteckning från period", "en": "Register from period"},
    "fund.col.kind": {"sv": "Typ", "en": "Kind"},
    "fund.col.name_other": {"sv": "Name (English)", "en": "Benämning (svenska)"},
    "fund.col.definition": {"sv": "Definition (svenska)", "en": "Definition (English)"},
    "fund.col.definition_other": {"sv": "Definition (English)", "en": "Definition (svenska)"},
    # sheet titles and notes
    "fund.title.esf": {"sv": "ESF+ gemensamma indikatorer per kön – {project}, {period}",
                       "en": "ESF+ common indicators by gender – {project}, {period}"},
    "fund.title.series": {"sv": "ESF+ gemensamma indikatorer per kön – tidsserie",
                          "en": "ESF+ common indicators by gender – time series"},
    "fund.title.project": {"sv": "Projektets egna indikatorer – {project}", "en": "The project's own indicators – {project}"},
    "fund.title.definitions": {"sv": "Definitioner / Definitions", "en": "Definitions / Definitioner"},
    "fund.title.status": {"sv": "Dataläge – vad siffrorna vilar på", "en": "Data status – what the numbers rest on"},
    "fund.title.chart": {"sv": "Diagram per region och delregion", "en": "Charts per region and federation"},
    "fund.note.generated": {"sv": "Skapad {at}.", "en": "Generated {at}."},
    "fund.note.period": {"sv": "Period {period}. Skapad {at}.", "en": "Period {period}. Generated {at}."},
    "fund.note.periods": {"sv": "Perioder {first}–{last}. Skapad {at}.", "en": "Periods {first}–{last}. Generated {at}."},
    "fund.note.signs": {"sv": "”{suppressed}” = dold för att skydda enskilda: färre än {threshold} elever, eller för att "
                              "en annan dold cell annars kunde räknas fram. ”{na}” = kan inte beräknas. Se bladet {sheet}.",
                        "en": "”{suppressed}” = hidden to protect individuals: fewer than {threshold} pupils, or because "
                              "another hidden cell could otherwise be worked out. ”{na}” = cannot be computed. "
                              "See the sheet {sheet}."},
    "fund.note.print_series": {
        "sv": ("Utskrift: tabellen ({n} rad) skrivs inte ut; filtrera den i Excel. Senaste perioden per kön står på "
               "bladet {esf}, utvecklingen på bladet {chart}, och varje område med alla perioder som tabeller i "
               "HTML-rapporten (published/report/index.html).",
               "Utskrift: tabellen ({n} rader) skrivs inte ut; filtrera den i Excel. Senaste perioden per kön står på "
               "bladet {esf}, utvecklingen på bladet {chart}, och varje område med alla perioder som tabeller i "
               "HTML-rapporten (published/report/index.html)."),
        "en": ("Printing: the table ({n} row) is not printed; filter it in Excel. The latest period by gender is on "
               "the sheet {esf}, the development on the sheet {chart}, and every area with every period as tables "
               "in the HTML report (published/report/index.html).",
               "Printing: the table ({n} rows) is not printed; filter it in Excel. The latest period by gender is on "
               "the sheet {esf}, the development on the sheet {chart}, and every area with every period as tables "
               "in the HTML report (published/report/index.html).")},
    "fund.note.print_latest": {"sv": "Utskrift: bara den senaste perioden ({period}); alla perioder finns i tabellen "
                                     "och i HTML-rapporten.",
                               "en": "Printing: the latest period ({period}) only; every period is in the table "
                                     "and in the HTML report."},
    "fund.note.stale_latest": {"sv": " Inaktuella källor (äldre förteckning används): {sources}.",
                               "en": " Stale sources (an older register is used): {sources}."},
    "fund.note.chart_gaps": {"sv": "Tom cell och uppehåll i linjen = uppgiften skyddas (..) eller kan inte beräknas (.).",
                             "en": "Empty cell and gap in the line = suppressed (..) or cannot be computed (.)."},
    "fund.status.explain": {"sv": "Skapad {at}. Avvisad = bara avvisade leveranser (tidigare godkända data gäller; för "
                                  "närvaro, enkät och aktiviteter betyder det inga rader för perioden). Saknas = ingen leverans.",
                            "en": "Generated {at}. Rejected = only rejected deliveries (earlier accepted data apply; for "
                                  "attendance, survey and activities that means no rows for the period). "
                                  "Missing = no delivery."},
    "fund.status.stale_title": {"sv": "Inaktuella källor per period", "en": "Stale sources per period"},
    "fund.status.stale_explain": {
        "sv": "Varje period visar bästa nuvarande kunskap. En källa är inaktuell för en period när "
              "den inte lämnat någon godkänd deltagarförteckning för perioden eller senare; då "
              "används dess senaste tidigare förteckning.",
        "en": "Each period shows the best current knowledge. A source is stale for a period when "
              "it has delivered no accepted participant register for that period or later; its "
              "latest earlier register is then used."},
    "fund.status.all_current": {"sv": "Alla förteckningar aktuella", "en": "All registers current"},
    "fund.status.stale": {"sv": "Inaktuell", "en": "Stale"},
    "fund.status.never": {"sv": "saknas (aldrig godkänd)", "en": "missing (never accepted)"},
    # the Definitioner sheet's disclosure block (printed in both languages)
    "fund.disclosure.title": {"sv": "Röjandeskydd / Disclosure control", "en": "Disclosure control / Röjandeskydd"},
    "fund.disclosure.cells": {
        "sv": "Celler som bygger på 1–{below} elever visas som ”{suppressed}” (tröskel: {threshold} elever). "
              "Även en andel vars täljare, nämnare eller nämnare minus täljare är 1–{below} visas som ”{suppressed}”.",
        "en": "Cells resting on 1–{below} pupils are shown as ”{suppressed}” (threshold: {threshold} pupils). "
              "So is a rate whose numerator, denominator or denominator minus numerator is 1–{below}."},
    "fund.disclosure.secondary": {
        "sv": "Dessutom döljs ytterligare en cell där en enda dold cell annars skulle kunna räknas "
              "fram ur totalen (kön, kommuner i en delregion, delregioner i regionen).",
        "en": "One more cell is hidden where a single hidden cell could otherwise be derived "
              "from the total (genders, municipalities of a federation, federations of the region)."},
    "fund.disclosure.na": {"sv": "”{na}” = andelen kan inte beräknas (nämnaren är 0). Nollor visas som 0.",
                           "en": "”{na}” = the rate cannot be computed (the denominator is 0). Zeros show as 0."},
    "fund.disclosure.units": {"sv": "Andelar visas i procent. Täljare och nämnare är antal elever, för Närvaro minuter.",
                              "en": "Rates show as percentages. Numerators and denominators count pupils, "
                                    "for Attendance minutes."},
    "fund.disclosure.once": {"sv": "En elev räknas en gång per område, även om eleven varit inskriven i flera kommuner.",
                             "en": "A pupil counts once per area, even when enrolled in several municipalities."},
    "fund.disclosure.summary": {
        "sv": "Celler med 1–{below} elever visas som ”{suppressed}” (tröskel {threshold}), liksom ytterligare en "
              "cell där en enda dold cell kunde räknas fram ur totalen. ”{na}” = en andel av noll. "
              "En elev räknas en gång per område.",
        "en": "Cells resting on 1–{below} pupils are shown as ”{suppressed}” (threshold {threshold}), "
              "and one more cell where a single hidden cell could be derived from the total. "
              "”{na}” = a rate over zero. A pupil counts once per area."},
    # the chart sheet's series
    "fund.series.attendance": {"sv": "Närvarograd", "en": "Attendance rate"},
    "fund.series.future_hope": {"sv": "Framtidstro", "en": "Future hope"},
    "fund.series.wellbeing": {"sv": "Välbefinnande", "en": "Wellbeing"},
    "fund.series.completion": {"sv": "Fullföljer", "en": "Completing"},
}
