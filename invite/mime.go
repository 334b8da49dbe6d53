package invite

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// letter is what one message says.
type letter struct {
	from, to *agenda.Person
	subject  string
	date     time.Time
	id       string // Message-ID without brackets
	text     string
	calendar []byte
	method   string
}

// maxLine is the longest line a message has (RFC 5322 2.1.1 asks for 78
// characters at most).
const maxLine = 78

// compose writes a letter as an iMIP message (RFC 6047): multipart/mixed
// of a multipart/alternative (the readable text, then the calendar inline
// as text/calendar with its method) and the same calendar attached as
// invite.ics. Lines end in CRLF and none is longer than 78 characters.
func compose(l letter) []byte {
	sum := sha256.Sum256([]byte(l.id))
	boundary := "agendacal-" + hex.EncodeToString(sum[:8])
	var b bytes.Buffer
	header(&b, "From", address(l.from))
	header(&b, "To", address(l.to))
	header(&b, "Subject", mime.QEncoding.Encode("UTF-8", l.subject))
	header(&b, "Date", l.date.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	header(&b, "Message-ID", "<"+l.id+">")
	header(&b, "MIME-Version", "1.0")
	header(&b, "Content-Type", `multipart/mixed; boundary="`+boundary+`-m"`)
	b.WriteString("\r\n")

	mixed := multipart.NewWriter(&b)
	mixed.SetBoundary(boundary + "-m")
	var alt bytes.Buffer
	alternative := multipart.NewWriter(&alt)
	alternative.SetBoundary(boundary + "-a")
	w, _ := alternative.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	qp := quotedprintable.NewWriter(w)
	qp.Write([]byte(l.text))
	qp.Close()
	w, _ = alternative.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/calendar; charset=UTF-8; method=" + l.method},
		"Content-Transfer-Encoding": {"base64"},
	})
	writeBase64(w, l.calendar)
	alternative.Close()
	w, _ = mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="` + boundary + `-a"`}})
	w.Write(alt.Bytes())
	w, _ = mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {`application/ics; name="invite.ics"`},
		"Content-Disposition":       {`attachment; filename="invite.ics"`},
		"Content-Transfer-Encoding": {"base64"},
	})
	writeBase64(w, l.calendar)
	mixed.Close()
	return b.Bytes()
}

// address is a person as a mailbox, the name encoded (RFC 2047) when it is
// not ASCII.
func address(p *agenda.Person) string {
	return (&mail.Address{Name: p.Name, Address: p.Email}).String()
}

// header writes a header field, folded at spaces so that no line passes
// maxLine where a space allows (RFC 5322 2.2.3).
func header(b *bytes.Buffer, name, value string) {
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		if i > 0 && len(line)+1+len(word) > maxLine {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line + "\r\n")
}

// writeBase64 writes data in base64, 76 characters a line (RFC 2045 6.8).
func writeBase64(w interface{ Write([]byte) (int, error) }, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		w.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	w.Write([]byte(enc + "\r\n"))
}
