package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Cert makes a self-signed ECDSA P-256 certificate for 127.0.0.1, valid
// for a day, and returns it and its key PEM-encoded. The comparison makes
// one at run time: nothing secret is kept in the repository.
func Cert() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "compare loopback"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

// Trust makes every client of this process that verifies with the system
// roots (every peer's default, and the lean transport's) trust certPEM
// alone: it writes it to a file in dir and points SSL_CERT_FILE at it.
// It must run before the process's first TLS verification, which loads
// the system roots once.
func Trust(dir string, certPEM []byte) error {
	f := filepath.Join(dir, "compare-ca.pem")
	if err := os.WriteFile(f, certPEM, 0o600); err != nil {
		return err
	}
	return os.Setenv("SSL_CERT_FILE", f)
}

// TLSEnvCert and TLSEnvKey name the environment variables that carry the
// certificate and key, PEM-encoded, to a child server process.
const TLSEnvCert, TLSEnvKey = "COMPARE_TLS_CERT", "COMPARE_TLS_KEY"

// ListenTLS serves the same paths as Listen over TLS on 127.0.0.1:0 with
// certPEM and keyPEM, offering HTTP/2 and HTTP/1.1 by ALPN, and returns
// the address. An HTTP/2 connection carries at most maxStreams streams at
// once (0: net/http's default, 250).
func ListenTLS(certPEM, keyPEM []byte, maxStreams int) (string, error) {
	return ListenTLSHandler(certPEM, keyPEM, maxStreams, http.HandlerFunc(serve), nil)
}

// ListenTLSHandler is ListenTLS with another handler and, if not nil,
// the server's ConnContext.
func ListenTLSHandler(certPEM, keyPEM []byte, maxStreams int, h http.Handler, connContext func(context.Context, net.Conn) context.Context) (string, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{
		Handler:     h,
		ConnContext: connContext,
		TLSConfig:   &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	if maxStreams > 0 {
		srv.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: maxStreams}
	}
	go srv.ServeTLS(ln, "", "")
	return ln.Addr().String(), nil
}
