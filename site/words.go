package site

import "github.com/agendacal/agendacal/ical"

// words are the page's labels in one language.
type words struct {
	Calendars, Programme, Subscribe, Download, Address, Webcal          string
	GoogleFeed, GoogleSteps, OutlookLive, OutlookOffice, TimesIn        string
	MyZone, AddGoogle, AddOutlook, File, Cancelled, Tentative, Speakers string
	AllDay                                                              string
}

// wordsFor returns the page's labels for a BCP 47 language tag.
func wordsFor(tag string) words {
	switch ical.Language(tag) {
	case "sq":
		return words{"Kalendarët", "Programi", "Abonohuni", "Shkarkoni", "Adresa e kalendarit", "Apple, Thunderbird (webcal)",
			"Google Calendar", "Në Google Calendar: Kalendarë të tjerë › + › Nga URL, pastaj ngjitni adresën.", "Outlook.com", "Outlook (punë ose shkollë)", "Oraret janë në",
			"Shfaqni oraret në zonën time", "Shtoni në Google Calendar", "Shtoni në Outlook", "Skedari .ics", "Anuluar", "E pasigurt", "Folësit", "Gjithë ditën"}
	case "sr-Latn":
		return words{"Kalendari", "Program", "Pretplatite se", "Preuzmite", "Adresa kalendara", "Apple, Thunderbird (webcal)",
			"Google Calendar", "U Google Calendar: Drugi kalendari › + › Sa URL-a, pa nalepite adresu.", "Outlook.com", "Outlook (posao ili škola)", "Vremena su u",
			"Prikaži vremena u mojoj zoni", "Dodaj u Google Calendar", "Dodaj u Outlook", "Datoteka .ics", "Otkazano", "Nepotvrđeno", "Govornici", "Ceo dan"}
	case "sr-Cyrl":
		return words{"Календари", "Програм", "Претплатите се", "Преузмите", "Адреса календара", "Apple, Thunderbird (webcal)",
			"Google Calendar", "У Google Calendar: Други календари › + › Са URL-а, па налепите адресу.", "Outlook.com", "Outlook (посао или школа)", "Времена су у",
			"Прикажи времена у мојој зони", "Додај у Google Calendar", "Додај у Outlook", "Датотека .ics", "Отказано", "Непотврђено", "Говорници", "Цео дан"}
	}
	return words{"Calendars", "Programme", "Subscribe", "Download", "Calendar address", "Apple, Thunderbird (webcal)",
		"Google Calendar", "In Google Calendar: Other calendars › + › From URL, then paste the address.", "Outlook.com", "Outlook (work or school)", "Times are in",
		"Show times in my time zone", "Add to Google Calendar", "Add to Outlook", ".ics file", "Cancelled", "Tentative", "Speakers", "All day"}
}
