package ical

import "strings"

// Words are the words agendacal adds to a programme's text, in the
// programme's language.
type Words struct {
	Speakers, Topics, Break string
	// Cancelled starts the SUMMARY of a cancelled session.
	Cancelled string
	// Online labels the link of an online session.
	Online string
	// Upcoming names the feed of sessions not yet ended.
	Upcoming string
}

// WordsFor returns the words for a BCP 47 language tag: English,
// Albanian, and Serbian in Cyrillic (sr, sr-Cyrl) or Latin (sr-Latn)
// script; English for any other language.
func WordsFor(language string) Words {
	tag := strings.ToLower(language)
	switch {
	case tag == "sq" || strings.HasPrefix(tag, "sq-"):
		return Words{Speakers: "Folësit", Topics: "Temat", Break: "Pushim", Cancelled: "Anuluar: ", Online: "Bashkohuni në internet", Upcoming: "Në vijim"}
	case strings.HasPrefix(tag, "sr-latn"):
		return Words{Speakers: "Govornici", Topics: "Teme", Break: "Pauza", Cancelled: "Otkazano: ", Online: "Pridružite se onlajn", Upcoming: "Predstojeće"}
	case tag == "sr" || strings.HasPrefix(tag, "sr-"):
		return Words{Speakers: "Говорници", Topics: "Теме", Break: "Пауза", Cancelled: "Отказано: ", Online: "Придружите се онлајн", Upcoming: "Предстојеће"}
	}
	return Words{Speakers: "Speakers", Topics: "Topics", Break: "Break", Cancelled: "Cancelled: ", Online: "Join online", Upcoming: "Upcoming"}
}
