# agendacal in a scratch image: the static binary (it embeds the tz
# database) and the system's certificate authorities, for SMTP, S3 and
# CalDAV over TLS. Build and run:
#
#   docker build -t agendacal .
#   docker run --rm -v "$PWD:/work" agendacal build --out public programme.yaml
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -buildid= -X main.releaseVersion=${VERSION}" \
      -o /agendacal ./cmd/agendacal

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /agendacal /agendacal
WORKDIR /work
ENTRYPOINT ["/agendacal"]
CMD ["--help"]
