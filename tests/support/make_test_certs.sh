#!/usr/bin/env bash
# Writes a throw-away PKI for TLS tests into $1:
#   ca.pem/ca.key          the suite's CA
#   service.pem/.key       the services' certificate (127.0.0.1, localhost; server and client use)
#   newsroom.pem/.key      a newsroom client's certificate, signed by the CA
#   rogue-ca.pem, rogue.pem/.key   a client certificate from a CA nobody trusts
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() {  # name subject
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days 2 -subj "$2" -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() {  # name subject ca extensions
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 2 -sha256 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
ca ca "/CN=pressrelay test CA"
ca rogue-ca "/CN=someone else's CA"
leaf service "/CN=pressrelay" ca \
  "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth,clientAuth"
leaf newsroom "/CN=newsroom-client" ca "extendedKeyUsage=clientAuth"
leaf rogue "/CN=rogue" rogue-ca "extendedKeyUsage=clientAuth"
