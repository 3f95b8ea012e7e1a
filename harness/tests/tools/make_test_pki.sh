#!/bin/sh
# make_test_pki.sh DIR [NCLIENTS] [NFILLER] — a small PKI for trying a shim by
# hand with the openssl command line (the harness makes its own PKI in C):
#   DIR/server-ca.pem, server.pem, server.key   server chain (trust for clients)
#   DIR/client-ca-I.pem, client-I.pem, client-I.key   one CA per client cert
#   DIR/client-cas.pem   all client CAs (trust for the server)
#   DIR/list.calist      list file: NFILLER filler CA DNs then the client CAs
#   DIR/list.pem         one certificate per DN of list.calist, same order
set -eu
dir=$1; n=${2:-2}; nf=${3:-3}
mkdir -p "$dir"; cd "$dir"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { ec "$1.key"; openssl req -x509 -new -key "$1.key" -subj "$2" -days 3650 -out "$1.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null; }
leaf() { ec "$1.key"; openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
         openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 3650 \
           -extfile "$1.ext" -out "$1.pem" 2>/dev/null; rm -f "$1.csr"; }
subject_hex() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 >/dev/null
  # The subject's DER is the 6th element of tbsCertificate; asn1parse prints its offset.
  openssl x509 -in "$1" -outform DER > "$1.der"
  # hl= and l= give the header and content lengths of that SEQUENCE.
  set -- "$1" $(openssl asn1parse -inform DER -in "$1.der" | awk '/SEQUENCE/ && /:d=2 / {c++; if (c==4) {o=$1; sub(/:.*/,"",o); h=$0; sub(/.*hl= */,"",h); sub(/ .*/,"",h); l=$0; sub(/.*l= */,"",l); sub(/ .*/,"",l); print o, h+l; exit}}')
  dd if="$1.der" bs=1 skip="$2" count="$3" 2>/dev/null | od -An -v -tx1 | tr -d ' \n'
  rm -f "$1.der"; }
ca server-ca "/O=cabound test/CN=cabound server CA"
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' > server.ext
leaf server "/O=cabound test/CN=localhost" server-ca
: > client-cas.pem; : > list.pem
printf 'cabound-list 1\n' > list.calist
i=0; while [ $i -lt "$nf" ]; do
  ca filler-$i "/C=US/O=Filler Trust $i/OU=Root/CN=Filler Root CA $i"
  cat filler-$i.pem >> list.pem; printf 'dn %s\n' "$(subject_hex filler-$i.pem)" >> list.calist; i=$((i+1)); done
i=0; while [ $i -lt "$n" ]; do
  ca client-ca-$i "/O=cabound test/CN=cabound client CA $i"
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > client-$i.ext
  leaf client-$i "/O=cabound test/CN=cabound client $i" client-ca-$i
  cat client-ca-$i.pem >> client-cas.pem; cat client-ca-$i.pem >> list.pem
  printf 'dn %s real:client%d\n' "$(subject_hex client-ca-$i.pem)" $i >> list.calist; i=$((i+1)); done
rm -f *.ext *.srl
echo "$dir: test PKI with $n client certificates, list of $((nf+n)) DNs"
