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

// WordsFor returns the words for a BCP 47 language tag (see Language).
func WordsFor(language string) Words {
	switch Language(language) {
	case "sq":
		return Words{Speakers: "Folësit", Topics: "Temat", Break: "Pushim", Cancelled: "Anuluar: ", Online: "Bashkohuni në internet", Upcoming: "Në vijim"}
	case "sr-Latn":
		return Words{Speakers: "Govornici", Topics: "Teme", Break: "Pauza", Cancelled: "Otkazano: ", Online: "Pridružite se onlajn", Upcoming: "Predstojeće"}
	case "sr-Cyrl":
		return Words{Speakers: "Говорници", Topics: "Теме", Break: "Пауза", Cancelled: "Отказано: ", Online: "Придружите се онлајн", Upcoming: "Предстојеће"}
	}
	return Words{Speakers: "Speakers", Topics: "Topics", Break: "Break", Cancelled: "Cancelled: ", Online: "Join online", Upcoming: "Upcoming"}
}

// Language is the language agendacal has words in for a BCP 47 tag: "sq"
// (Albanian), "sr-Latn" or "sr-Cyrl" (Serbian, Cyrillic when the tag does
// not say Latin), or "en" for English and every other language.
func Language(tag string) string {
	tag = strings.ToLower(tag)
	switch {
	case tag == "sq" || strings.HasPrefix(tag, "sq-"):
		return "sq"
	case strings.HasPrefix(tag, "sr-latn"):
		return "sr-Latn"
	case tag == "sr" || strings.HasPrefix(tag, "sr-"):
		return "sr-Cyrl"
	}
	return "en"
}
