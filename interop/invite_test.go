package interop

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/invite"
)

// invitations writes the Pristina invitations, then those its edited
// version calls for (a session moved, one removed, an attendee taken off
// one), and returns every message with the event its calendar should hold.
func invitations(t *testing.T) (dir string, files []calendarFile) {
	t.Helper()
	dir = t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "examples", "pristina.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.NewReplacer(
		"time: 16h00 - 16h30", "time: 16h05 - 16h35",
		"invite: [prosecution, police, isps]", "invite: [prosecution, isps]",
	).Replace(string(data))
	i := strings.Index(edited, "      - time: 15h30 - 16h00")
	j := strings.Index(edited, "      - time: 16h05 - 16h35")
	edited = edited[:i] + edited[j:] // the way forward is removed
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var last *agenda.Programme
	for n, text := range []string{string(data), edited} {
		p, problems := agenda.Parse("pristina.yaml", []byte(text))
		if p == nil {
			t.Fatalf("programme does not parse:\n%v", problems)
		}
		f, err := invite.Open(dir, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := f.Write(p, invite.Options{Now: first.Add(time.Duration(n) * 24 * time.Hour)})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		sessions := map[string]*agenda.Session{}
		for _, s := range p.Sessions {
			sessions[s.ID] = s
		}
		if last != nil {
			for _, s := range last.Sessions {
				if sessions[s.ID] == nil {
					sessions[s.ID] = s
				}
			}
		}
		for _, m := range msgs {
			id, _, _ := strings.Cut(m.Path, "/")
			s := *sessions[id]
			if m.Method == "CANCEL" {
				s.Status = agenda.StatusCancelled
			}
			path := filepath.Join(dir, filepath.FromSlash(m.Path))
			ics := filepath.Join(dir, filepath.FromSlash(m.Path)+".ics")
			if err := os.WriteFile(ics, calendarOf(t, path), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, calendarFile{path: ics, want: expected(p, []*agenda.Session{&s})})
		}
		last = p
	}
	return dir, files
}

// calendarOf returns the invite.ics attachment of a message.
func calendarOf(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := r.NextPart()
		if err != nil {
			t.Fatalf("%s has no invite.ics: %v", path, err)
		}
		if part.FileName() == "invite.ics" {
			b, _ := io.ReadAll(part)
			cal, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return cal
		}
	}
}

// TestInvitationsInReaders reads the calendar of every invitation, update
// and cancellation with every reader.
func TestInvitationsInReaders(t *testing.T) {
	_, files := invitations(t)
	methods := map[string]bool{}
	for _, f := range files {
		data, _ := os.ReadFile(f.path)
		methods[regexp.MustCompile(`METHOD:(\w+)`).FindStringSubmatch(string(data))[1]] = true
	}
	if !methods["REQUEST"] || !methods["CANCEL"] || len(files) < 40 {
		t.Fatalf("%d invitations, methods %v", len(files), methods)
	}
	for _, r := range readers() {
		t.Run(r.name, func(t *testing.T) {
			toRead := files
			if r.slow {
				toRead = []calendarFile{files[0], files[len(files)-1]}
			}
			checkReader(t, r, toRead)
		})
	}
}

// TestSendThroughPostfix sends the Pristina invitations through a Postfix
// started on loopback, with STARTTLS, delivering to a Maildir. The first
// run meets a temporary failure at the third message and exits 3 with two
// sent; the next sends the rest; every message arrives once, as written.
func TestSendThroughPostfix(t *testing.T) {
	postfix := need(t, "postfix", "/usr/sbin/postfix")
	owner, err := user.Lookup("postfix")
	if err != nil || os.Geteuid() != 0 {
		if required() {
			t.Fatalf("Postfix needs root and its postfix user (AGENDACAL_INTEROP=require): %v", err)
		}
		t.Skip("Postfix needs root and its postfix user")
	}
	work := t.TempDir()
	// Postfix's daemons run as its own user: the way there must be open.
	for _, d := range []string{filepath.Dir(work), work} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := agendacalBinary(t)
	addr := freeAddr(t)
	etc, mailDir := filepath.Join(work, "etc"), filepath.Join(work, "mail")
	for _, d := range []string{etc, filepath.Join(work, "queue"), filepath.Join(work, "data"), mailDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("chown", owner.Uid+":"+owner.Gid, mailDir, filepath.Join(work, "data")).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v\n%s", err, out)
	}
	certFile, keyFile := writeCertificate(t, work)
	access := filepath.Join(etc, "access")
	// The third message goes to the financial intelligence unit.
	writeFile(t, access, "fiu@example.org 450 4.2.0 mailbox busy, try again later\n")
	writeFile(t, filepath.Join(etc, "main.cf"), fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = agendacal.test
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
virtual_mailbox_domains = example.org, example.net, bank.example.com
virtual_mailbox_base = %[1]s/mail
virtual_mailbox_maps = static:maildir/
virtual_uid_maps = static:%[2]s
virtual_gid_maps = static:%[3]s
smtpd_recipient_restrictions = check_recipient_access texthash:%[4]s, permit_mynetworks, reject
smtpd_tls_security_level = may
smtpd_tls_cert_file = %[5]s
smtpd_tls_key_file = %[6]s
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
`, work, owner.Uid, owner.Gid, access, certFile, keyFile))
	writeFile(t, filepath.Join(etc, "master.cf"), addr+" inet n - n - - smtpd\n"+postfixServices)
	if out, err := exec.Command(postfix, "-c", etc, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(work, "maillog"))
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() { exec.Command(postfix, "-c", etc, "stop").Run() })
	maillog := func() string { b, _ := os.ReadFile(filepath.Join(work, "maillog")); return string(b) }
	waitListening(t, addr)

	programme := filepath.Join("..", "examples", "pristina.yaml")
	out := filepath.Join(work, "invites")
	send := func() (string, string, int) {
		cmd := exec.Command(bin, "invite", "--out", out, "--smtp", addr, "--rate", "50", programme)
		cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+certFile, "SOURCE_DATE_EPOCH=1793520000")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
	}
	stdout, stderr, code := send()
	if code != 3 || strings.Count(stdout, "\nsent ") != 2 || !strings.Contains(stderr, "not sent") || !strings.Contains(stderr, "450") {
		t.Fatalf("first run: exit %d\n%s\n%s\n%s", code, stdout, stderr, maillog())
	}
	written := strings.Count(stdout, "wrote ")
	writeFile(t, access, "")
	if out, err := exec.Command(postfix, "-c", etc, "reload").CombinedOutput(); err != nil {
		t.Fatalf("postfix reload: %v\n%s", err, out)
	}
	stdout, stderr, code = send()
	if code != 0 || strings.Count(stdout, "sent ") != written-2 || strings.Contains(stdout, "wrote ") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if stdout, _, code = send(); code != 0 || stdout != "" {
		t.Fatalf("third run: exit %d\n%s", code, stdout)
	}
	if !strings.Contains(maillog(), fmt.Sprintf("ehlo=2 starttls=1 mail=%d ", written-2)) {
		t.Errorf("the second run did not send its messages after STARTTLS:\n%s", maillog())
	}

	// Every message arrives once, and as written.
	var delivered []string
	for deadline := time.Now().Add(time.Minute); len(delivered) < written && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		delivered, _ = filepath.Glob(filepath.Join(mailDir, "maildir", "new", "*"))
	}
	if len(delivered) != written {
		t.Fatalf("%d messages arrived, %d written\n%s", len(delivered), written, maillog())
	}
	byID := map[string][]byte{}
	for _, f := range delivered {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id := m.Header.Get("Message-ID")
		if _, dup := byID[id]; dup {
			t.Errorf("%s arrived twice", id)
		}
		byID[id] = withoutServerHeaders(data)
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*", "*.eml"))
	if len(emls) != written {
		t.Fatalf("%d messages in the folder, %d written", len(emls), written)
	}
	for _, eml := range emls {
		data, _ := os.ReadFile(eml)
		m, _ := mail.ReadMessage(bytes.NewReader(data))
		got, ok := byID[m.Header.Get("Message-ID")]
		if !ok {
			t.Errorf("%s did not arrive", eml)
			continue
		}
		// Maildir keeps lines with LF only.
		if want := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")); !bytes.Equal(got, want) {
			t.Errorf("%s arrived otherwise:\n%s", eml, got)
		}
	}
	// The calendar program's view: the delivered invitation is one.
	for _, data := range byID {
		if !bytes.Contains(data, []byte("Content-Type: text/calendar; charset=UTF-8; method=REQUEST")) {
			t.Errorf("a delivered message has no REQUEST part:\n%s", data)
		}
	}
}

// withoutServerHeaders removes the header fields the server added on
// delivery (Return-Path, X-Original-To, Delivered-To, Received).
func withoutServerHeaders(data []byte) []byte {
	var out bytes.Buffer
	lines := strings.SplitAfter(string(data), "\n")
	skipping, inHeader := false, true
	for _, line := range lines {
		if inHeader && (line == "\n" || line == "\r\n") {
			inHeader = false
		}
		if inHeader {
			if line[0] == ' ' || line[0] == '\t' {
				if skipping {
					continue
				}
			} else {
				name, _, _ := strings.Cut(line, ":")
				switch strings.ToLower(name) {
				case "return-path", "x-original-to", "delivered-to", "received":
					skipping = true
					continue
				}
				skipping = false
			}
		}
		out.WriteString(line)
	}
	return out.Bytes()
}

// postfixServices are the services of a Postfix that receives on
// loopback and delivers to a Maildir, none chrooted.
const postfixServices = `pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
local     unix  - n n -    - local
virtual   unix  - n n -    - virtual
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
tlsmgr    unix  - - n 1000? 1 tlsmgr
postlog   unix-dgram n - n - 1 postlogd
`

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitListening waits for a server to accept connections at addr.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens at %s", addr)
}

// writeCertificate writes a self-signed certificate for 127.0.0.1 and its
// key, as PEM.
func writeCertificate(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
