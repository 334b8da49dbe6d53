package invite

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP sends messages through a mail server.
type SMTP struct {
	// Addr is the server's host:port. Port 465 is spoken over TLS from
	// the start; any other port upgrades with STARTTLS when the server
	// offers it.
	Addr string
	// Insecure sends where the server offers no STARTTLS, and accepts any
	// certificate: for a relay on a trusted network.
	Insecure bool
	// User and Password, when User is set, log in with AUTH PLAIN or
	// LOGIN.
	User, Password string
	// Rate is how many messages a second are sent at most.
	Rate float64
	// RootCAs are the authorities certificates are checked against; nil
	// for the system's.
	RootCAs *x509.CertPool
}

// Result is what became of one message.
type Result struct {
	Message Message
	// Err is nil when the server accepted the message.
	Err error
	// Refused tells a message the server refused for good: it is not sent
	// again.
	Refused bool
}

// SendError reports a run that did not send every message.
type SendError struct {
	Sent, Refused, Left int
	Err                 error // what stopped the run; nil when it went on
}

func (e *SendError) Error() string {
	msg := fmt.Sprintf("%d sent, %d refused for good, %d left to send", e.Sent, e.Refused, e.Left)
	if e.Err != nil {
		msg += ": " + e.Err.Error() + "; run again to send the rest: nothing sent is sent twice"
	}
	return msg
}

func (e *SendError) Unwrap() error { return e.Err }

// Send sends the folder's outbox in order, recording each message the
// server takes at once, and telling report of each. It stops at the first
// temporary failure (a 4xx answer, a broken connection): what was sent
// stays recorded and the next run goes on from there.
func (s *SMTP) Send(ctx context.Context, f *Folder, report func(Result)) error {
	outbox := f.Outbox()
	if len(outbox) == 0 {
		return nil
	}
	c, err := s.dial()
	if err != nil {
		return &SendError{Left: len(outbox), Err: err}
	}
	defer c.Close()
	var interval time.Duration
	if s.Rate > 0 {
		interval = time.Duration(float64(time.Second) / s.Rate)
	}
	var sent, refused int
	var last time.Time
	for i, m := range outbox {
		if wait := time.Until(last.Add(interval)); wait > 0 {
			select {
			case <-ctx.Done():
				return &SendError{Sent: sent, Refused: refused, Left: len(outbox) - i, Err: ctx.Err()}
			case <-time.After(wait):
			}
		}
		if err := ctx.Err(); err != nil {
			return &SendError{Sent: sent, Refused: refused, Left: len(outbox) - i, Err: err}
		}
		last = time.Now()
		data, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(m.Path)))
		if err != nil {
			report(Result{Message: m, Err: err})
			return &SendError{Sent: sent, Refused: refused, Left: len(outbox) - i, Err: err}
		}
		refusal, err := deliver(c, m, data)
		switch {
		case err == nil:
			if err := f.Sent(m); err != nil {
				return &SendError{Sent: sent, Refused: refused, Left: len(outbox) - i, Err: err}
			}
			sent++
			report(Result{Message: m})
		case refusal:
			report(Result{Message: m, Err: err, Refused: true})
			if err := f.Refused(m, err.Error()); err != nil {
				return &SendError{Sent: sent, Refused: refused, Left: len(outbox) - i, Err: err}
			}
			refused++
			if err := c.Reset(); err != nil {
				return &SendError{Sent: sent, Refused: refused, Left: len(outbox) - i - 1, Err: err}
			}
		default:
			report(Result{Message: m, Err: err})
			return &SendError{Sent: sent, Refused: refused, Left: len(outbox) - i, Err: err}
		}
	}
	c.Quit()
	if refused > 0 {
		return &SendError{Sent: sent, Refused: refused}
	}
	return nil
}

// deliver sends one message in one SMTP transaction. refusal tells a
// permanent answer (5xx) about this message alone: its recipient refused,
// or its content at the end of DATA. Anything else (a 4xx, the sender or
// the login refused, a broken connection) concerns every message and
// stops the run.
func deliver(c *smtp.Client, m Message, data []byte) (refusal bool, err error) {
	permanent := func(err error) bool {
		var reply *smtp.SMTPError
		return errors.As(err, &reply) && reply.Code >= 500 && reply.Code != 530 && reply.Code != 535 && reply.Code != 503
	}
	if err := c.Mail(m.From, nil); err != nil {
		return false, err
	}
	if err := c.Rcpt(m.To, nil); err != nil {
		return permanent(err), err
	}
	w, err := c.Data()
	if err != nil {
		return false, err
	}
	if _, err := w.Write(data); err != nil {
		return false, err
	}
	if err := w.Close(); err != nil {
		return permanent(err), err
	}
	return false, nil
}

// dial connects to the server: TLS from the start on port 465, else
// STARTTLS when offered (required unless Insecure), then logs in.
func (s *SMTP) dial() (*smtp.Client, error) {
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return nil, fmt.Errorf("--smtp %q: %v; write it as host:port, such as smtp.example.org:587", s.Addr, err)
	}
	config := &tls.Config{ServerName: host, InsecureSkipVerify: s.Insecure, RootCAs: s.RootCAs}
	var c *smtp.Client
	encrypted := true
	if port == "465" {
		if c, err = smtp.DialTLS(s.Addr, config); err != nil {
			return nil, err
		}
	} else {
		if c, err = smtp.Dial(s.Addr); err != nil {
			return nil, err
		}
		if err := c.Hello("localhost"); err != nil {
			c.Close()
			return nil, err
		}
		offered, _ := c.Extension("STARTTLS")
		c.Quit()
		switch {
		case offered:
			c, err = smtp.DialStartTLS(s.Addr, config)
		case s.Insecure:
			encrypted = false
			c, err = smtp.Dial(s.Addr)
		default:
			return nil, fmt.Errorf("the mail server at %s offers no STARTTLS, so messages would cross the network unencrypted; give --smtp-insecure only for a server on a trusted network", s.Addr)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.User != "" {
		if !encrypted && !isLoopback(host) {
			c.Close()
			return nil, fmt.Errorf("not sending the password unencrypted to %s: use a server that offers STARTTLS", s.Addr)
		}
		var auth sasl.Client
		switch {
		case c.SupportsAuth("PLAIN"):
			auth = sasl.NewPlainClient("", s.User, s.Password)
		case c.SupportsAuth("LOGIN"):
			auth = sasl.NewLoginClient(s.User, s.Password)
		default:
			c.Close()
			return nil, fmt.Errorf("the mail server at %s offers neither AUTH PLAIN nor LOGIN", s.Addr)
		}
		if err := c.Auth(auth); err != nil {
			c.Close()
			return nil, fmt.Errorf("logging in to %s as %s: %w", s.Addr, s.User, err)
		}
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
