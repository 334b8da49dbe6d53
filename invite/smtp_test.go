package invite

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// mailbox is an SMTP server for unit tests: it keeps what it is sent, and
// answers as fail says.
type mailbox struct {
	mu       sync.Mutex
	received []received
	// fail, when set, answers the DATA of the n-th message (from 0).
	fail func(n int, to string) error
	// tried counts the messages whose DATA arrived.
	tried int
	user  string
	pass  string
}

type received struct {
	from, to string
	data     []byte
}

type mailSession struct {
	box      *mailbox
	from, to string
	authed   bool
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.box.user || pass != s.box.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.box.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	n := s.box.tried
	s.box.tried++
	if s.box.fail != nil {
		if err := s.box.fail(n, s.to); err != nil {
			return err
		}
	}
	s.box.received = append(s.box.received, received{from: s.from, to: s.to, data: data})
	return nil
}

func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

// serve starts the mailbox on loopback, with STARTTLS when config is set.
func serve(t *testing.T, box *mailbox, config *tls.Config) string {
	t.Helper()
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.TLSConfig = config
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// invited writes the Pristina invitations into a new folder.
func invited(t *testing.T) (string, []Message) {
	t.Helper()
	dir := t.TempDir()
	return dir, write(t, dir, pristina(t), Options{Now: t0})
}

// send opens the folder, sends its outbox and closes it.
func send(t *testing.T, dir string, s *SMTP) ([]Result, error) {
	t.Helper()
	f, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var results []Result
	err = s.Send(context.Background(), f, func(r Result) { results = append(results, r) })
	if cerr := f.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	return results, err
}

// A temporary failure on the third message stops the run with the first
// two recorded as sent; the next run sends from the third, and every
// message arrives once, as written.
func TestSendResumesAfterATemporaryFailure(t *testing.T) {
	dir, msgs := invited(t)
	box := &mailbox{fail: func(n int, _ string) error {
		if n == 2 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	}}
	addr := serve(t, box, nil)
	s := &SMTP{Addr: addr, Insecure: true, Rate: 1000}
	results, err := send(t, dir, s)
	var se *SendError
	if !errors.As(err, &se) || se.Sent != 2 || se.Left != len(msgs)-2 {
		t.Fatalf("first run: %v", err)
	}
	if len(results) != 3 || results[2].Err == nil || results[2].Refused {
		t.Errorf("results %+v", results)
	}
	if _, err := send(t, dir, s); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if _, err := send(t, dir, s); err != nil {
		t.Fatalf("third run: %v", err)
	}
	if len(box.received) != len(msgs) {
		t.Fatalf("%d messages arrived, %d written", len(box.received), len(msgs))
	}
	for i, m := range msgs {
		got := box.received[i]
		data, _ := os.ReadFile(filepath.Join(dir, m.Path))
		if got.from != m.From || got.to != m.To || !bytes.Equal(crlf(got.data), crlf(data)) {
			t.Errorf("message %d (%s) arrived as from %s to %s, %d bytes; written %d", i, m.Path, got.from, got.to, len(got.data), len(data))
		}
	}
}

// crlf ends every line with CRLF, as SMTP carries it.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// A message refused for good is recorded and not sent again; the others
// are sent.
func TestRefusedForGood(t *testing.T) {
	dir, msgs := invited(t)
	box := &mailbox{fail: func(_ int, to string) error {
		if to == "isp@example.net" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}}
	s := &SMTP{Addr: serve(t, box, nil), Insecure: true, Rate: 1000}
	_, err := send(t, dir, s)
	var se *SendError
	refused := 0
	for _, m := range msgs {
		if m.To == "isp@example.net" {
			refused++
		}
	}
	if !errors.As(err, &se) || se.Refused != refused || se.Sent != len(msgs)-refused || se.Err != nil {
		t.Fatalf("got %v", err)
	}
	box.fail = nil
	if _, err := send(t, dir, s); err != nil || len(box.received) != len(msgs)-refused {
		t.Errorf("second run: %v, %d arrived", err, len(box.received))
	}
}

// Without STARTTLS, nothing is sent unless --smtp-insecure says so.
func TestSendNeedsTLS(t *testing.T) {
	dir, _ := invited(t)
	box := &mailbox{}
	_, err := send(t, dir, &SMTP{Addr: serve(t, box, nil), Rate: 1000})
	if err == nil || !strings.Contains(err.Error(), "offers no STARTTLS") || len(box.received) > 0 {
		t.Errorf("got %v, %d sent", err, len(box.received))
	}
}

// STARTTLS with the server's certificate checked, then AUTH PLAIN.
func TestSendWithStartTLSAndLogin(t *testing.T) {
	dir, msgs := invited(t)
	config, roots := certificate(t)
	box := &mailbox{user: "organiser", pass: "s3cret"}
	addr := serve(t, box, config)
	if _, err := send(t, dir, &SMTP{Addr: addr, Rate: 1000, User: "organiser", Password: "wrong", RootCAs: roots}); err == nil || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong password: %v", err)
	}
	if _, err := send(t, dir, &SMTP{Addr: addr, Rate: 1000, User: "organiser", Password: "s3cret"}); err == nil {
		t.Errorf("a certificate nobody vouches for was accepted")
	}
	if _, err := send(t, dir, &SMTP{Addr: addr, Rate: 1000, User: "organiser", Password: "s3cret", RootCAs: roots}); err != nil {
		t.Fatal(err)
	}
	if len(box.received) != len(msgs) {
		t.Errorf("%d of %d arrived", len(box.received), len(msgs))
	}
}

// A run stopped after sending, before it recorded what it sent, leaves the
// journal: the next run reads it and sends none of those again.
func TestJournalSurvivesAStoppedRun(t *testing.T) {
	dir, msgs := invited(t)
	box := &mailbox{}
	s := &SMTP{Addr: serve(t, box, nil), Insecure: true, Rate: 1000}
	f, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), f, func(Result) {}); err != nil {
		t.Fatal(err)
	}
	f.journal.Close()
	f.unlock() // stopped: the bookkeeping still lists every message as unsent
	f, err = Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	left := f.Outbox()
	f.Close()
	if len(left) != 0 || len(box.received) != len(msgs) {
		t.Errorf("%d left to send after %d sent", len(left), len(box.received))
	}
}

// certificate makes a server certificate for 127.0.0.1 and the pool that
// trusts it.
func certificate(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "agendacal test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// A refusal of the sender (here: no login) concerns every message: the
// run stops and none is recorded as refused.
func TestSenderRefusedStopsTheRun(t *testing.T) {
	dir, msgs := invited(t)
	config, roots := certificate(t)
	box := &mailbox{user: "organiser", pass: "s3cret"}
	s := &SMTP{Addr: serve(t, box, config), Rate: 1000, RootCAs: roots}
	_, err := send(t, dir, s)
	var se *SendError
	if !errors.As(err, &se) || se.Refused != 0 || se.Sent != 0 || se.Left != len(msgs) {
		t.Fatalf("got %v", err)
	}
	f, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if left := f.Outbox(); len(left) != len(msgs) {
		t.Errorf("%d messages left to send, want %d", len(left), len(msgs))
	}
}
