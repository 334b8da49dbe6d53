// Package bucket publishes a programme's calendars to S3-compatible object
// storage: the same files, with the same bytes, as a folder build, under a
// bucket's prefix. The bookkeeping lives beside them (.agendacal.state),
// so only objects whose bytes changed are uploaded; a lock object taken
// with a conditional write keeps two builds from interleaving.
package bucket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"golang.org/x/sync/errgroup"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/publish"
)

// lockName is the object a build holds while it publishes.
const lockName = ".agendacal.lock"

// staleLock is how old a lock may be before it is taken as left by a build
// that died: far longer than any build takes.
const staleLock = 15 * time.Minute

// Options say how a build publishes to a bucket.
type Options struct {
	publish.Options
	// CacheControl is every object's Cache-Control.
	CacheControl string
}

// Report says what a build did, in objects.
type Report struct {
	// Created and Updated count the objects uploaded: new ones and ones
	// whose bytes changed.
	Created, Updated, Unchanged, Deleted int
	// Rebuilt tells that the bookkeeping was missing and rebuilt from the
	// calendars under the prefix.
	Rebuilt bool
}

// Target is a bucket and a prefix to publish under.
type Target struct {
	client *minio.Client
	Bucket string
	Prefix string // "" or ending in '/'
	// id tells this build's lock from another's.
	id string
}

// New connects to the bucket that an s3://BUCKET[/PREFIX] address names,
// with the credentials and endpoint of the standard AWS variables read
// through getenv: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL. Buckets are addressed
// by path on any endpoint but AWS's own.
func New(address string, getenv func(string) string) (*Target, error) {
	u, err := url.Parse(address)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("%q is not a bucket address: write it as s3://bucket or s3://bucket/prefix", address)
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	host, secure, lookup := "s3.amazonaws.com", true, minio.BucketLookupAuto
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region != "" {
		host = "s3." + region + ".amazonaws.com"
	}
	if e := getenv("AWS_ENDPOINT_URL"); e != "" {
		eu, err := url.Parse(e)
		if err != nil || eu.Host == "" || eu.Scheme != "http" && eu.Scheme != "https" {
			return nil, fmt.Errorf("AWS_ENDPOINT_URL %q must be an address such as https://storage.example.org", e)
		}
		host, secure = eu.Host, eu.Scheme == "https"
		if !strings.HasSuffix(eu.Hostname(), ".amazonaws.com") {
			lookup = minio.BucketLookupPath
		}
	}
	key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return nil, errors.New("publishing to a bucket needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
	}
	client, err := minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(key, secret, getenv("AWS_SESSION_TOKEN")),
		Secure:       secure,
		Region:       region,
		BucketLookup: lookup,
		MaxRetries:   5, // with backoff, for network faults and 5xx answers
	})
	if err != nil {
		return nil, err
	}
	return &Target{client: client, Bucket: u.Host, Prefix: prefix, id: fmt.Sprintf("%d-%d", time.Now().UnixNano(), os.Getpid())}, nil
}

// Where names the target in messages.
func (t *Target) Where() string { return "s3://" + t.Bucket + "/" + t.Prefix }

// Publish publishes the programme under the prefix: it takes the lock,
// reads the bookkeeping, plans the build, uploads the objects whose bytes
// changed (sessions, tracks, rooms and days before the feeds and the
// page), deletes the objects it published before that the programme no
// longer has, and writes the bookkeeping last.
func (t *Target) Publish(ctx context.Context, p *agenda.Programme, opts Options) (rep Report, err error) {
	if err := t.lock(ctx, opts.Wait); err != nil {
		return rep, err
	}
	defer t.unlock()
	prev, etag, err := t.previous(ctx, p, opts.Force)
	if err != nil {
		return rep, err
	}
	rep.Rebuilt = etag == "" && len(prev.Files) > 0
	pl, err := publish.NewPlan(ctx, prev, p, opts.Options, func(rel string) ([]byte, error) { return t.get(ctx, rel) })
	if err != nil {
		return rep, err
	}
	present, err := t.list(ctx)
	if err != nil {
		return rep, err
	}
	var first, last []int // the feeds and the page go up last
	for i := range pl.Len() {
		rel, digest := pl.File(i)
		if prev.Files[rel] == digest && present[rel] {
			rep.Unchanged++
			continue
		}
		if strings.Contains(rel, "/") {
			first = append(first, i)
		} else {
			last = append(last, i)
		}
	}
	stale := publish.StaleFiles(prev, pl.State)
	if len(first)+len(last) == 0 && len(stale) == 0 && prev.Unchanged(pl.State) {
		return rep, nil
	}
	// Before any object changes, the bookkeeping says that the changed
	// ones are being replaced (digest ""): a build that stops half-way
	// leaves them to be uploaded again, whatever the programme says next.
	pending := *prev
	pending.Files = make(map[string]string, len(prev.Files))
	for rel, d := range prev.Files {
		pending.Files[rel] = d
	}
	for _, batch := range [][]int{first, last} {
		for _, i := range batch {
			rel, _ := pl.File(i)
			pending.Files[rel] = ""
		}
	}
	if len(first)+len(last) > 0 {
		if etag, err = t.putState(ctx, &pending, etag); err != nil {
			return rep, fmt.Errorf("writing the bookkeeping: %w", err)
		}
	}
	uploaded := 0
	for _, batch := range [][]int{first, last} {
		n, err := t.upload(ctx, pl, batch, opts.CacheControl)
		uploaded += n
		if err != nil {
			return rep, &PartialError{Uploaded: uploaded, Total: len(first) + len(last), Err: err}
		}
		for _, i := range batch {
			if rel, _ := pl.File(i); present[rel] {
				rep.Updated++
			} else {
				rep.Created++
			}
		}
	}
	for _, rel := range stale {
		if err := t.client.RemoveObject(ctx, t.Bucket, t.Prefix+rel, minio.RemoveObjectOptions{}); err != nil {
			return rep, &PartialError{Uploaded: uploaded, Total: len(first) + len(last), Err: fmt.Errorf("deleting %s: %w", rel, err)}
		}
		rep.Deleted++
	}
	if _, err := t.putState(ctx, pl.State, etag); err != nil {
		return rep, &PartialError{Uploaded: uploaded, Total: len(first) + len(last), Err: fmt.Errorf("writing the bookkeeping: %w", err)}
	}
	return rep, nil
}

// putState writes the bookkeeping object if it is still the one read
// (If-Match on its ETag; If-None-Match: * when there was none), and
// returns its new ETag.
func (t *Target) putState(ctx context.Context, st *publish.State, etag string) (string, error) {
	var state bytes.Buffer
	st.Encode(&state)
	put := minio.PutObjectOptions{ContentType: "application/json", CacheControl: "no-store"}
	if etag == "" {
		put.SetMatchETagExcept("*")
	} else {
		put.SetMatchETag(etag)
	}
	// A body the client can read again (an io.Seeker), or it tries a PUT
	// once: a 5xx answer or a dropped connection is retried with it.
	info, err := t.client.PutObject(ctx, t.Bucket, t.Prefix+publish.StateName, bytes.NewReader(state.Bytes()), int64(state.Len()), put)
	return info.ETag, err
}

// upload uploads some of the plan's files, eight at a time.
func (t *Target) upload(ctx context.Context, pl *publish.Plan, files []int, cacheControl string) (int, error) {
	var g errgroup.Group
	g.SetLimit(8)
	var mu sync.Mutex
	done := 0
	for _, i := range files {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var b bytes.Buffer
			if err := pl.Write(&b, i); err != nil {
				return err
			}
			rel, _ := pl.File(i)
			_, err := t.client.PutObject(ctx, t.Bucket, t.Prefix+rel, bytes.NewReader(b.Bytes()), int64(b.Len()), minio.PutObjectOptions{
				ContentType: pl.ContentType(i), CacheControl: cacheControl, DisableMultipart: true,
			})
			if err != nil {
				return fmt.Errorf("uploading %s: %w", rel, err)
			}
			mu.Lock()
			done++
			mu.Unlock()
			return nil
		})
	}
	err := g.Wait()
	return done, err
}

// previous reads the bookkeeping under the prefix, with its ETag; without
// one, it is rebuilt from the calendars there ("" ETag).
func (t *Target) previous(ctx context.Context, p *agenda.Programme, force bool) (*publish.State, string, error) {
	obj, err := t.client.GetObject(ctx, t.Bucket, t.Prefix+publish.StateName, minio.GetObjectOptions{})
	if err != nil {
		return nil, "", err
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	switch {
	case err == nil:
		info, err := obj.Stat()
		if err != nil {
			return nil, "", err
		}
		st, err := publish.ParseState(t.Where()+publish.StateName, data)
		if err != nil {
			return nil, "", err
		}
		if err := st.Claim(t.Where(), p, force); err != nil {
			return nil, "", err
		}
		return st, info.ETag, nil
	case isNotFound(err):
	default:
		return nil, "", fmt.Errorf("reading the bookkeeping: %w", err)
	}
	present, err := t.list(ctx)
	if err != nil {
		return nil, "", err
	}
	var calendars []string
	for rel := range present {
		if strings.HasSuffix(rel, ".ics") {
			calendars = append(calendars, rel)
		}
	}
	slices.Sort(calendars)
	st := publish.Recovered(func(rel string) ([]byte, error) { return t.get(ctx, rel) }, p, calendars, force)
	if other := st.Programme.UIDDomain; other != "" && other != p.UIDDomain && !force {
		return nil, "", &publish.OtherProgrammeError{Dir: t.Where(), UIDDomain: other}
	}
	return st, "", nil
}

// get reads an object under the prefix.
func (t *Target) get(ctx context.Context, rel string) ([]byte, error) {
	obj, err := t.client.GetObject(ctx, t.Bucket, t.Prefix+rel, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	return io.ReadAll(obj)
}

// list lists the objects under the prefix, by path below it.
func (t *Target) list(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	for obj := range t.client.ListObjects(ctx, t.Bucket, minio.ListObjectsOptions{Prefix: t.Prefix, Recursive: true}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("listing %s: %w", t.Where(), obj.Err)
		}
		out[strings.TrimPrefix(obj.Key, t.Prefix)] = true
	}
	return out, nil
}

// lockBody is what the lock object says.
type lockBody struct {
	Holder string    `json:"holder"`
	Since  time.Time `json:"since"`
}

// lock takes the prefix's lock object, written only if there is none
// (If-None-Match: *), trying for up to wait; a lock older than staleLock
// was left by a build that died and is taken over (If-Match on its ETag).
func (t *Target) lock(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		body, _ := json.Marshal(lockBody{Holder: t.id, Since: time.Now().UTC()})
		put := minio.PutObjectOptions{ContentType: "application/json", CacheControl: "no-store"}
		put.SetMatchETagExcept("*")
		_, err := t.client.PutObject(ctx, t.Bucket, t.Prefix+lockName, bytes.NewReader(body), int64(len(body)), put)
		if err == nil {
			return nil
		}
		if !isPreconditionFailed(err) {
			return fmt.Errorf("locking %s: %w", t.Where(), err)
		}
		// Held: by this build (its first answer was lost and the write
		// retried), or by one that died long ago (by the server's clock)?
		obj, err := t.client.GetObject(ctx, t.Bucket, t.Prefix+lockName, minio.GetObjectOptions{})
		if err == nil {
			data, rerr := io.ReadAll(obj)
			info, serr := obj.Stat()
			obj.Close()
			var held lockBody
			if rerr == nil && json.Unmarshal(data, &held) == nil && held.Holder == t.id {
				return nil
			}
			if rerr == nil && serr == nil && json.Unmarshal(data, &held) == nil && time.Since(info.LastModified) > staleLock {
				put := minio.PutObjectOptions{ContentType: "application/json", CacheControl: "no-store"}
				put.SetMatchETag(info.ETag)
				if _, err := t.client.PutObject(ctx, t.Bucket, t.Prefix+lockName, bytes.NewReader(body), int64(len(body)), put); err == nil {
					return nil
				}
			}
		}
		if time.Now().After(deadline) {
			return &publish.BusyError{Dir: t.Where(), Waited: wait}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// unlock removes the lock object, if it is still this build's.
func (t *Target) unlock() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	data, err := t.get(ctx, lockName)
	var held lockBody
	if err != nil || json.Unmarshal(data, &held) != nil || held.Holder != t.id {
		return
	}
	t.client.RemoveObject(ctx, t.Bucket, t.Prefix+lockName, minio.RemoveObjectOptions{})
}

func isNotFound(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.StatusCode == http.StatusNotFound || resp.Code == "NoSuchKey"
}

func isPreconditionFailed(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.StatusCode == http.StatusPreconditionFailed || resp.Code == "PreconditionFailed" || resp.StatusCode == http.StatusConflict
}

// PartialError reports a build that stopped after it began to upload:
// what is up is up, the bookkeeping is not written, and the next build
// uploads what differs.
type PartialError struct {
	Uploaded, Total int
	Err             error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v; %d of %d changed objects were uploaded, the bookkeeping was not updated: the next build uploads the rest", e.Err, e.Uploaded, e.Total)
}

func (e *PartialError) Unwrap() error { return e.Err }
